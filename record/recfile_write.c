/* recfile_write: appending snapshots to a gmptop recording safely (one write per frame
 * pair, fdatasync, torn tails cut off, nothing overwritten or followed through a link). */
#include "record/recfile_int.h"
#include "record/rec_zlib.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct recfile_writer {
    int fd;
    uint64_t size;               /* where the next frame starts */
    uint8_t *buf;                /* the frames of one write */
    size_t cap;
    uint8_t dict[RECFILE_DICT_MAX];
    size_t dict_len;             /* 0: the next frame makes a dictionary first */
    z_stream zs;                 /* reused: deflate's state is ~270 KB to set up */
    bool zs_ready;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A new file's name is only durable once its directory is. */
static void sync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(copy);
}

static int write_header(struct recfile_writer *w, const char *path, char *msg, size_t len)
{
    uint8_t h[RECFILE_HEADER_LEN] = { 0 };
    memcpy(h, recfile_magic, 8);
    rf_put16(h + 8, RECFILE_MAJOR);
    rf_put16(h + 10, RECFILE_MINOR);
    rf_put32(h + 12, RECFILE_HEADER_LEN);
    rf_put32(h + 20, recfile_crc(h, RECFILE_HEADER_LEN - 4, NULL, 0));
    int rc = write_all(w->fd, h, sizeof(h));
    if (rc == 0 && fdatasync(w->fd) < 0)
        rc = -errno;
    if (rc < 0) {
        snprintf(msg, len, "write %s: %s", path, strerror(-rc));
        return rc;
    }
    w->size = sizeof(h);
    return 0;
}

/* An existing non-empty file: append only to an intact recording; a torn last frame
 * (the file ends inside it: gmptop was killed mid-write) is cut off first. */
static int adopt_existing(struct recfile_writer *w, const char *path, char *note,
                          size_t notelen, char *msg, size_t len)
{
    int fd2 = dup(w->fd);
    if (fd2 < 0) {
        snprintf(msg, len, "dup: %s", strerror(errno));
        return -errno;
    }
    struct recfile_reader *r;
    char why[400];
    int rc = recfile_reader_from_fd(fd2, &r, why, sizeof(why));
    if (rc < 0) {
        close(fd2);
        if (rc == RECFILE_ERR_NEWER || rc == RECFILE_ERR_DAMAGED)
            snprintf(msg, len, "%s: %s; not appending to it", path, why);
        else if (rc == RECFILE_ERR_NOT_RECORDING)
            snprintf(msg, len, "%s exists and is not a gmptop recording; not overwriting it",
                     path);
        else
            snprintf(msg, len, "%s: %s", path, why);
        return rc;
    }
    struct recfile_frame f;
    size_t frames = 0;
    while ((rc = recfile_reader_skip(r, &f, why, sizeof(why))) == 1)
        frames++;
    uint64_t end = recfile_reader_pos(r);
    bool torn = rc < 0 && recfile_reader_truncated(r);
    recfile_reader_close(r);
    if (rc < 0 && !torn) {
        snprintf(msg, len, "%s: %s; not appending to a damaged recording", path, why);
        return RECFILE_ERR_DAMAGED;
    }
    struct stat st;
    if (fstat(w->fd, &st) < 0) {
        snprintf(msg, len, "fstat %s: %s", path, strerror(errno));
        return -errno;
    }
    if (torn) {
        if (ftruncate(w->fd, (off_t)end) < 0 || fdatasync(w->fd) < 0) {
            snprintf(msg, len, "ftruncate %s: %s", path, strerror(errno));
            return -errno;
        }
        snprintf(note, notelen, "appending to %s after its %zu complete snapshots (cut off "
                 "a torn last frame of %llu bytes)", path, frames,
                 (unsigned long long)((uint64_t)st.st_size - end));
    } else {
        snprintf(note, notelen, "appending to %s after its %zu snapshots", path, frames);
    }
    w->size = end;
    return 0;
}

static int open_or_create(const char *path, bool *created, char *msg, size_t len)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
            *created = false;
            return fd;
        }
        if (errno == ELOOP) {
            snprintf(msg, len, "%s is a symbolic link; not recording through it", path);
            return -ELOOP;
        }
        if (errno != ENOENT)
            break;
        fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *created = true;
            return fd;
        }
        if (errno != EEXIST)
            break;
        /* Someone created it between the two opens: look again. */
    }
    int e = errno;
    snprintf(msg, len, "open %s: %s", path, strerror(e));
    return -e;
}

