/* archive_spill: see archive_spill.h. Chains are written at increasing offsets, each
 * starting on a block of its own, so that punching a chain's hole frees whole blocks
 * and never a neighbour's; the offset goes back to 0 whenever the file holds nothing. */
#define _GNU_SOURCE /* O_TMPFILE, fallocate */
#include "record/archive_spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>


#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

struct archive_spill {
    int fd;
    uint64_t block;            /* the file system's block: each put starts on one */
    uint64_t tail;             /* where the last put ended */
    uint64_t held;             /* bytes put and not dropped */
    size_t puts;               /* of them, how many */
    char dir[256];
};

/* A file with no name in dir, read-write, for this process only; -errno. */
static int open_nameless(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd >= 0 ? fd : -errno;
#endif
    char path[300];
    if (snprintf(path, sizeof(path), "%s/gmptop-rewind.XXXXXX", dir) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    int fd2 = mkostemp(path, O_CLOEXEC);
    if (fd2 < 0)
        return -errno;
    unlink(path);
    return fd2;
}

struct archive_spill *archive_spill_open(const char *dir, char *why, size_t len)
{
    struct statfs fs;
    if (!dir || !*dir) {
        snprintf(why, len, "no directory");
        return NULL;
    }
    if (statfs(dir, &fs) != 0) {
        snprintf(why, len, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    if ((unsigned long)fs.f_type == TMPFS_MAGIC || (unsigned long)fs.f_type == RAMFS_MAGIC) {
        snprintf(why, len, "%s is in memory (tmpfs): nothing to gain", dir);
        return NULL;
    }
    int fd = open_nameless(dir);
    if (fd < 0) {
        snprintf(why, len, "%s: %s", dir, strerror(-fd));
        return NULL;
    }
    struct stat st;
    uint64_t block = fstat(fd, &st) == 0 && st.st_blksize >= 512 ? (uint64_t)st.st_blksize
                                                                 : 4096;
    /* Without holes the file would only grow while the ring is full: refuse it here
     * rather than find out an hour later. */
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)block) != 0) {
        snprintf(why, len, "%s: cannot free a file's blocks (%s)", dir, strerror(errno));
        close(fd);
        return NULL;
    }
    struct archive_spill *sp = calloc(1, sizeof(*sp));
    if (!sp) {
        snprintf(why, len, "out of memory");
        close(fd);
        return NULL;
    }
    sp->fd = fd;
    sp->block = block;
    snprintf(sp->dir, sizeof(sp->dir), "%s", dir);
    return sp;
}

struct archive_spill *archive_spill_open_default(char *why, size_t len)
{
    const char *tmpdir = getenv("TMPDIR");
    const char *dirs[] = { tmpdir && *tmpdir ? tmpdir : NULL, "/var/tmp", "/tmp" };
    snprintf(why, len, "no directory to keep it in");
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (!dirs[i])
            continue;
        struct archive_spill *sp = archive_spill_open(dirs[i], why, len);
        if (sp)
            return sp;
    }
    return NULL;
}

void archive_spill_close(struct archive_spill *sp)
{
    if (!sp)
        return;
    close(sp->fd);
    free(sp);
}

int archive_spill_put(struct archive_spill *sp, const void *p, size_t n, uint64_t *off)
{
    uint64_t at = (sp->tail + sp->block - 1) / sp->block * sp->block;
    const uint8_t *b = p;
    for (size_t done = 0; done < n;) {
        ssize_t w = pwrite(sp->fd, b + done, n - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            /* What was written of it is given back; nothing else changed. */
            if (done)
                (void)fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                (off_t)at, (off_t)done);
            return -e;
        }
        done += (size_t)w;
    }
    sp->tail = at + n;
    sp->held += n;
    sp->puts++;
    *off = at;
    return 0;
}

int archive_spill_get(const struct archive_spill *sp, uint64_t off, void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t done = 0; done < n;) {
        ssize_t r = pread(sp->fd, b + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -errno : -EIO;
        done += (size_t)r;
    }
    return 0;
}

void archive_spill_drop(struct archive_spill *sp, uint64_t off, size_t n)
{
    if (!sp || !sp->puts)
        return;
    sp->held -= n <= sp->held ? n : sp->held;
    if (--sp->puts == 0) {
        /* Empty: start again at 0 (and the file's size with it). */
        if (ftruncate(sp->fd, 0) == 0)
            sp->tail = 0;
        sp->held = 0;
        return;
    }
    /* To the end of its last block: the next put started on a block of its own. */
    uint64_t len = (n + sp->block - 1) / sp->block * sp->block;
    (void)fallocate(sp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
                    (off_t)len);
}

uint64_t archive_spill_bytes(const struct archive_spill *sp) { return sp ? sp->held : 0; }
uint64_t archive_spill_disk_bytes(const struct archive_spill *sp)
{
    struct stat st;
    return sp && fstat(sp->fd, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
}

const char *archive_spill_dir(const struct archive_spill *sp) { return sp ? sp->dir : ""; }
