/* help: the F1 overlay that explains every figure on screen in plain words. */
#include "pane.h"

#include <ncurses.h>

#include "draw.h"

struct help_para {
    bool heading;
    const char *text;
};

static const struct help_para help_text[] = {
    { true, "What you are looking at" },
    { false, "gmptop watches one running Go program and shows how the Go scheduler and "
             "the operating system share the CPUs between its pieces of work." },
    { false, "The figures to watch first: run delay (time a thread was ready to run but "
             "waited for a CPU) and involuntary switches (the kernel took the CPU away). "
             "Both grow when the program wants more CPU than it gets." },
    { false, "G = goroutine: a lightweight task in the Go program (what `go f()` starts). "
             "A program may have millions." },
    { false, "M = machine: an operating-system thread. Goroutines only run on threads; "
             "the threads pane lists them." },
    { false, "P = processor: a permission slot for running Go code. There are GOMAXPROCS "
             "Ps (usually one per CPU). A thread must hold a P to run goroutines, so at "
             "most GOMAXPROCS goroutines run at once; each P has a queue of goroutines "
             "ready to run." },
    { true, "Header" },
    { false, "PID and command of the watched program, the Go version it was built with, "
             "how long it has been running (up), and how many OS threads it has." },
    { false, "CPU n% with a small graph (wide screens): CPU used by the whole program; "
             "100% means one CPU kept busy, so it can go above 100%." },
    { false, "Bars: one per CPU of the machine, numbered. The bar and the percentage show "
             "how busy that CPU was during the last interval, with all programs counted, "
             "not only the watched one. Green is under 50%, yellow under 80%, red above. "
             "On small screens they shrink to one block per CPU." },
    { true, "Threads pane (5): one row per OS thread (M) of the program" },
    { false, "TID: the thread's id in the kernel (the first one equals the PID)." },
    { false, "NAME: the thread's name (Go names them all after the program)." },
    { false, "S: state. R = running or ready to run, S = sleeping (waiting for something), "
             "D = waiting for the disk, T = stopped, Z = exited but not yet collected." },
    { false, "CPU: the CPU it ran on last. Its colour is the CPU's NUMA node (a group of "
             "CPUs sharing nearby memory)." },
    { false, "CPU%: share of one CPU the thread used; 100 = it ran the whole time." },
    { false, "MIGR/s: migrations per second, the times the kernel moved the thread from one "
             "CPU to another. Moves cost time because the caches on the new CPU are cold." },
    { false, "VCSW/s: voluntary context switches per second: the thread blocked and gave "
             "up the CPU itself (waiting for a lock, for I/O, sleeping, or an idle Go "
             "thread parking because it has no goroutines to run)." },
    { false, "IVCSW/s: involuntary context switches per second: the thread was preempted, "
             "the kernel took the CPU away while it still wanted to run (its time slice "
             "ran out or another thread needed the CPU). Many of these mean too few CPUs." },
    { false, "RUNDLY ms/s: run delay, the time the thread was ready to run but waited for "
             "a CPU, in milliseconds per second. 0 = never waited; 1000 = waited the whole "
             "second. High run delay means the CPUs are overloaded." },
    { false, "AFFINITY: the CPUs the thread is allowed to run on, e.g. 0-3." },
    { false, "n/a means gmptop could not measure that figure (no permission, not "
             "supported here, or the first sample: rates need two samples). It never "
             "means zero." },
    { true, "Scheduler pane (1): the Go scheduler, read live from the program's memory" },
    { false, "gmptop reads the scheduler's own data structures from outside, without "
             "stopping or changing the program. Each P (a permission slot to run Go code) "
             "gets one row." },
    { false, "Top lines: GOMAXPROCS, the number of Ps, next to the CPUs: online (in the "
             "machine), allowed (the affinity mask, set by taskset or a cpuset) and the "
             "cgroup quota (a CPU limit such as docker --cpus or a Kubernetes limit: the "
             "CPU time the program may use per period, in CPUs). GOMAXPROCS above the "
             "quota is shown in red: the program runs more threads than it has time for, "
             "uses up its quota early in each period (usually 100 ms) and then the kernel "
             "stops all its threads until the next one, so everything stalls. Above the "
             "allowed CPUs it is yellow: Ps wait for CPUs and fight over them. Go before "
             "1.25 ignores the quota when choosing GOMAXPROCS." },
    { false, "global runq: goroutines waiting in the global run queue, shared by all Ps. "
             "It fills when a P's own queue is full (256), and with goroutines coming back "
             "from system calls that find no free P. Each P looks at it every 61 "
             "schedules so nothing waits there forever." },
    { false, "idle Ps: Ps with nothing to run. spinning Ms: threads that hold no "
             "goroutine and are actively looking for one (checking every P's queue to "
             "steal half of it) before they go to sleep. Spinning costs some CPU but means "
             "new work is picked up in microseconds instead of waiting for a sleeping "
             "thread to be woken; the runtime keeps at most half the busy Ps' worth "
             "spinning. needspinning (newer Go versions): work appeared while no thread "
             "was spinning, so one must start." },
    { false, "threads (idle): all the program's OS threads the runtime knows (Ms), and "
             "how many are parked waiting to be given a P. goroutines: all live "
             "goroutines by status: running (on a P now), runnable (ready, waiting in a "
             "queue), syscall (in a system call), waiting (blocked on a channel, lock, "
             "timer, network...). ~ and 'sampled' mean there were too many to count in "
             "time, so a sample was scaled up. GC: garbage collections so far and how long "
             "the last one stopped the program." },
    { false, "P: the P's number. STATUS: running = a thread holds the P and runs Go code "
             "(green); idle = nothing to run (dim); syscall = its goroutine is inside a "
             "system call, and if that takes long the runtime hands the P to another "
             "thread (yellow); gcstop = stopped by the garbage collector's "
             "stop-the-world (red); dead = no longer used after GOMAXPROCS shrank." },
    { false, "RUNQ: goroutines waiting in this P's own (local) run queue at the last "
             "read. MAX and MEAN: the longest and the average queue seen since the last "
             "refresh; gmptop looks 50 times a second (--sched-hz), because queues change "
             "in microseconds. NEXT: runnext, a one-place fast lane in front of the queue: "
             "when the running goroutine wakes another (say, by sending on a channel), "
             "the woken one runs next on this P, in the rest of the current time slice. "
             "A tick means a goroutine waits there." },
    { false, "SCHED/s: how many times a second the P picked a goroutine to run (goroutine "
             "switches). SYSC/s: system calls per second made from this P. M: the thread "
             "(M) holding the P; TID: its id in the kernel (as in the threads pane); CPU: "
             "the CPU that thread is on now, coloured by NUMA node; G: the id of the "
             "goroutine running on the P. - means none (an idle P has no thread)." },
    { false, "RUNQ HISTORY: a small graph of each P's local queue, one character per "
             "refresh, newest on the right. The height is the longest queue seen during "
             "that refresh; all rows share one scale, whose top (max N) is in the column "
             "title. Low flat marks mean an empty queue, spikes are bursts of work, a "
             "blank means that refresh could not be read." },
    { false, "A frozen run queue: RUNQ stays high and does not move, MAX equals RUNQ, "
             "SCHED/s is 0 (yellow) on a running P and G keeps the same id. The running "
             "goroutine never gives the P back (a tight loop the runtime cannot "
             "interrupt, such as with GODEBUG=asyncpreemptoff=1, or a long cgo call), so "
             "everything queued behind it starves. In a healthy program queues go up and "
             "down quickly and are mostly near 0." },
    { false, "Goroutines waiting, by reason (tall screens): blocked goroutines counted by "
             "why they wait (chan receive, select, sleep, sync.Mutex.Lock, IO wait...), "
             "biggest first. Thousands on one reason show where the program is stuck." },
    { false, "'target memory inconsistent (N samples dropped)' at the bottom: gmptop reads "
             "the scheduler while it changes; a read that looked impossible (a P with the "
             "wrong number, a queue longer than 256, an unknown status) is thrown away "
             "rather than shown, and counted here. A few are normal." },
    { false, "When the pane says 'Scheduler data unavailable', it gives the reason (for "
             "example a Go version gmptop does not know, in a binary without debug "
             "information); the header and the threads pane keep working." },
    { true, "Panes 2-4" },
    { false, "Latency, Cores and NUMA are being built; each page says what it will show." },
    { true, "Process picker (p)" },
    { false, "PID, USER (owner), GO (Go version, ? = could not read the program file: "
             "needs root or CAP_SYS_PTRACE), THREADS, CPU% (of one CPU), RSS (memory in "
             "use), COMMAND. Only Go programs are listed unless you press a." },
    { true, "Keys" },
    { false, "F1 or h: this help (Up/Down/PgUp/PgDn scroll, any other key closes it)" },
    { false, "Tab / Shift-Tab: next / previous pane;  1-5: go to a pane" },
    { false, "Space: pause (sampling stops and the display freezes; press again to go on)" },
    { false, "Up/Down, PgUp/PgDn, Home/End: move the selection bar (and scroll the Ps "
             "or threads when they do not fit)" },
    { false, "< and > (or F6): change the sort column;  I: invert the sort order" },
    { false, "p: pick another process. In the picker: Enter attaches, / or F3 searches "
             "(type to filter by command or PID, Esc clears), a shows all processes "
             "(not only Go ones), Esc goes back" },
    { false, "q or F10: quit" },
};

