/* session: one attached target, its collectors and its history; shared by TUI and batch. */
#include "session/session.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "collectors/collector.h"
#include "diagnoses/diag.h"
#include "target/go_binary.h"
#include "record/archive.h"
#include "record/archive_spill.h"
#include "record/recorder.h"
#include "base/util.h"

#define SESSION_HEAP_TRIM_NS 60000000000LL   /* how often malloc gives free pages back */

void session_init(struct session *s, const char *collector_names,
                  const struct collector_config *cfg, const struct settings *settings)
{
    memset(s, 0, sizeof(*s));
    s->collector_names = collector_names;
    s->cfg = *cfg;
    s->diag = diag_engine_new(settings);
    s->history_cap = SESSION_HISTORY;
}

static struct history *new_history(const struct session *s)
{
    struct history *h = history_new(s->history_cap);
    if (h && history_set_tail(h, s->history_tail, s->history_step_ns) != 0) {
        history_free(h);
        return NULL;
    }
    return h;
}

/* The longest span a rule judges: its thresholds in seconds are windows and hold times
 * (goroutine_pileup's 180 s window the longest by default). */
static double longest_rule_window_s(const struct diag_engine *e)
{
    double longest = 0;
    for (size_t i = 0; i < diag_rule_count(); i++) {
        const struct diag_rule *r = diag_rule_at(i);
        for (size_t j = 0; j < r->nthresholds; j++) {
            const char *unit = r->thresholds[j].unit;
            if (!unit || strcmp(unit, "s") != 0)
                continue;
            double v = e ? diag_engine_threshold(e, i, j) : r->thresholds[j].def;
            if (isfinite(v) && v > longest)
                longest = v;
        }
    }
    return longest;
}

/* The history the rules need at this refresh: a dense ring, a snapshot per tick, over
 * the rules' short holds (the longest window up to SESSION_DENSE_S, 10% over: ticks come
 * late), SESSION_DENSE_MIN to SESSION_HISTORY_MIN of them; then a tail of one snapshot
 * every SESSION_TAIL_STEP_S for what the longest window reaches past it. The charts draw
 * from the history's rows of figures (history_ticks), not from its snapshots. At 1 s
 * that is 12 + 39 snapshots for goroutine_pileup's 3 minutes; at -d 0.1 111 + 39. */
static void plan_history(const struct session *s, size_t *dense, size_t *tail,
                         int64_t *step_ns)
{
    *dense = SESSION_HISTORY_MIN;
    *tail = 0;
    *step_ns = 0;
    if (s->history_fixed) {
        *dense = s->history_cap;
        return;
    }
    if (!(s->refresh_s > 0) || !isfinite(s->refresh_s)) {
        *dense = SESSION_HISTORY;           /* a replay: the interval is not known yet */
        return;
    }
    double need = longest_rule_window_s(s->diag) * 1.1;
    double short_s = need < SESSION_DENSE_S * 1.1 ? need : SESSION_DENSE_S * 1.1;
    double ticks = ceil(short_s / s->refresh_s - 1e-9) + 1;
    *dense = ticks < SESSION_DENSE_MIN ? SESSION_DENSE_MIN
           : ticks > SESSION_HISTORY_MIN ? SESSION_HISTORY_MIN : (size_t)ticks;
    double covered = s->refresh_s * (double)(*dense - 1);
    if (covered >= need)
        return;
    double step = s->refresh_s > SESSION_TAIL_STEP_S ? s->refresh_s : SESSION_TAIL_STEP_S;
    *tail = (size_t)ceil((need - covered) / step - 1e-9) + 1;
    *step_ns = (int64_t)(step * 1e9);
}

static int apply_history(struct session *s)
{
    size_t dense, tail;
    int64_t step_ns;
    plan_history(s, &dense, &tail, &step_ns);
    if (s->history && (history_resize(s->history, dense) != 0 ||
                       history_set_tail(s->history, tail, step_ns) != 0))
        return -ENOMEM;
    s->history_cap = dense;
    s->history_tail = tail;
    s->history_step_ns = step_ns;
    return 0;
}

int session_set_history(struct session *s, size_t n, double refresh_s)
{
    s->history_fixed = n > 0;
    s->refresh_s = refresh_s;
    if (n > 0)
        s->history_cap = n;
    return apply_history(s);
}

void session_thresholds_changed(struct session *s)
{
    if (!s->history_fixed)
        (void)apply_history(s);
}

int session_set_rewind(struct session *s, size_t n)
{
    if (n == 0) {
        archive_free(s->archive);
        s->archive = NULL;
        return 0;
    }
    if (s->archive)
        return archive_resize(s->archive, n);
    s->archive = archive_new(n);
    return s->archive ? 0 : -ENOMEM;
}

int session_set_rewind_dir(struct session *s, const char *dir, char *why, size_t len)
{
    if (!s->archive) {
        snprintf(why, len, "no rewind history");
        return -1;
    }
    if (dir && strcmp(dir, "memory") == 0) {
        archive_spill_into(s->archive, NULL);
        return 0;
    }
    struct archive_spill *sp = dir ? archive_spill_open(dir, why, len)
                                   : archive_spill_open_default(why, len);
    if (!sp)
        return -1;
    archive_spill_into(s->archive, sp);
    return 0;
}

