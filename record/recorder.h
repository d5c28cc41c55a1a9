/* recorder: the session's sink that appends every snapshot to a recording file. */
#ifndef GMPTOP_RECORDER_H
#define GMPTOP_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"

struct recorder;

struct recorder_stats {
    uint64_t frames;         /* snapshots written */
    uint64_t raw_bytes;      /* encoded, before compression */
    uint64_t file_bytes;     /* frames as written (header and compressed payload) */
    int64_t cpu_ns;          /* thread CPU time spent encoding, compressing and writing */
};

/* Open path for recording (see recfile_writer_open for what is created, appended to or
 * refused). note may say "appending to ...". Returns 0 or a negative error with msg. */
int recorder_open(const char *path, struct recorder **out, char *note, size_t notelen,
                  char *msg, size_t msglen);
/* Append one snapshot; start marks the first of a run (a new target or gmptop start).
 * After a failure the recorder stops (later calls do nothing) and keeps the reason.
 * Returns 0 or -errno. */
int recorder_write(struct recorder *r, const struct snapshot *s, bool start);
/* "" while recording works, else why it stopped. */
const char *recorder_error(const struct recorder *r);
/* The reason once, when it is new (for a status line); NULL otherwise. */
const char *recorder_take_error(struct recorder *r);
void recorder_stats(const struct recorder *r, struct recorder_stats *st);
void recorder_close(struct recorder *r);

#endif
