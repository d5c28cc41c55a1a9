/* main: parse the command line, resolve the target, run the TUI or batch mode. */
#include "config.h"

#include <math.h>
#include <signal.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "tui/app.h"
#include "export/batch.h"
#include "src/demo.h"
#include "export/listen.h"
#include "session/options.h"
#include "record/recorder.h"
#include "src/run_replay.h"
#include "src/run_profile.h"
#include "session/session.h"
#include "base/settings.h"

static int exit_status_for(enum target_error e)
{
    switch (e) {
    case TARGET_OK: return 0;
    case TARGET_NOT_GO: return 2;
    case TARGET_NO_SUCH_PID:
    case TARGET_NO_PERMISSION:
    case TARGET_BAD_BINARY:
    default: return 1;
    }
}

/* The demo's runtime needs a moment before /proc/PID/exe and its threads settle. */
static void wait_demo_ready(void)
{
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

/* Settings problems are reported, never fatal: gmptop runs on defaults. */
static void warn_settings(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "gmptop: %s (ignored)\n", msg);
}

/* --record: refused or failed before sampling starts (exit 1); a note when appending. */
static int open_recorder(const struct options *o, struct session *s)
{
    char note[400] = "", msg[600];
    if (recorder_open(o->record, &s->recorder, note, sizeof(note), msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: --record: %s\n", msg);
        return 1;
    }
    if (note[0])
        fprintf(stderr, "gmptop: %s\n", note);
    return 0;
}

static void close_recorder(struct recorder *r)
{
    if (r && recorder_error(r)[0])
        fprintf(stderr, "gmptop: %s\n", recorder_error(r));
    recorder_close(r);
}

static int run(const struct options *o, struct settings *settings)
{
    pid_t demo_pid = 0;
    pid_t pid = o->pid;
    char msg[1024];

    if (o->replay)
        return o->batch ? run_replay_batch(o, stdout) : run_replay_tui(o, settings);

    bool profile = o->profile || o->profile_folded;
    if ((o->batch || o->listen || profile) && !o->pid && !o->demo) {
        fprintf(stderr, "gmptop: %s needs -p PID or --demo NAME\n",
                o->listen ? "--listen" : profile ? "--profile" : "batch mode");
        fputs("Try 'gmptop --help' for more information.\n", stderr);
        return 2;
    }
    if (!o->batch && !o->listen && !profile && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "gmptop: not a terminal; use -b for batch output\n");
        return 2;
    }
    int status = 0;
    /* Bound before the demo starts and the target is attached: a port already taken is
     * refused at once, not after an attach (probes loaded, binary read) made for nothing. */
    struct listener *listener = NULL;
    if (o->listen && !(listener = listen_open(o->listen, &status)))
        return status;
    if (o->demo) {
        demo_pid = demo_start(o->demo, msg, sizeof(msg));
        if (demo_pid < 0) {
            fprintf(stderr, "gmptop: %s\n", msg);
            listen_close(listener);
            return 2;
        }
        wait_demo_ready();
        pid = demo_pid;
    }

    struct session s;
    struct collector_config cfg = COLLECTOR_CONFIG_DEFAULT;
    cfg.sched_hz = o->sched_hz;
    cfg.bpf_budget_pct = o->bpf_budget_pct;
    cfg.groups_budget_ns = (int64_t)(o->stacks_budget_ms * 1e6);
    cfg.profile_hz = o->profile_hz;
    if (o->profile || o->profile_folded)
        cfg.profile_keep_s = o->profile_seconds;
    /* A demo gmptop started is its own workload, there to be shown: its ping-pong parks
     * some 300-700k times a second, which at 2% of a core would leave the latency pane
     * sampling a sliver or off. A real target keeps the default. */
    if (o->demo && !o->bpf_budget_given) {
        cfg.bpf_budget_pct = DEMO_BPF_BUDGET_PCT;
        cfg.bpf_budget_note = "raised for gmptop's demo";
    }
    /* Only a screen shows the profile in panes that may be closed: there it samples on
     * demand (gmptoprc's profile_linger = 0 keeps it on). A recording, like batch,
     * listen and profile runs, keeps it all. */
    bool screen = !listener && !o->batch && !o->profile && !o->profile_folded;
    if (screen && !o->record)
        cfg.profile_linger_s = (double)options_profile_linger(settings, stderr);
    session_init(&s, o->collectors, &cfg, settings);
    session_set_history(&s, options_history(o, settings, stderr), o->delay_s);
    /* Only a screen steps back; batch, listen and profile runs keep no archive. */
    if (screen && session_set_rewind(&s, options_rewind(o, settings, stderr)) != 0)
        fprintf(stderr, "gmptop: no memory for the rewind history (rewinding is off)\n");
    /* Its packed hour goes to a file the kernel can write out and drop (see
     * record/archive_spill.h); where none will do, it stays in memory, as it did. */
    const char *rewind_dir = settings ? settings_get(settings, "rewind_dir") : NULL;
    if (s.archive && session_set_rewind_dir(&s, rewind_dir, msg, sizeof(msg)) != 0 &&
        rewind_dir)
        fprintf(stderr, "gmptop: rewind_dir: %s (the rewind history stays in memory)\n", msg);
    if (pid != 0) {
        enum target_error e = session_attach(&s, pid, msg, sizeof(msg));
        if (e != TARGET_OK) {
            fprintf(stderr, "gmptop: %s\n", msg);
            status = exit_status_for(e);
            goto out;
        }
    }
    if (o->record && (status = open_recorder(o, &s)) != 0)
        goto out;
    if (listener) {
        status = listen_run(listener, o, &s);
        listener = NULL;
    } else {
        status = o->profile || o->profile_folded ? run_profile(o, &s)
                 : o->batch ? batch_run(o, &s, stdout) : app_run(o, &s, settings, NULL);
    }
out:
    listen_close(listener);
    session_destroy(&s);
    close_recorder(s.recorder);
    if (demo_pid > 0)
        demo_stop(demo_pid);
    return status;
}

