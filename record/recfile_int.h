/* recfile_int: what the recording reader (recfile.c) and writer (recfile_write.c) share:
 * magic numbers, little-endian helpers, checksums and zlib with a preset dictionary. */
#ifndef GMPTOP_RECFILE_INT_H
#define GMPTOP_RECFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record/recfile.h"

/* PNG-style: a high-bit byte catches 7-bit transfers, the newline catches CRLF
 * conversion. */
extern const uint8_t recfile_magic[8];
extern const uint8_t recfile_frame_magic[4];

#define RECFILE_COMP_ZLIB 1
#define RECFILE_ZLEVEL 3
#define RECFILE_MAX_HEADER_LEN 65536

static inline void rf_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static inline void rf_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void rf_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t rf_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t rf_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rf_get64(const uint8_t *p)
{
    return (uint64_t)rf_get32(p) | (uint64_t)rf_get32(p + 4) << 32;
}

uint32_t recfile_crc(const void *a, size_t alen, const void *b, size_t blen);
/* Grow *buf to at least need bytes. 0 or -ENOMEM. */
int recfile_grow(uint8_t **buf, size_t *cap, size_t need);
/* pread until n bytes or end of file; the bytes read or -errno. */
ssize_t recfile_read_full(int fd, void *buf, size_t n, uint64_t off);

/* The writer's view of an existing file: a reader over fd (owned by it on success), where
 * the next frame would start, and whether the last damage was the file ending early. */
int recfile_reader_from_fd(int fd, struct recfile_reader **out, char *msg, size_t len);
uint64_t recfile_reader_pos(const struct recfile_reader *r);
bool recfile_reader_truncated(const struct recfile_reader *r);

#endif
