/* proclist: the machine's processes for the picker (libproc2), with Go detection. */
#include "session/proclist.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libproc2/pids.h>

#include "target/go_binary.h"
#include "base/util.h"

#define PF_KTHREAD 0x00200000u  /* include/linux/sched.h: a kernel thread, no exe */

/* The order here is the index used with ROW below; each comment is the value type the
 * item has in libproc2 (a wrong type reads garbage). */
enum { IT_PID, IT_EUSER, IT_NLWP, IT_TICS, IT_RSS, IT_CMDLINE, IT_CMD, IT_BEGAN,
       IT_FLAGS, IT_COUNT };
static enum pids_item list_items[IT_COUNT] = {
    [IT_PID] = PIDS_ID_PID,         /* s_int */
    [IT_EUSER] = PIDS_ID_EUSER,     /* str */
    [IT_NLWP] = PIDS_NLWP,          /* s_int */
    [IT_TICS] = PIDS_TICS_ALL,      /* ull_int */
    [IT_RSS] = PIDS_VM_RSS,         /* ul_int, KiB */
    [IT_CMDLINE] = PIDS_CMDLINE,    /* str */
    [IT_CMD] = PIDS_CMD,            /* str */
    [IT_BEGAN] = PIDS_TICS_BEGAN,   /* ull_int */
    [IT_FLAGS] = PIDS_FLAGS,        /* ul_int */
};

/* PIDS_VAL's info argument is unused in libproc2 4.0. */
#define ROW(item, type, row) PIDS_VAL(item, type, row, NULL)

/* One listed process plus what the next refresh needs to reuse from it. */
struct proc_item {
    struct proc_entry e;
    uint64_t start_ticks;   /* with pid and comm: the Go-detection cache key */
    uint64_t tics;          /* utime+stime at this refresh */
    char comm[16];
};

struct proclist {
    struct pids_info *info;
    struct proc_item *items, *prev;  /* this refresh, and the one before (sorted) */
    size_t n, nprev, cap, capprev;
    int64_t prev_mono_ns;            /* 0: no earlier refresh */
    double hz;
};

struct proclist *proclist_new(char *msg, size_t msglen)
{
    struct proclist *pl = calloc(1, sizeof(*pl));
    if (!pl) {
        snprintf(msg, msglen, "calloc: %s", strerror(errno));
        return NULL;
    }
    long hz = sysconf(_SC_CLK_TCK);
    pl->hz = hz > 0 ? (double)hz : 0.0;
    int r = procps_pids_new(&pl->info, list_items, IT_COUNT);
    if (r < 0) {
        snprintf(msg, msglen, "procps_pids_new: %s", strerror(-r));
        free(pl);
        return NULL;
    }
    return pl;
}

void proclist_free(struct proclist *pl)
{
    if (!pl)
        return;
    if (pl->info)
        procps_pids_unref(&pl->info);
    free(pl->items);
    free(pl->prev);
    free(pl);
}

size_t proclist_count(const struct proclist *pl) { return pl ? pl->n : 0; }

const struct proc_entry *proclist_at(const struct proclist *pl, size_t i)
{
    return pl && i < pl->n ? &pl->items[i].e : NULL;
}

static int cmp_item(const void *a, const void *b)
{
    const struct proc_item *x = a, *y = b;
    return (x->e.pid > y->e.pid) - (x->e.pid < y->e.pid);
}

/* The same process as last refresh: pid, start time and comm all equal. comm is in
 * the key because exec() keeps pid and start time: a shell that had just forked when
 * it was first seen may by now be the Go program it started. */
static const struct proc_item *find_prev(const struct proclist *pl,
                                         const struct proc_item *it)
{
    if (pl->nprev == 0)
        return NULL;
    const struct proc_item *p = bsearch(it, pl->prev, pl->nprev, sizeof(*pl->prev),
                                        cmp_item);
    if (!p || p->start_ticks != it->start_ticks || strcmp(p->comm, it->comm) != 0)
        return NULL;
    return p;
}

