/* cpuprof_agg: functions, hottest stacks and kinds of work of a profile window. */
#include "model/cpuprof_agg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Name prefixes of the runtime's own work, as Go 1.19-1.27 spell them. */
static const char *const gc_funcs[] = {
    "runtime.gc", "runtime.scan", "runtime.markroot", "runtime.greyobject",
    "runtime.bgsweep", "runtime.sweepone", "runtime.bgscavenge", "runtime.wbBuf",
    "runtime.(*gcWork)", "runtime.(*gcControllerState)", "runtime.(*mspan).sweep",
    "runtime.(*sweepLocked)", "runtime.(*scavengerState)", "runtime.findObject",
    "runtime.shade", "runtime.markBits", "runtime.(*gcBits)", "runtime.drainMark",
    "runtime.(*spanSet)", "runtime.wbMove", "runtime.bulkBarrier", "runtime.typePointers",
    "runtime.(*mheap).scavenge", "runtime.gcMark", "runtime.tryDeferToSpanScan",
    "runtime.(*spanInlineMarkBits)", "runtime.scanSpan",
};
static const char *const sched_funcs[] = {
    "runtime.schedule", "runtime.findRunnable", "runtime.findrunnable",
    "runtime.stealWork", "runtime.runqsteal", "runtime.runqgrab", "runtime.park_m",
    "runtime.goschedImpl", "runtime.gosched_m", "runtime.gopreempt_m", "runtime.mcall",
    "runtime.gopark", "runtime.goready", "runtime.ready", "runtime.wakep",
    "runtime.startm", "runtime.stopm", "runtime.mPark", "runtime.notesleep",
    "runtime.notetsleep", "runtime.futexsleep", "runtime.futexwakeup", "runtime.netpoll",
    "runtime.checkTimers", "runtime.sysmon", "runtime.handoffp", "runtime.retake",
    "runtime.preemptone", "runtime.execute", "runtime.goexit0", "runtime.newproc",
    "runtime.exitsyscall", "runtime.entersyscall", "runtime.reentersyscall",
    "runtime.(*timers)", "runtime.runtimer", "runtime.resetspinning",
    "runtime.injectglist", "runtime.globrunqget", "runtime.runqget", "runtime.runqput",
    "runtime.osyield", "runtime.usleep", "runtime.procyield", "runtime.semasleep",
};
static const char *const syscall_funcs[] = {
    "syscall.", "internal/runtime/syscall.", "runtime/internal/syscall.",
    "golang.org/x/sys/unix.", "internal/poll.ignoringEINTR", "internal/syscall/unix.",
    "runtime.read", "runtime.write", "runtime.write1", "runtime.vdsoCall",
    "runtime.futex", "runtime.epollwait", "runtime.madvise", "runtime.mmap",
    "runtime.munmap", "runtime.sysMmap", "runtime.sysMunmap", "runtime.tgkill",
    "runtime.rtsigprocmask", "runtime.clone", "runtime.exitThread", "runtime.open",
    "runtime.closefd", "runtime.sched_getaffinity",
};

static bool matches(const char *func, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (has_prefix(func, list[i]))
            return true;
    return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool is_runtime(const char *f)
{
    return has_prefix(f, "runtime.") || has_prefix(f, "internal/runtime/") ||
           has_prefix(f, "runtime/internal/");
}

/* A kind the name alone settles, or USER for "no word". */
static enum cpuprof_kind telling_kind(const char *f)
{
    if (matches(f, gc_funcs, N(gc_funcs)))
        return CPUPROF_KIND_GC;
    if (matches(f, sched_funcs, N(sched_funcs)))
        return CPUPROF_KIND_SCHED;
    if (matches(f, syscall_funcs, N(syscall_funcs)))
        return CPUPROF_KIND_SYSCALL;
    return CPUPROF_KIND_USER;
}

enum cpuprof_kind cpuprof_func_kind(const char *func)
{
    if (!func)
        return CPUPROF_KIND_USER;
    enum cpuprof_kind k = telling_kind(func);
    if (k != CPUPROF_KIND_USER)
        return k;
    return is_runtime(func) ? CPUPROF_KIND_RUNTIME : CPUPROF_KIND_USER;
}

enum cpuprof_kind cpuprof_stack_kind(const struct gstack *st, int in_kernel)
{
    if (!st || !st->nframes)
        return in_kernel ? CPUPROF_KIND_SYSCALL : CPUPROF_KIND_USER;
    /* Outward from the leaf through the runtime's frames (up to the program's first):
     * the GC's work wins over the scheduler's, which wins over a system call (a futex
     * under runtime.schedule is the scheduler idling; a memmove under gcDrain is the
     * GC's); the program's allocation is "runtime" when the leaf is the runtime's. */
    bool seen[CPUPROF_KIND_COUNT] = { false };
    for (size_t i = 0; i < st->nframes; i++) {
        const char *f = st->frames[i].func;
        seen[telling_kind(f)] = true;
        if (!is_runtime(f) && strcmp(f, "(unknown)") != 0 && !matches(f, syscall_funcs,
                                                                      N(syscall_funcs)))
            break;
    }
    if (seen[CPUPROF_KIND_GC])
        return CPUPROF_KIND_GC;
    if (seen[CPUPROF_KIND_SCHED])
        return CPUPROF_KIND_SCHED;
    if (seen[CPUPROF_KIND_SYSCALL])
        return CPUPROF_KIND_SYSCALL;
    /* In the kernel under the program's own code is a page fault or the like: the
     * program's time; under the runtime's, one of its raw system calls. */
    if (!is_runtime(st->frames[0].func))
        return CPUPROF_KIND_USER;
    return in_kernel ? CPUPROF_KIND_SYSCALL : CPUPROF_KIND_RUNTIME;
}

/* A small open-addressing table keyed by pooled function name (pointer identity). */
struct fslot {
    const char *func;
    const char *file;
    int64_t self, total;
    size_t stamp;                 /* the stack that last counted it in total */
};

static int by_self(const void *a, const void *b)
{
    const struct fslot *x = *(struct fslot *const *)a, *y = *(struct fslot *const *)b;
    if (x->self != y->self)
        return x->self < y->self ? 1 : -1;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return strcmp(x->func, y->func);
}

static int by_total(const void *a, const void *b)
{
    const struct fslot *x = *(struct fslot *const *)a, *y = *(struct fslot *const *)b;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return strcmp(x->func, y->func);
}

static int func_out_by_self(const void *a, const void *b)
{
    const struct cpuprof_func *x = a, *y = b;
    if (x->self != y->self)
        return x->self < y->self ? 1 : -1;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return strcmp(x->func, y->func);
}

/* The table holds each distinct function once: a minute of a server's samples is some
 * 40,000 frames of a few hundred functions, and a table sized by frames (5 MB a refresh,
 * calloc'd and given back) cost gmptop more in page faults than the counting did. */
struct ftab {
    struct fslot *slot;
    size_t cap, n;
};

static struct fslot *ftab_find(struct ftab *t, const char *fn)
{
    size_t h = ((uintptr_t)fn >> 4) * 0x9E3779B97F4A7C15ULL & (t->cap - 1);
    while (t->slot[h].func && t->slot[h].func != fn)
        h = (h + 1) & (t->cap - 1);
    return &t->slot[h];
}

/* Doubles the table when half full; false when out of memory. */
static bool ftab_room(struct ftab *t)
{
    if ((t->n + 1) * 2 <= t->cap)
        return true;
    struct ftab bigger = { .slot = calloc(t->cap * 2, sizeof(struct fslot)),
                           .cap = t->cap * 2, .n = t->n };
    if (!bigger.slot)
        return false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].func)
            *ftab_find(&bigger, t->slot[i].func) = t->slot[i];
    free(t->slot);
    *t = bigger;
    return true;
}

