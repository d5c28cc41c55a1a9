/* run_replay: gmptop --replay FILE, in batch mode (the recording printed as gmptop -b
 * printed it live) or in the TUI (the recording as the session's source, with the replay
 * controls). The entry wires record/, session/, export/ and tui/ together here, so none
 * of them needs to know the others. */
#include "src/run_replay.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "diagnoses/diag.h"
#include "export/batch.h"
#include "record/record_codec.h"
#include "record/replay.h"
#include "session/session.h"
#include "tui/app.h"

/* A recording that could not be opened: rc > -1000 is an errno (the message names the
 * file), below that recfile.h's format errors (the message does not). */
static int open_failed(const struct options *o, int rc, const char *msg)
{
    bool io = rc > -1000;
    fprintf(stderr, "gmptop: %s%s%s\n", io ? "" : o->replay, io ? "" : ": ", msg);
    return io ? 1 : RUN_REPLAY_EXIT_DAMAGED;
}

int run_replay_batch(const struct options *o, FILE *out)
{
    struct recfile_reader *rd;
    char msg[512];
    int rc = recfile_reader_open(o->replay, &rd, msg, sizeof(msg));
    if (rc < 0)
        return open_failed(o, rc, msg);
    struct snapshot *prev = NULL;
    struct recfile_frame f;
    const uint8_t *raw;
    long printed = 0;
    int worst = DIAG_NONE, status = 0;
    bool first = true;
    while (o->count == 0 || printed < o->count) {
        rc = recfile_reader_next(rd, &f, &raw, msg, sizeof(msg));
        if (rc == 0)
            break;
        struct snapshot *cur = NULL;
        if (rc == 1) {
            char why[300], inner[340];
            cur = record_decode(raw, f.rlen, why, sizeof(why));
            if (!cur) {
                snprintf(inner, sizeof(inner), "bad snapshot encoding (%s)", why);
                recfile_damage_msg(msg, sizeof(msg), f.offset, f.index, inner);
            }
        }
        if (!cur) {
            fflush(out);
            fprintf(stderr, "gmptop: %s: %s\n", o->replay, msg);
            status = RUN_REPLAY_EXIT_DAMAGED;
            break;
        }
        /* A run's first snapshot is gmptop -b's unprinted priming sample; a target's
         * last one, taken as it exited, was never printed either. */
        if ((f.flags & RECFILE_FRAME_START) || !prev) {
            first = true;
        } else if (cur->meta.target_gone) {
            fprintf(stderr, "gmptop: process %d (%s) exited\n", (int)cur->meta.pid,
                    cur->meta.comm);
        } else {
            batch_print(o, out, prev, cur, first);
            first = false;
            printed++;
            int w = batch_worst_active(cur);
            worst = w > worst ? w : worst;
        }
        snapshot_free(prev);
        prev = cur;
    }
    fflush(out);
    snapshot_free(prev);
    recfile_reader_close(rd);
    if (status == 0 && o->fail_on != DIAG_NONE && worst >= o->fail_on) {
        fprintf(stderr, "gmptop: a %s finding occurred (--fail-on %s)\n",
                diag_severity_name(worst), diag_severity_name(o->fail_on));
        return 4;
    }
    return status;
}

int run_replay_tui(const struct options *o, struct settings *settings)
{
    struct replay *rp;
    char msg[512];
    int rc = replay_open(o->replay, &rp, msg, sizeof(msg));
    if (rc < 0)
        return open_failed(o, rc, msg);
    struct session s;
    struct collector_config cfg = COLLECTOR_CONFIG_DEFAULT;
    session_init(&s, NULL, &cfg, settings);
    /* The recording's interval is not known yet: the longest default. */
    session_set_history(&s, options_history(o, settings, stderr), 0);
    struct snapshot_meta first;
    int status;
    if (replay_rewind(rp, &first, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        status = RUN_REPLAY_EXIT_DAMAGED;
    } else if (session_attach_source(&s, replay_source(rp), first.pid,
                                     first.comm, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        status = 1;
    } else {
        status = app_run(o, &s, settings, rp);
    }
    session_destroy(&s);
    replay_close(rp);
    return status;
}