#define NPARA (sizeof(help_text) / sizeof(help_text[0]))

/* Rows the whole text takes at width w (paragraphs separated by headings' spacing). */
static int total_rows(int w)
{
    int n = 0;
    for (size_t i = 0; i < NPARA; i++)
        n += draw_wrap(0, 0, w, 0, help_text[i].text) + (help_text[i].heading && i ? 1 : 0);
    return n;
}

static void frame(int y, int x, int h, int w)
{
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
}

void help_draw(int rows, int cols, int *scroll)
{
    /* A frame one cell in from the edges when there is room, the full screen otherwise. */
    int m = cols >= 60 && rows >= 16 ? 1 : 0;
    int top = m, left = m * 2, h = rows - 2 * m, w = cols - 4 * m;
    if (h < 3 || w < 10)
        return;
    attr_t a = draw_role(THEME_HELP);
    for (int y = top; y < top + h; y++)
        draw_fill(y, left, w, a);
    attrset(a);
    if (m)
        frame(top, left, h, w);
    int tx = left + 2, tw = w - 4, ty = top + 1, th = h - 2;
    attron(A_BOLD);
    draw_text(top, tx, tw, " gmptop help ");
    attroff(A_BOLD);

    int total = total_rows(tw);
    int max_scroll = total - th > 0 ? total - th : 0;
    if (*scroll > max_scroll)
        *scroll = max_scroll;
    if (*scroll < 0)
        *scroll = 0;
    int skip = *scroll, y = ty;
    for (size_t i = 0; i < NPARA && y < ty + th; i++) {
        const struct help_para *p = &help_text[i];
        if (p->heading && i) {
            if (skip > 0)
                skip--;
            else
                y++;
        }
        if (y >= ty + th)
            break;
        int n = draw_wrap(0, 0, tw, 0, p->text);
        if (skip >= n) {
            skip -= n;
            continue;
        }
        if (p->heading)
            attron(draw_role(THEME_TITLE) | A_BOLD);
        y += draw_wrap_skip(y, tx, tw, skip, ty + th - y, p->text);
        if (p->heading)
            attrset(a);
        skip = 0;
    }
    const char *more = max_scroll > 0 ? " Up/Down scroll, any other key closes "
                                      : " any key closes ";
    int mw = draw_text_width(more);
    if (mw < tw)
        draw_text(top + h - 1, left + w - mw - 2, mw, more);
    attrset(A_NORMAL);
}

bool help_key(int ch, int *scroll)
{
    switch (ch) {
    case KEY_UP: case 'k':     (*scroll)--; return true;
    case KEY_DOWN: case 'j':   (*scroll)++; return true;
    case KEY_PPAGE:            *scroll -= 10; return true;
    case KEY_NPAGE:            *scroll += 10; return true;
    case KEY_HOME:             *scroll = 0; return true;
    case KEY_END:              *scroll = 1 << 20; return true;
    case KEY_RESIZE:           return true;
    default:                   return false;
    }
}