enum target_error session_attach(struct session *s, pid_t pid, char *msg, size_t msglen)
{
    session_detach(s);
    enum target_error e = target_open(pid, &s->target, msg, msglen);
    if (e != TARGET_OK)
        return e;
    s->collectors = collector_set_open(s->collector_names, &s->target, &s->cfg, msg,
                                       msglen);
    if (!s->collectors) {
        target_close(&s->target);
        return TARGET_BAD_BINARY;
    }
    if (!s->history)
        s->history = new_history(s);
    else
        history_clear(s->history);
    /* Live, only the newest two are read whole (a rewind decodes older ones from the
     * archive, profiles and all). */
    if (s->history)
        history_set_detail_ages(s->history, SESSION_DETAIL_AGES);
    archive_clear(s->archive);      /* rewinding is through this target's past */
    s->attached = true;
    s->target_gone = false;
    s->gone_exec[0] = '\0';
    if (s->diag)
        diag_engine_reset(s->diag);
    return TARGET_OK;
}

int session_attach_source(struct session *s, struct snapshot_source src, pid_t pid,
                          const char *comm, char *msg, size_t msglen)
{
    session_detach(s);
    if (!s->history)
        s->history = new_history(s);
    if (!s->history) {
        snprintf(msg, msglen, "out of memory");
        return -ENOMEM;
    }
    history_clear(s->history);
    history_set_detail_ages(s->history, 0);    /* a replay shows any age */
    s->target.pid = pid;
    util_strlcpy(s->target.comm, comm, sizeof(s->target.comm));
    s->source = src;
    s->attached = true;
    s->target_gone = false;
    s->gone_exec[0] = '\0';
    if (s->diag)
        diag_engine_reset(s->diag);
    return 0;
}

static void fill_meta(struct session *s, struct snapshot *snap)
{
    struct snapshot_meta *m = &snap->meta;
    m->time_ns = util_real_ns();
    m->mono_ns = util_mono_ns();
    m->pid = s->target.pid;
    util_strlcpy(m->comm, s->target.comm, sizeof(m->comm));
    util_strlcpy(m->go_version, s->target.bin ? go_binary_version(s->target.bin) : "",
                 sizeof(m->go_version));
    m->uptime_s = target_uptime_s(&s->target);
}

int session_tick(struct session *s)
{
    if (!s->attached || !s->history)
        return -EINVAL;
    if (s->source.tick)
        return s->source.tick(s->source.ctx, s->history);
    if (s->target_gone)
        return -ESRCH;
    struct snapshot *snap = snapshot_new();
    if (!snap)
        return -ENOMEM;
    fill_meta(s, snap);
    int rc = collector_set_sample(s->collectors, snap);
    /* The target's state decides, not a collector: one can miss the exit (it read a
     * zombie's leftovers), and one can see the process "gone" inside an exec (its other
     * threads killed, its memory switched). The pid and start time keep a recycled pid
     * from being taken for the target. */
    enum target_state state = target_settle_state(&s->target, rc == -ESRCH, s->gone_exec,
                                                  sizeof(s->gone_exec));
    if (state == TARGET_RUNNING && rc == -ESRCH)
        rc = 0;                   /* a read lost in passing: the collector's status says */
    if (state != TARGET_RUNNING) {
        /* An exec is the end of the program gmptop attached to: what it read of its
         * binary (layouts, symbols, the probe's file) belongs to the old image. */
        snap->meta.target_gone = true;
        s->target_gone = true;
        rc = -ESRCH;
    }
    snapshot_sort_threads(snap);
    history_push(s->history, snap);
    if (s->diag)
        diag_engine_run(s->diag, s->history);
    /* After the rules: a recording carries the findings. A fresh history starts a run. */
    if (s->recorder)
        recorder_write(s->recorder, history_newest(s->history), history_len(s->history) == 1);
    /* Rewinding is for the screen: a frame that cannot be kept leaves a gap there, and
     * the live view and every output go on as they were. */
    if (s->archive)
        (void)archive_push(s->archive, history_newest(s->history),
                           history_len(s->history) == 1);
    /* The binary's symbol index serves attach and collectors opened later: idle, it
     * is given back and rebuilt by the next lookup. */
    int64_t now = util_mono_ns();
    go_binary_trim_symbols(s->target.bin, now);
#ifdef __GLIBC__
    /* Snapshots of every size come and go (decoded, trimmed, dropped from the history's
     * tail): the holes they leave in the heap stay resident until malloc is asked to
     * give them back (~0.4 MB free inside it on the loaded server). Once a minute: the
     * pages are faulted in again only where they are used again. */
    if (now - s->heap_trimmed_ns >= SESSION_HEAP_TRIM_NS) {
        malloc_trim(0);
        s->heap_trimmed_ns = now;
    }
#endif
    return rc;
}

void session_set_per_thread_counters(struct session *s, bool on)
{
    s->cfg.cores_per_thread = on;
}

void session_request_profile(struct session *s, const char *pprof, const char *folded,
                             double seconds)
{
    util_strlcpy(s->cfg.profile_req_pprof, pprof ? pprof : "", sizeof(s->cfg.profile_req_pprof));
    util_strlcpy(s->cfg.profile_req_folded, folded ? folded : "",
                 sizeof(s->cfg.profile_req_folded));
    s->cfg.profile_req_seconds = seconds;
    s->cfg.profile_req_seq++;
}

void session_profile_shown(struct session *s)
{
    s->cfg.profile_shown_ns = util_mono_ns();
}

bool session_per_thread_counters(const struct session *s)
{
    return s->cfg.cores_per_thread;
}

void session_detach(struct session *s)
{
    if (!s->attached)
        return;
    if (s->source.tick) {
        /* The source is its owner's to close; the target was only named. */
        s->source = (struct snapshot_source){ 0 };
        s->attached = false;
        return;
    }
    collector_set_close(s->collectors);
    s->collectors = NULL;
    target_close(&s->target);
    s->attached = false;
}

void session_destroy(struct session *s)
{
    session_detach(s);
    history_free(s->history);
    s->history = NULL;
    archive_free(s->archive);
    s->archive = NULL;
    diag_engine_free(s->diag);
    s->diag = NULL;
}
