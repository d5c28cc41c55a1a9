/* archive_spill: where the rewind archive keeps its sealed chains (an hour of compressed
 * snapshots, ~3 MB at 1 s) outside its own memory: an unlinked temporary file on a
 * disk-backed file system, written once a chain is packed and read back only when the
 * screen steps into that chain.
 *
 * The bytes then sit in the page cache, which the kernel writes out and drops when
 * memory is short, instead of anonymous memory, which (with no swap, as on most
 * servers) it can never reclaim; atop and sar keep their histories on disk for the same
 * reason. A tmpfs or ramfs directory would only move the bytes to memory that is not
 * reclaimable either, so those are passed over. Nothing is left behind: the file has no
 * name (O_TMPFILE, or unlinked at once where that is not supported). */
#ifndef GMPTOP_ARCHIVE_SPILL_H
#define GMPTOP_ARCHIVE_SPILL_H

#include <stddef.h>
#include <stdint.h>

struct archive_spill;

/* A spill file in dir; NULL with why (no such directory, read-only, tmpfs, ...). */
struct archive_spill *archive_spill_open(const char *dir, char *why, size_t len);
/* The first of $TMPDIR, /var/tmp and /tmp that takes a file and is not memory-backed;
 * NULL with why (the reason of the last one tried) when none does. */
struct archive_spill *archive_spill_open_default(char *why, size_t len);
void archive_spill_close(struct archive_spill *sp);

/* Write n bytes; *off says where to find them. 0, or -errno (ENOSPC, EIO, ...): the
 * caller keeps them in memory then. */
int archive_spill_put(struct archive_spill *sp, const void *p, size_t n, uint64_t *off);
/* Read back n bytes put at off. 0, or -errno (-EIO for a short read). */
int archive_spill_get(const struct archive_spill *sp, uint64_t off, void *p, size_t n);
/* The n bytes put at off are no longer needed: their blocks are given back (a hole
 * punched), and once nothing is held the file starts again from offset 0. */
void archive_spill_drop(struct archive_spill *sp, uint64_t off, size_t n);

/* Bytes held in the file (as put, before rounding to blocks); the blocks the file takes
 * on its file system (what is in the page cache or on disk); its directory. */
uint64_t archive_spill_bytes(const struct archive_spill *sp);
uint64_t archive_spill_disk_bytes(const struct archive_spill *sp);
const char *archive_spill_dir(const struct archive_spill *sp);

#endif