int main(int argc, char **argv)
{
    /* glibc raises its mmap threshold to the size of each large block freed, up to 32
     * MB: after attach frees the target's decompressed DWARF (~3 MB), every later large
     * block (the goroutine reader's buffers, the pcln lookup caches) came from the heap
     * instead, where calloc writes its zeros (so all of it is resident from the start)
     * and where freeing returns nothing. A fixed threshold keeps them mapped on their
     * own: resident only as they are used, and given back when freed. */
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
#endif
    struct options o;
    int rc = options_parse(argc, argv, &o, stderr);
    if (rc != 0)
        return rc;
    if (o.help) {
        options_usage(stdout);
        return 0;
    }
    if (o.version) {
        printf("gmptop %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (o.list_collectors) {
        collector_list_print(stdout);
        return 0;
    }
    if (o.demo && strcmp(o.demo, "list") == 0) {
        demo_list_print(stdout);
        return 0;
    }
    if (o.demo && !demo_find(o.demo)) {
        fprintf(stderr, "gmptop: unknown demo '%s' (see gmptop --demo list)\n", o.demo);
        return 2;
    }
    char msg[256];
    if (o.collectors && collector_names_check(o.collectors, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        return 2;
    }
    /* A closed pipe ends batch output quietly, like other Unix filters. */
    signal(SIGPIPE, SIG_DFL);
    struct settings *settings = settings_new();
    char path[4096];
    if (settings && settings_default_path(path, sizeof(path)) == 0) {
        int rc2 = settings_load(settings, path, warn_settings, NULL);
        if (rc2 < 0)
            fprintf(stderr, "gmptop: %s: %s (using defaults)\n", path, strerror(-rc2));
    }
    int status = run(&o, settings);
    settings_free(settings);
    return status;
}
