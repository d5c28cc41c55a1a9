/* run_profile: --profile FILE / --profile-folded FILE. */
#include "src/run_profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "model/history.h"
#include "session/session.h"

/* The profiler's word on itself in the newest snapshot: why it is off, or NULL. */
static const char *profiler_off(const struct snapshot *snap)
{
    const struct collector_status *st = snap ? snapshot_status(snap, "cpuprof") : NULL;
    if (!st)
        return "the cpuprof collector is not running (see --collectors)";
    return st->available ? NULL : st->reason;
}

int run_profile(const struct options *o, struct session *s)
{
    /* One tick at once: a profiler that cannot run says so now, not after the wait. */
    int rc = session_tick(s);
    const struct snapshot *snap = history_newest(s->history);
    const char *off = profiler_off(snap);
    if (off) {
        fprintf(stderr, "gmptop: on-CPU profile n/a: %s\n", off);
        return 1;
    }
    int64_t end = util_mono_ns() + (int64_t)(o->profile_seconds * 1e9);
    /* Ticks at the refresh interval keep the other collectors' state as the TUI would
     * (and --record writes them); the samples themselves are drained by the profiler. */
    while (rc != -ESRCH) {
        int64_t left = end - util_mono_ns();
        if (left <= 0)
            break;
        int64_t step = (int64_t)(o->delay_s * 1e9);
        if (step > left)
            step = left;
        struct timespec ts = { step / 1000000000LL, step % 1000000000LL };
        nanosleep(&ts, NULL);
        if (util_mono_ns() < end)
            rc = session_tick(s);
    }
    session_request_profile(s, o->profile, o->profile_folded, o->profile_seconds);
    session_tick(s);
    snap = history_newest(s->history);
    const char *msg = snap && snap->cpuprof ? snap->cpuprof->export_msg : "";
    bool wrote = strncmp(msg, "wrote ", 6) == 0;
    fprintf(stderr, "gmptop: %s\n", msg[0] ? msg : "profile not written: the profiler stopped");
    if (!wrote)
        return 1;
    return rc == -ESRCH ? 3 : 0;
}
