/* replay: a source that yields the snapshots of a recording into a session's history,
 * so every pane, batch output and export works the same live and replayed. */
#ifndef GMPTOP_REPLAY_H
#define GMPTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "session/options.h"
#include "record/recfile.h"
#include "session/session.h"

/* Exit status for a recording that is damaged, not a recording, or too new. */
#define REPLAY_EXIT_DAMAGED 5
/* Snapshots pushed into the history on a seek (enough for sparklines and rates). */
#define REPLAY_SEEK_WINDOW 120

struct replay;

/* Open and index a recording (frame headers and checksums; nothing decoded yet). A
 * damaged tail is not an error: the complete prefix replays and replay_damage() says
 * where it ends. Returns 0 or a negative error (recfile.h) with msg. */
int replay_open(const char *path, struct replay **out, char *msg, size_t len);
void replay_close(struct replay *rp);
size_t replay_count(const struct replay *rp);
const struct recfile_frame *replay_frame(const struct replay *rp, size_t i);
/* "" when the file is intact, else "recording damaged at byte N (frame K): why". */
const char *replay_damage(const struct replay *rp);
/* Index of the snapshot newest in the history; SIZE_MAX before the first. */
size_t replay_pos(const struct replay *rp);

/* Make s a replay session: attached, with the target named as the recording names it.
 * session_tick then pushes the next recorded snapshot instead of sampling. */
int replay_attach(struct replay *rp, struct session *s, char *msg, size_t len);
/* Push the next snapshot into h (a run's first frame starts a fresh history). 0,
 * -ENODATA at the end, -EBADMSG when a frame does not decode (replay_damage says why;
 * the recording then ends before it). */
int replay_tick(struct replay *rp, struct history *h);
/* Rebuild h so that snapshot k is the newest, with up to REPLAY_SEEK_WINDOW before it
 * from the same run. 0 or -EBADMSG/-ENODATA. */
int replay_seek(struct replay *rp, struct history *h, size_t k);
/* Milliseconds between snapshot k and the next one as recorded (monotonic clock), for
 * pacing; 1000 where that is unknown (run boundaries, clock steps). */
double replay_gap_ms(const struct replay *rp, size_t k);

/* gmptop --replay FILE -b: print the recording as gmptop -b printed it live (the same
 * prev/cur pairs, so JSON is byte-identical). Returns 0, 4 (--fail-on), 1 when the file
 * cannot be opened, or REPLAY_EXIT_DAMAGED after printing the complete prefix. */
int replay_batch_run(const struct options *o, FILE *out);
/* gmptop --replay FILE: run the TUI (app_run, passed in to keep src/ free of tui/). */
int replay_tui_run(const struct options *o, struct settings *settings,
                   int (*tui)(const struct options *, struct session *, struct settings *));

#endif
