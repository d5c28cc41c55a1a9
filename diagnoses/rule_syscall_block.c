/* rule_syscall_block: goroutines stuck in syscalls, or threads piling up behind them. */
#include "diagnoses/rule_util.h"

enum { T_GOROUTINES, T_THREAD_GROWTH, T_WINDOW_S };

static enum diag_verdict check(const struct diag_ctx *c, struct diag_finding *f, char *why,
                               size_t len)
{
    if (rule_sched_missing(c->h, why, len))
        return DIAG_UNAVAILABLE;
    const struct snapshot *cur = history_get(c->h, 0);
    const struct sched_sample *s = &cur->sched;
    /* Thread growth over the window: blocking syscalls each hold an M, and the runtime
     * starts a new one to keep the P busy. */
    double span;
    const struct snapshot *old = diag_oldest_sched(c->h, c->thr[T_WINDOW_S], &span);
    long long growth = old ? s->threads - old->sched.threads : 0;
    long long in_sys = s->census_valid ? s->g_by_class[GO_G_SYSCALL] : 0;
    int p_sys = 0;
    for (size_t i = 0; i < s->nps; i++)
        p_sys += s->ps[i].status == GO_P_SYSCALL;
    diag_figure(c, "goroutines", s->census_valid ? (double)in_sys : NAN);
    diag_figure(c, "thread_growth", old ? (double)growth : NAN);
    bool many = in_sys >= (long long)c->thr[T_GOROUTINES];
    bool growing = growth >= (long long)c->thr[T_THREAD_GROWTH];
    if (!many && !growing)
        return DIAG_QUIET;
    diag_evidence(f, "goroutines_in_syscall", (double)in_sys);
    diag_evidence(f, "threads", (double)s->threads);
    diag_evidence(f, "thread_growth", (double)growth);
    diag_evidence(f, "ps_in_syscall", p_sys);
    if (growing)
        diag_set(f, DIAG_WARN,
                 "The thread count grew by %lld to %lld in %.0f s while %lld goroutines sit "
                 "in system calls: each blocking call holds an OS thread and the runtime "
                 "starts another to keep its P running; put timeouts or deadlines on reads "
                 "and cgo calls, or bound their concurrency.",
                 growth, (long long)s->threads, span, in_sys);
    else
        diag_set(f, DIAG_WARN,
                 "%lld goroutines are blocked in system calls (%lld OS threads): calls "
                 "without timeouts (net.Conn.Read, file or cgo calls) each pin a thread; "
                 "add deadlines or limit how many run at once.",
                 in_sys, (long long)s->threads);
    return DIAG_FIRE;
}

const struct diag_rule rule_syscall_block = {
    .id = "syscall_block",
    .title = "goroutines blocked in syscalls",
    .pane = "sched",
    .explain =
        "When a goroutine makes a blocking system call (a read with no timeout, a cgo "
        "call), the OS thread (M) under it blocks too. The runtime hands that M's P to "
        "another thread so other goroutines keep running, starting a new thread if none "
        "is idle. Many such calls mean many threads, memory and scheduler work: each "
        "blocked M holds a thread while its P moves on. Timeouts and bounded "
        "concurrency fix it.",
    .thresholds = {
        { "goroutines", 16, "goroutines", "goroutines in syscalls at once" },
        { "thread_growth", 10, "threads", "new threads within the window" },
        { "window_s", 60, "s", "window for thread growth" },
    },
    .nthresholds = 3,
    .check = check,
};
