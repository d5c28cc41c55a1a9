/* archive: the long history of a live session, for rewinding while it keeps watching.
 * Each snapshot is kept as the recording codec's bytes deflated against the snapshot
 * before it (1-2 KB instead of the ~17 KB a decoded one holds), in a ring of a set
 * length; a run of them (a chain) is packed once complete (deflated as one stream,
 * section by section: a quarter fewer bytes), and given a spill file, written there and
 * unmapped. One is decoded only when the screen steps back to it. */
#ifndef GMPTOP_ARCHIVE_H
#define GMPTOP_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "model/history.h"
#include "model/snapshot.h"

struct archive;
struct archive_spill;

/* A ring of at most capacity snapshots (>= 1). NULL on ENOMEM. */
struct archive *archive_new(size_t capacity);
void archive_free(struct archive *a);
/* Encode and keep s (a copy: s stays the caller's); new_run: the first snapshot of an
 * attach, which a rewind window never reaches back across. When full, the oldest goes.
 * 0, or -ENOMEM with the archive as it was. */
int archive_push(struct archive *a, const struct snapshot *s, int new_run);
size_t archive_len(const struct archive *a);
size_t archive_capacity(const struct archive *a);
/* Hold at most capacity snapshots from now on (the newest stay). 0 or -EINVAL/-ENOMEM
 * with nothing changed. */
int archive_resize(struct archive *a, size_t capacity);
void archive_clear(struct archive *a);
/* From now on keep each packed chain in sp (archive_spill.h; the archive owns it and
 * closes it) instead of memory; NULL keeps them in memory. Switching from one file to
 * another empties the archive (what it held is only readable through the old one). */
void archive_spill_into(struct archive *a, struct archive_spill *sp);
/* Bytes kept in the spill file (not in archive_bytes). */
size_t archive_spilled_bytes(const struct archive *a);
/* Bytes held in memory: the compressed frames' mappings (whole pages, as RSS counts them; with
 * the frames of the oldest chain that left the ring before its last one), and the
 * buffers kept to compress the next frame and to decode a walk (besides, the ring
 * holds a 40-byte slot per snapshot of its capacity, and each chain of up to 64
 * frames ~800 bytes of index). */
size_t archive_bytes(const struct archive *a);
/* The walk through the ring is over (back to live): the bytes kept to step on from the
 * frame loaded last (a packed chain's, ~0.5 MB at 1 s) are freed. Loading again works
 * as before, from the chain's start. */
void archive_end_walk(const struct archive *a);
/* The snapshot at age (0 newest): its CLOCK_MONOTONIC and CLOCK_REALTIME times; -1
 * when out of range. */
int64_t archive_mono_ns(const struct archive *a, size_t age);
int64_t archive_time_ns(const struct archive *a, size_t age);
/* The age of the oldest snapshot taken at or after time_ns (CLOCK_REALTIME): where a
 * finding that fired then is to be seen. SIZE_MAX when every one kept is older; the
 * oldest's age when time_ns is before them all. */
size_t archive_find_time(const struct archive *a, int64_t time_ns);
/* Decode the snapshot at age; NULL with why (out of range, a frame that does not
 * inflate or decode, out of memory). */
struct snapshot *archive_load(const struct archive *a, size_t age, char *why, size_t len);
/* Refill h so that the snapshot at age is its newest, with up to window - 1 older ones
 * of the same run before it (what sparklines, rates and rules look back on). 0, or
 * -ERANGE / -EBADMSG / -ENOMEM with why; h is left empty on failure. */
int archive_fill(const struct archive *a, size_t age, size_t window, struct history *h,
                 char *why, size_t len);

#endif
