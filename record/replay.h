/* replay: a source that yields the snapshots of a recording into a session's history,
 * so every pane, batch output and export works the same live and replayed. */
#ifndef GMPTOP_REPLAY_H
#define GMPTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/history.h"
#include "model/source.h"
#include "record/recfile.h"

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

/* Check that snapshot 0 decodes, copy its meta (the target as the recording names it)
 * and go back to before it. 0, -ENODATA (nothing complete) or -EBADMSG, with msg. */
int replay_rewind(struct replay *rp, struct snapshot_meta *first_meta, char *msg,
                  size_t len);
/* The recording as a session's source: each tick pushes the next snapshot. */
struct snapshot_source replay_source(struct replay *rp);
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

#endif