size_t cpuprof_top_funcs(const struct cpuprof_weighted *w, size_t n, struct cpuprof_func *out,
                         size_t max)
{
    struct ftab tab = { .slot = calloc(512, sizeof(struct fslot)), .cap = 512 };
    struct fslot **list = NULL;
    size_t nlist = 0, written = 0;
    if (!tab.slot)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct gstack *st = w[i].stack;
        if (!st || w[i].samples <= 0)
            continue;
        for (size_t f = 0; f < st->nframes; f++) {
            const char *fn = st->frames[f].func;
            struct fslot *s = ftab_find(&tab, fn);
            if (!s->func) {
                if (!ftab_room(&tab))
                    goto out;
                s = ftab_find(&tab, fn);
                *s = (struct fslot){ .func = fn, .file = st->frames[f].file,
                                     .stamp = (size_t)-1 };
                tab.n++;
            }
            if (f == 0)
                s->self += w[i].samples;
            if (s->stamp != i) {
                s->stamp = i;
                s->total += w[i].samples;
            }
        }
    }
    list = malloc((tab.n ? tab.n : 1) * sizeof(*list));
    if (!list)
        goto out;
    for (size_t i = 0; i < tab.cap; i++)
        if (tab.slot[i].func)
            list[nlist++] = &tab.slot[i];
    /* Two thirds of the places by self, the rest by total (main.main has no self). */
    qsort(list, nlist, sizeof(*list), by_self);
    size_t nself = max * 2 / 3;
    for (size_t i = 0; i < nlist && written < nself && list[i]->self > 0; i++) {
        out[written++] = (struct cpuprof_func){ .func = list[i]->func, .file = list[i]->file,
                                                .kind = cpuprof_func_kind(list[i]->func),
                                                .self = list[i]->self,
                                                .total = list[i]->total };
        list[i]->stamp = (size_t)-2;     /* taken */
    }
    qsort(list, nlist, sizeof(*list), by_total);
    for (size_t i = 0; i < nlist && written < max; i++) {
        if (list[i]->stamp == (size_t)-2)
            continue;
        out[written++] = (struct cpuprof_func){ .func = list[i]->func, .file = list[i]->file,
                                                .kind = cpuprof_func_kind(list[i]->func),
                                                .self = list[i]->self,
                                                .total = list[i]->total };
    }
    qsort(out, written, sizeof(*out), func_out_by_self);
out:
    free(tab.slot);
    free(list);
    return written;
}

static int hot_desc(const void *a, const void *b)
{
    const struct cpuprof_hot *x = a, *y = b;
    if (x->samples != y->samples)
        return x->samples < y->samples ? 1 : -1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

size_t cpuprof_hot_stacks(const struct cpuprof_weighted *w, size_t n, struct cpuprof_hot *out,
                          size_t max)
{
    struct cpuprof_hot *all = calloc(n ? n : 1, sizeof(*all));
    if (!all)
        return 0;
    /* The caller merged equal stacks (they are pooled: one pointer each). */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i].stack && w[i].samples > 0)
            all[m++] = (struct cpuprof_hot){ .stack = w[i].stack, .samples = w[i].samples };
    qsort(all, m, sizeof(*all), hot_desc);
    size_t k = m < max ? m : max;
    memcpy(out, all, k * sizeof(*out));
    free(all);
    return k;
}