static void detect_go(struct proc_item *it)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)it->e.pid);
    errno = 0;
    int r = go_binary_peek_version(path, it->e.go_version, sizeof(it->e.go_version));
    int e = errno;
    it->e.is_go = r == GO_BINARY_OK && it->e.go_version[0] != '\0';
    it->e.exe_unreadable = r == GO_BINARY_ERR_OPEN && (e == EACCES || e == EPERM);
    if (!it->e.is_go)
        it->e.go_version[0] = '\0';
}

static void fill_cmd(struct proc_item *it, struct pids_stack *row)
{
    const char *cmdline = ROW(IT_CMDLINE, str, row);
    /* libproc2 gives "-" (or "") when the command line is empty or unreadable. */
    if (cmdline && cmdline[0] && strcmp(cmdline, "-") != 0)
        util_strlcpy(it->e.cmd, cmdline, sizeof(it->e.cmd));
    else
        snprintf(it->e.cmd, sizeof(it->e.cmd), "[%s]", it->comm);
}

/* Build one item from a libproc2 row; false for rows the picker does not list. */
static bool item_from_row(struct proclist *pl, struct pids_stack *row, double elapsed_s,
                          struct proc_item *it)
{
    if (ROW(IT_FLAGS, ul_int, row) & PF_KTHREAD)
        return false;
    memset(it, 0, sizeof(*it));
    it->e.pid = ROW(IT_PID, s_int, row);
    if (it->e.pid <= 0)
        return false;
    const char *user = ROW(IT_EUSER, str, row);
    util_strlcpy(it->e.user, user ? user : "?", sizeof(it->e.user));
    const char *comm = ROW(IT_CMD, str, row);
    util_strlcpy(it->comm, comm ? comm : "", sizeof(it->comm));
    int nlwp = ROW(IT_NLWP, s_int, row);
    it->e.threads = nlwp;
    it->e.rss_kb = ROW(IT_RSS, ul_int, row);
    it->tics = ROW(IT_TICS, ull_int, row);
    it->start_ticks = ROW(IT_BEGAN, ull_int, row);
    fill_cmd(it, row);

    const struct proc_item *old = find_prev(pl, it);
    it->e.cpu_pct = NAN;
    if (old) {
        it->e.is_go = old->e.is_go;
        it->e.exe_unreadable = old->e.exe_unreadable;
        memcpy(it->e.go_version, old->e.go_version, sizeof(it->e.go_version));
        if (elapsed_s > 0 && pl->hz > 0 && it->tics >= old->tics)
            it->e.cpu_pct = (double)(it->tics - old->tics) / pl->hz / elapsed_s * 100.0;
    } else {
        detect_go(it);
    }
    return true;
}

static int ensure_cap(struct proc_item **arr, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    struct proc_item *p = realloc(*arr, ncap * sizeof(*p));
    if (!p)
        return -ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

int proclist_refresh(struct proclist *pl)
{
    if (!pl)
        return -EINVAL;
    errno = 0;
    struct pids_fetch *f = procps_pids_reap(pl->info, PIDS_FETCH_TASKS_ONLY);
    if (!f)
        return errno ? -errno : -ENOMEM;
    int64_t now = util_mono_ns();
    double elapsed_s = pl->prev_mono_ns ? (double)(now - pl->prev_mono_ns) / 1e9 : 0.0;

    /* Last refresh's list becomes the cache this one looks up. */
    struct proc_item *tmp = pl->prev;
    size_t tcap = pl->capprev;
    pl->prev = pl->items;
    pl->nprev = pl->n;
    pl->capprev = pl->cap;
    pl->items = tmp;
    pl->cap = tcap;
    pl->n = 0;

    int total = f->counts->total;
    if (total > 0 && ensure_cap(&pl->items, &pl->cap, (size_t)total) != 0)
        return -ENOMEM;
    for (int i = 0; i < total; i++)
        if (item_from_row(pl, f->stacks[i], elapsed_s, &pl->items[pl->n]))
            pl->n++;
    if (pl->n > 1)
        qsort(pl->items, pl->n, sizeof(*pl->items), cmp_item);
    pl->prev_mono_ns = now;
    return 0;
}
