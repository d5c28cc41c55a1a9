/* session: one attached target, its collectors and its history; shared by TUI and batch. */
#ifndef GMPTOP_SESSION_H
#define GMPTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include "target/target.h"
#include "model/history.h"
#include "model/source.h"

#include "collectors/collector.h"

/* Ticks kept unless set: in a row over the rules' short holds (SESSION_DENSE_S; between
 * SESSION_DENSE_MIN and SESSION_HISTORY_MIN of them), then one every SESSION_TAIL_STEP_S as
 * far back as the longest diagnosis window reaches; SESSION_HISTORY in a row when the
 * refresh is unknown (a replay). A decoded snapshot is ~13 KB once its details are shed:
 * 51 at the default 1 s (166 when the charts drew from them, 600 before that). */
#define SESSION_HISTORY 600
#define SESSION_HISTORY_MIN 130
#define SESSION_DENSE_MIN 8
#define SESSION_DENSE_S 10.0
/* Live, a snapshot's details (snapshot_shed_detail) are freed at this age: the panes,
 * the JSON and /metrics read the newest, intervals and the JSON's pair the one before. */
#define SESSION_DETAIL_AGES 2
#define SESSION_TAIL_STEP_S 5.0

struct session {
    struct target target;
    bool attached;
    bool target_gone;            /* set by session_tick when the target exited */
    char gone_exec[256];         /* ...or exec'd this program instead ("" when it exited) */
    struct collector_set *collectors;
    struct history *history;
    const char *collector_names; /* --collectors, NULL = all */
    struct collector_config cfg;
    struct diag_engine *diag;    /* owned: the rules run after every tick */
    struct recorder *recorder;   /* not owned: --record, gets every snapshot; or NULL */
    struct snapshot_source source; /* a recording instead of collectors; .tick NULL = live */
    size_t history_cap;          /* snapshots kept in a row (session_set_history) */
    size_t history_tail;         /* ...and older ones, one per history_step_ns */
    int64_t history_step_ns;
    bool history_fixed;          /* set by --history / gmptoprc: thresholds leave it be */
    double refresh_s;            /* the refresh interval it was sized for; 0 unknown */
    struct archive *archive;     /* owned: compressed snapshots to rewind through; or NULL */
    int64_t heap_trimmed_ns;     /* when malloc last gave free heap pages back */
};

struct settings;

/* settings (may be NULL) give the diagnosis thresholds; not kept. */
void session_init(struct session *s, const char *collector_names,
                  const struct collector_config *cfg, const struct settings *settings);
/* Keep n snapshots from now on; 0: enough in a row for the rules' short holds and a
 * sparser tail as far back as the rules' longest window (a threshold in seconds) needs
 * at refresh_s (0: unknown, SESSION_HISTORY), planned again when a threshold changes. The history is resized in
 * place if there is one. 0, or -ENOMEM. */
int session_set_history(struct session *s, size_t n, double refresh_s);
/* A diagnosis threshold changed (the setup screen): a history sized by the rules follows
 * their longest window. */
void session_thresholds_changed(struct session *s);
/* Keep the last n snapshots compressed for rewinding a live session (0: none, and the
 * archive goes). 0, or -ENOMEM with the archive unchanged. */
int session_set_rewind(struct session *s, size_t n);
/* Where the rewind archive keeps its packed chains: a spill file in dir (NULL: the
 * first of $TMPDIR, /var/tmp, /tmp on a disk-backed file system; see archive_spill.h),
 * or memory (dir "memory"). 0 when done as asked; -1 with why when the chains stay in
 * memory against it (no archive, or no directory takes the file). */
int session_set_rewind_dir(struct session *s, const char *dir, char *why, size_t len);
/* Attach to pid: returns TARGET_OK or an enum target_error with a one-line msg. */
enum target_error session_attach(struct session *s, pid_t pid, char *msg, size_t msglen);
/* Attach to a source instead of a live process (a recording): the target is named as
 * the source names it; session_tick then ticks the source. 0 or -ENOMEM with msg. */
int session_attach_source(struct session *s, struct snapshot_source src, pid_t pid,
                          const char *comm, char *msg, size_t msglen);
/* Take one snapshot into the history. Returns 0, -ESRCH when the target is gone (the
 * last snapshot then has meta.target_gone set), or -errno. */
int session_tick(struct session *s);
/* Ask the collectors to count hardware events per target thread too (the cores pane's t
 * key); takes effect at the next tick. */
void session_set_per_thread_counters(struct session *s, bool on);
/* Ask the on-CPU profiler to write its last seconds of samples at the next tick: a
 * gzipped pprof profile to pprof and/or folded stacks to folded (NULL skips one). The
 * answer is the next snapshot's cpuprof->export_msg. */
void session_request_profile(struct session *s, const char *pprof, const char *folded,
                             double seconds);
/* A pane that shows the on-CPU profile is on screen now: with on-demand profiling
 * (collector_config.profile_linger_s) the profiler samples from the next tick on, and
 * until linger seconds after the last call. */
void session_profile_shown(struct session *s);
bool session_per_thread_counters(const struct session *s);
void session_detach(struct session *s);
void session_destroy(struct session *s);

#endif
