/* go_load_bias: where a PIE Go binary is loaded in a running process, from its maps:
 * the mapping of the same file at offset 0, against the binary's lowest link address. */
#include "target/go_binary.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The file go_binary read, as the kernel names it. */
struct file_id {
    dev_t dev;
    ino_t ino;
};

/* Whether a maps line's file is ours: same device and inode, or, once the process's exe
 * is known to be our file, the exe's path (overlayfs can show another device in maps). */
static bool maps_same_file(const struct file_id *f, unsigned maj, unsigned mnr,
                           unsigned long ino, const char *mpath, const char *exe)
{
    if (makedev(maj, mnr) == f->dev && ino == f->ino)
        return true;
    return exe[0] && strcmp(mpath, exe) == 0;
}

/* The process's exe path when the exe is the file b was read from, else "". */
static void exe_if_same(const struct file_id *f, pid_t pid, char *exe, size_t len)
{
    char link[64];
    struct stat st;
    exe[0] = '\0';
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
    if (stat(link, &st) < 0 || st.st_dev != f->dev || st.st_ino != f->ino)
        return;
    ssize_t n = readlink(link, exe, len - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *del = strstr(exe, " (deleted)");
    if (del && del[10] == '\0')
        *del = '\0';
}

int go_binary_load_bias(const struct go_binary *b, pid_t pid, uint64_t *bias)
{
    char path[64], exe[4096], line[4096 + 128];
    *bias = 0;
    if (!go_binary_is_pie(b))
        return 0;
    struct file_id id;
    uint64_t min_vaddr;
    go_binary_file(b, &id.dev, &id.ino, &min_vaddr);
    exe_if_same(&id, pid, exe, sizeof(exe));
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    long page = sysconf(_SC_PAGESIZE);
    uint64_t link_base = min_vaddr & ~(uint64_t)((page > 0 ? page : 4096) - 1);
    int rc = -ENOENT;
    while (fgets(line, sizeof(line), f)) {
        uint64_t start, end, off;
        unsigned maj, mnr;
        unsigned long ino;
        int pos = 0;
        char perms[8];
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %lu %n", &start,
                   &end, perms, &off, &maj, &mnr, &ino, &pos) < 7 || pos == 0)
            continue;
        char *mpath = line + pos;
        mpath[strcspn(mpath, "\n")] = '\0';
        char *del = strstr(mpath, " (deleted)");
        if (del && del[10] == '\0')
            *del = '\0';
        if (off != 0 || ino == 0 || !maps_same_file(&id, maj, mnr, ino, mpath, exe))
            continue;
        *bias = start - link_base;
        rc = 0;
        break;
    }
    if (rc != 0 && ferror(f))
        rc = -EIO;
    fclose(f);
    return rc;
}