int recfile_writer_open(const char *path, struct recfile_writer **out, char *note,
                        size_t notelen, char *msg, size_t msglen)
{
    if (note && notelen)
        note[0] = '\0';
    bool created = false;
    int fd = open_or_create(path, &created, msg, msglen);
    if (fd < 0)
        return fd;
    struct recfile_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        close(fd);
        snprintf(msg, msglen, "out of memory");
        return -ENOMEM;
    }
    w->fd = fd;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        snprintf(msg, msglen, "fstat %s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = RECFILE_ERR_NOT_RECORDING;
        snprintf(msg, msglen, "%s is not a regular file; not recording into it", path);
    } else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        rc = errno == EWOULDBLOCK ? RECFILE_ERR_BUSY : -errno;
        snprintf(msg, msglen, errno == EWOULDBLOCK ? "%s: another gmptop is recording "
                 "into it" : "flock %s: %s", path, strerror(errno));
    } else if (st.st_size == 0) {
        rc = write_header(w, path, msg, msglen);
        if (rc == 0 && created)
            sync_parent(path);
    } else {
        rc = adopt_existing(w, path, note, notelen, msg, msglen);
    }
    if (rc < 0) {
        close(fd);
        free(w);
        return rc;
    }
    /* Back to blocking writes (O_NONBLOCK only kept a FIFO from hanging the open). */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *out = w;
    return 0;
}

/* One frame at buf + at: header, then raw deflated (with the writer's dictionary when
 * use_dict). Returns the frame's length, or 0 with msg. */
static size_t put_frame(struct recfile_writer *w, size_t at, const void *raw, size_t rawlen,
                        unsigned flags, bool use_dict, int64_t time_ns, int64_t mono_ns,
                        char *msg, size_t msglen)
{
    uLong bound = deflateBound(&w->zs, (uLong)rawlen);
    if (recfile_grow(&w->buf, &w->cap, at + RECFILE_FRAME_HDR + bound) < 0) {
        snprintf(msg, msglen, "out of memory");
        return 0;
    }
    uint8_t *h = w->buf + at, *payload = h + RECFILE_FRAME_HDR;
    size_t clen = 0;
    int z = rec_deflate(&w->zs, w->dict, use_dict ? w->dict_len : 0, raw, rawlen, payload,
                        bound, &clen);
    if (z != Z_STREAM_END || clen > RECFILE_MAX_COMPRESSED) {
        snprintf(msg, msglen, "compress: %s", z != Z_STREAM_END ? zError(z) : "too large");
        return 0;
    }
    memcpy(h, recfile_frame_magic, 4);
    rf_put32(h + 4, (uint32_t)clen);
    rf_put32(h + 8, (uint32_t)rawlen);
    rf_put16(h + 12, (uint16_t)flags);
    rf_put16(h + 14, RECFILE_COMP_ZLIB);
    rf_put64(h + 16, (uint64_t)time_ns);
    rf_put64(h + 24, (uint64_t)mono_ns);
    rf_put32(h + 32, recfile_crc(h, 32, payload, clen));
    return RECFILE_FRAME_HDR + clen;
}

int recfile_writer_append(struct recfile_writer *w, const void *raw, size_t rawlen,
                          unsigned flags, int64_t time_ns, int64_t mono_ns,
                          char *msg, size_t msglen)
{
    if (rawlen > RECFILE_MAX_RAW) {
        snprintf(msg, msglen, "snapshot too large to record (%zu bytes)", rawlen);
        return -EFBIG;
    }
    if (!w->zs_ready) {
        if (deflateInit(&w->zs, RECFILE_ZLEVEL) != Z_OK) {
            snprintf(msg, msglen, "zlib: deflateInit failed");
            return -ENOMEM;
        }
        w->zs_ready = true;
    }
    flags &= ~(unsigned)RECFILE_FRAME_DICT;
    size_t len = 0;
    /* A run's first snapshot becomes the dictionary: what stays the same from tick to
     * tick (names, reasons, layouts) then costs a few bytes per frame, not its length. */
    if ((flags & RECFILE_FRAME_START) || w->dict_len == 0) {
        size_t keep = rawlen < RECFILE_DICT_MAX ? rawlen : RECFILE_DICT_MAX;
        memcpy(w->dict, (const uint8_t *)raw + rawlen - keep, keep);
        w->dict_len = keep;
        len = put_frame(w, 0, w->dict, keep, RECFILE_FRAME_DICT, false, time_ns, mono_ns,
                        msg, msglen);
        if (!len)
            return -EIO;
    }
    size_t n = put_frame(w, len, raw, rawlen, flags, w->dict_len > 0, time_ns, mono_ns, msg,
                         msglen);
    if (!n)
        return -EIO;
    len += n;
    int rc = write_all(w->fd, w->buf, len);
    if (rc < 0) {
        /* Leave no half frame behind: the next append, or a reader, sees clean frames. */
        if (ftruncate(w->fd, (off_t)w->size) < 0) {
            /* The reader will report the torn frame; nothing more to do here. */
        }
        snprintf(msg, msglen, "write: %s", strerror(-rc));
        return rc;
    }
    w->size += len;
    /* EINVAL: a file system without sync support (some FUSE ones); the data is written. */
    if (fdatasync(w->fd) < 0 && errno != EINVAL) {
        rc = -errno;
        snprintf(msg, msglen, "fdatasync: %s", strerror(-rc));
        return rc;
    }
    return 0;
}

uint64_t recfile_writer_size(const struct recfile_writer *w) { return w->size; }

void recfile_writer_close(struct recfile_writer *w)
{
    if (!w)
        return;
    close(w->fd);
    if (w->zs_ready)
        deflateEnd(&w->zs);
    free(w->buf);
    free(w);
}
