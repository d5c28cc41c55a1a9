/* recfile: the gmptop recording file: a versioned header, then one self-delimiting,
 * checksummed, zlib-compressed frame per snapshot (format: doc/recording.md). This file
 * reads; recfile_write.c writes. */
#include "record/recfile_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "record/rec_zlib.h"

const uint8_t recfile_magic[8] = { 0x89, 'G', 'M', 'P', 'R', 'E', 'C', '\n' };
const uint8_t recfile_frame_magic[4] = { 'G', 'M', 'P', 'F' };

uint32_t recfile_crc(const void *a, size_t alen, const void *b, size_t blen)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, a, (uInt)alen);
    if (blen)
        c = crc32(c, b, (uInt)blen);
    return (uint32_t)c;
}

int recfile_grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 65536;
    while (c < need)
        c *= 2;
    uint8_t *p = realloc(*buf, c);
    if (!p)
        return -ENOMEM;
    *buf = p;
    *cap = c;
    return 0;
}

ssize_t recfile_read_full(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

void recfile_damage_msg(char *msg, size_t len, uint64_t offset, size_t index,
                        const char *why)
{
    snprintf(msg, len, "recording damaged at byte %llu (frame %zu): %s",
             (unsigned long long)offset, index, why);
}

struct recfile_reader {
    int fd;
    uint16_t major, minor;
    uint64_t pos;                /* next frame header */
    size_t index;                /* the next snapshot's number */
    uint64_t seen_dict;          /* last dictionary frame passed while reading in order */
    uint8_t *cbuf, *rbuf, *dict;
    size_t ccap, rcap, dcap, dict_len;
    uint64_t dict_off;           /* which dictionary frame dict holds; 0 none */
    bool truncated;              /* the last damage was the file ending inside a frame */
};

static int check_header(struct recfile_reader *r, char *msg, size_t len)
{
    uint8_t fixed[16];
    ssize_t n = recfile_read_full(r->fd, fixed, sizeof(fixed), 0);
    if (n < 0) {
        snprintf(msg, len, "read: %s", strerror((int)-n));
        return (int)n;
    }
    if (n < 8 || memcmp(fixed, recfile_magic, 8) != 0) {
        snprintf(msg, len, n == 0 ? "not a gmptop recording (empty file)"
                                  : "not a gmptop recording");
        return RECFILE_ERR_NOT_RECORDING;
    }
    uint32_t hlen = n >= 16 ? rf_get32(fixed + 12) : 0;
    if (n < 16 || hlen < RECFILE_HEADER_LEN || hlen > RECFILE_MAX_HEADER_LEN) {
        snprintf(msg, len, "recording damaged at byte 0 (header): %s",
                 n < 16 ? "truncated header" : "implausible header length");
        r->truncated = n < 16;
        return RECFILE_ERR_DAMAGED;
    }
    uint8_t *h = malloc(hlen);
    if (!h) {
        snprintf(msg, len, "out of memory");
        return -ENOMEM;
    }
    n = recfile_read_full(r->fd, h, hlen, 0);
    int rc = 0;
    if (n < (ssize_t)hlen) {
        snprintf(msg, len, "recording damaged at byte 0 (header): truncated header");
        r->truncated = true;
        rc = RECFILE_ERR_DAMAGED;
    } else if (recfile_crc(h, hlen - 4, NULL, 0) != rf_get32(h + hlen - 4)) {
        snprintf(msg, len, "recording damaged at byte 0 (header): checksum mismatch");
        rc = RECFILE_ERR_DAMAGED;
    } else {
        r->major = rf_get16(h + 8);
        r->minor = rf_get16(h + 10);
        r->pos = hlen;
        if (r->major > RECFILE_MAJOR) {
            snprintf(msg, len, "recording format version %u.%u is newer than this gmptop "
                     "reads (%d.x); use a newer gmptop", r->major, r->minor, RECFILE_MAJOR);
            rc = RECFILE_ERR_NEWER;
        } else if (r->major == 0) {
            snprintf(msg, len, "not a gmptop recording (format version 0)");
            rc = RECFILE_ERR_NOT_RECORDING;
        }
    }
    free(h);
    return rc;
}

int recfile_reader_from_fd(int fd, struct recfile_reader **out, char *msg, size_t len)
{
    struct recfile_reader *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(msg, len, "out of memory");
        return -ENOMEM;
    }
    r->fd = fd;
    int rc = check_header(r, msg, len);
    if (rc < 0) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int recfile_reader_open(const char *path, struct recfile_reader **out, char *msg,
                        size_t msglen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(msg, msglen, "open %s: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(msg, msglen, "not a regular file");
        close(fd);
        return RECFILE_ERR_NOT_RECORDING;
    }
    int rc = recfile_reader_from_fd(fd, out, msg, msglen);
    if (rc < 0)
        close(fd);
    return rc;
}

static int damaged(struct recfile_reader *r, const struct recfile_frame *f, char *msg,
                   size_t len, bool truncated, const char *why)
{
    r->truncated = truncated;
    recfile_damage_msg(msg, len, f->offset, f->index, why);
    return RECFILE_ERR_DAMAGED;
}

/* Read and check the physical frame at off (snapshot or dictionary) into cbuf. */
static int read_frame(struct recfile_reader *r, uint64_t off, size_t index,
                      struct recfile_frame *f, char *msg, size_t len)
{
    uint8_t h[RECFILE_FRAME_HDR];
    char why[160];
    memset(f, 0, sizeof(*f));
    f->offset = off;
    f->index = index;
    ssize_t n = recfile_read_full(r->fd, h, sizeof(h), off);
    if (n < 0) {
        snprintf(why, sizeof(why), "read: %s", strerror((int)-n));
        return damaged(r, f, msg, len, false, why);
    }
    if (n == 0)
        return 0;
    if (n < (ssize_t)sizeof(h)) {
        snprintf(why, sizeof(why), "truncated frame header (%zd of %d bytes)", n,
                 RECFILE_FRAME_HDR);
        return damaged(r, f, msg, len, true, why);
    }
    if (memcmp(h, recfile_frame_magic, 4) != 0)
        return damaged(r, f, msg, len, false, "no frame marker where a frame should start");
    f->clen = rf_get32(h + 4);
    f->rlen = rf_get32(h + 8);
    f->flags = rf_get16(h + 12);
    uint16_t comp = rf_get16(h + 14);
    f->time_ns = (int64_t)rf_get64(h + 16);
    f->mono_ns = (int64_t)rf_get64(h + 24);
    if (f->clen == 0 || f->clen > RECFILE_MAX_COMPRESSED || f->rlen > RECFILE_MAX_RAW) {
        snprintf(why, sizeof(why), "implausible frame length (%u compressed, %u raw)",
                 f->clen, f->rlen);
        return damaged(r, f, msg, len, false, why);
    }
    if (recfile_grow(&r->cbuf, &r->ccap, f->clen) < 0)
        return damaged(r, f, msg, len, false, "out of memory");
    n = recfile_read_full(r->fd, r->cbuf, f->clen, off + sizeof(h));
    if (n < 0) {
        snprintf(why, sizeof(why), "read: %s", strerror((int)-n));
        return damaged(r, f, msg, len, false, why);
    }
    if (n < (ssize_t)f->clen) {
        snprintf(why, sizeof(why), "truncated: the frame needs %u bytes, the file ends "
                 "after %zd", RECFILE_FRAME_HDR + f->clen, RECFILE_FRAME_HDR + n);
        return damaged(r, f, msg, len, true, why);
    }
    if (recfile_crc(h, 32, r->cbuf, f->clen) != rf_get32(h + 32))
        return damaged(r, f, msg, len, false, "checksum mismatch");
    if (comp != RECFILE_COMP_ZLIB) {
        snprintf(why, sizeof(why), "unknown compression method %u", comp);
        return damaged(r, f, msg, len, false, why);
    }
    if ((f->flags & RECFILE_FRAME_DICT) && f->rlen > RECFILE_DICT_MAX)
        return damaged(r, f, msg, len, false, "dictionary longer than zlib can use");
    return 1;
}

/* Inflate cbuf (frame f) into out, with the dictionary when the stream asks for one. */
static int inflate_into(struct recfile_reader *r, const struct recfile_frame *f,
                        uint8_t **out, size_t *cap, const uint8_t *dict, size_t dict_len,
                        char *msg, size_t len)
{
    if (recfile_grow(out, cap, f->rlen ? f->rlen : 1) < 0)
        return damaged(r, f, msg, len, false, "out of memory");
    char why[120];
    if (rec_inflate(r->cbuf, f->clen, dict, dict_len, *out, f->rlen, why, sizeof(why)) < 0)
        return damaged(r, f, msg, len, false, why);
    return 1;
}

/* Make the dictionary frame at off the current one (cbuf is clobbered). */
static int load_dict(struct recfile_reader *r, uint64_t off, size_t index, char *msg,
                     size_t len)
{
    if (off == 0 || off == r->dict_off)
        return 1;
    struct recfile_frame d;
    int rc = read_frame(r, off, index, &d, msg, len);
    if (rc == 0)
        return damaged(r, &d, msg, len, true, "the dictionary frame is gone");
    if (rc != 1)
        return rc;
    if (!(d.flags & RECFILE_FRAME_DICT))
        return damaged(r, &d, msg, len, false, "the dictionary frame changed");
    r->dict_off = 0;
    rc = inflate_into(r, &d, &r->dict, &r->dcap, NULL, 0, msg, len);
    if (rc == 1) {
        r->dict_off = off;
        r->dict_len = d.rlen;
    }
    return rc;
}

/* The next snapshot frame from pos, passing (and checking) dictionary frames. With
 * load_dicts, each dictionary is also decompressed as it is passed. */
static int next_snapshot(struct recfile_reader *r, struct recfile_frame *f, bool load_dicts,
                         char *msg, size_t len)
{
    for (;;) {
        int rc = read_frame(r, r->pos, r->index, f, msg, len);
        if (rc != 1)
            return rc;
        if (!(f->flags & RECFILE_FRAME_DICT)) {
            f->dict_offset = r->seen_dict;
            return 1;
        }
        /* The writer puts a dictionary and its snapshot in one write: a dictionary at the
         * end of the file is the torn start of a frame pair. */
        struct recfile_frame next;
        uint64_t dict_at = r->pos;
        r->pos += RECFILE_FRAME_HDR + f->clen;
        if (load_dicts) {
            r->dict_off = 0;
            rc = inflate_into(r, f, &r->dict, &r->dcap, NULL, 0, msg, len);
            if (rc != 1)
                return rc;
            r->dict_off = dict_at;
            r->dict_len = f->rlen;
        }
        uint8_t probe;
        if (recfile_read_full(r->fd, &probe, 1, r->pos) == 0) {
            memset(&next, 0, sizeof(next));
            next.offset = dict_at;
            next.index = r->index;
            return damaged(r, &next, msg, len, true,
                           "truncated: a dictionary frame without its snapshot");
        }
        r->seen_dict = dict_at;
    }
}

int recfile_reader_skip(struct recfile_reader *r, struct recfile_frame *f, char *msg,
                        size_t msglen)
{
    int rc = next_snapshot(r, f, false, msg, msglen);
    if (rc == 1) {
        r->pos += RECFILE_FRAME_HDR + f->clen;
        r->index++;
    }
    return rc;
}

int recfile_reader_next(struct recfile_reader *r, struct recfile_frame *f,
                        const uint8_t **raw, char *msg, size_t msglen)
{
    int rc = next_snapshot(r, f, true, msg, msglen);
    if (rc != 1)
        return rc;
    bool dict = f->dict_offset && f->dict_offset == r->dict_off;
    rc = inflate_into(r, f, &r->rbuf, &r->rcap, dict ? r->dict : NULL,
                      dict ? r->dict_len : 0, msg, msglen);
    if (rc != 1)
        return rc;
    r->pos += RECFILE_FRAME_HDR + f->clen;
    r->index++;
    *raw = r->rbuf;
    return 1;
}

int recfile_reader_load(struct recfile_reader *r, const struct recfile_frame *f,
                        const uint8_t **raw, char *msg, size_t msglen)
{
    int rc = load_dict(r, f->dict_offset, f->index, msg, msglen);
    if (rc != 1)
        return rc;
    struct recfile_frame g;
    rc = read_frame(r, f->offset, f->index, &g, msg, msglen);
    if (rc == 0)
        return damaged(r, f, msg, msglen, true, "the file became shorter");
    if (rc != 1)
        return rc;
    if (g.clen != f->clen || g.rlen != f->rlen || (g.flags & RECFILE_FRAME_DICT))
        return damaged(r, f, msg, msglen, false, "the frame changed since it was indexed");
    g.dict_offset = f->dict_offset;
    rc = inflate_into(r, &g, &r->rbuf, &r->rcap, f->dict_offset ? r->dict : NULL,
                      f->dict_offset ? r->dict_len : 0, msg, msglen);
    if (rc == 1)
        *raw = r->rbuf;
    return rc;
}

uint16_t recfile_reader_minor(const struct recfile_reader *r) { return r->minor; }

uint64_t recfile_reader_pos(const struct recfile_reader *r) { return r->pos; }

bool recfile_reader_truncated(const struct recfile_reader *r) { return r->truncated; }

void recfile_reader_close(struct recfile_reader *r)
{
    if (!r)
        return;
    close(r->fd);
    free(r->cbuf);
    free(r->rbuf);
    free(r->dict);
    free(r);
}
