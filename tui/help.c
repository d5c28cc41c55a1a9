/* help: the F1 overlay that explains every figure on screen in plain words. */
#include "tui/help.h"

#include <ncurses.h>
#include <stdio.h>
#include <string.h>

#include "tui/draw.h"

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
             "1.25 ignores the quota when choosing GOMAXPROCS; Go 1.25+ picks "
             "max(quota rounded up, 2) itself and follows the limit while running, so "
             "only more than that is red. In brackets, who chose it: env (the GOMAXPROCS "
             "variable), program (runtime.GOMAXPROCS) or runtime (its own default)." },
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
             "timer, network...), leaked (Go 1.26+: the garbage collector's leak detector "
             "found it blocked forever on something nothing else can reach). created/s: "
             "new goroutines a second. ~ and 'sampled' mean there were too many to count in "
             "time, so a sample was scaled up. GC: garbage collections so far and how long "
             "the last one stopped the program." },
    { false, "P: the P's number. STATUS: running = a thread holds the P and runs Go code "
             "(green); idle = nothing to run (dim); syscall = its goroutine is inside a "
             "system call, and if that takes long the runtime hands the P to another "
             "thread (yellow) (before Go 1.26 the P itself says so and gmptop finds the "
             "thread through the M's oldp; from 1.26 the P stays 'running' and gmptop "
             "reads the goroutine's status); gcstop = stopped by the garbage collector's "
             "stop-the-world (red); dead = no longer used after GOMAXPROCS shrank." },
    { false, "RUNQ: goroutines waiting in this P's own (local) run queue at the last "
             "read. MAX and MEAN: the longest and the average queue seen since the last "
             "refresh; gmptop looks 10 times a second (--sched-hz), because queues change "
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
    { false, "On a tall terminal the rows left under the table show the history larger: "
             "the number of goroutines over time, and each P's local queue as a chart "
             "several rows tall over as many refreshes as the width holds (a dotted floor "
             "is an empty queue, a gap a refresh that could not be read)." },
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
    { true, "NUMA pane (4): where the program's memory and threads live" },
    { false, "A NUMA node is a group of CPUs with the memory closest to them; reading "
             "memory of another node (remote) is slower. Most small machines and VMs "
             "have one node: then everything is local and the pane just says so." },
    { false, "First lines: the memory policy the kernel applies (default, bind, "
             "interleave, prefer, local, prefer (many), weighted interleave; '=static' or "
             "'=relative' say how the node list follows cpuset changes), the nodes and "
             "CPUs the process may use (Mems/CPUs allowed) and its cpuset. Then the local "
             "share: of the program's memory, how much is on the node where its Ps' "
             "threads run (an estimate that assumes every thread touches all memory "
             "evenly); under 50% on a machine with several nodes it is shown in yellow." },
    { false, "Sources: numa_maps scan: the exact page count per node from the kernel, "
             "redone in the background every few seconds (GMPTOP_NUMA_SCAN_S) because it "
             "costs about 36 ns per resident page; its age is shown. move_pages: a "
             "sample of Go heap pages asked where they are: up to 512 each refresh "
             "(within GMPTOP_NUMA_BUDGET_MS, 2 ms), pooled over the last 4 refreshes, "
             "with its 95% error margin (0 once the pool holds every heap page)." },
    { false, "Table, one row per node: CPUS of the node, FREE/TOTAL memory of the whole "
             "node, THR threads of the program and Ps whose thread last ran there, then "
             "the program's memory on that node: HEAP (Go heap arenas, goroutine stacks "
             "included), STACK (thread stacks), ANON (other anonymous memory), FILE "
             "(program and library files, mapped files), HUGE (huge pages), TOTAL; HEAP% "
             "smp is the sampled share of the heap on that node. The bar draws the same "
             "split, one glyph per kind (# heap, = stack, + anon, - file, * huge)." },
    { false, "Node of each P's thread: P number and the node its thread last ran on "
             "(- when the P has no thread). DISTANCE: the firmware's relative cost of "
             "reaching each node's memory from each node (10 = local)." },
    { true, "Cores pane (3): what the CPU cores under the program are doing" },
    { false, "One row per online CPU, grouped under headings by NUMA node and by L3 "
             "domain (the cores that share one last-level cache). gmptop counts with the "
             "kernel's perf events: one group of hardware counters per CPU, read once "
             "per refresh, plus two software counters." },
    { false, "UTIL%: how busy the CPU was. IPC: instructions per cycle, how much work "
             "each clock tick got done. Modern cores can retire 4 or more; well below 1 "
             "usually means the core sat waiting, most often for memory." },
    { false, "L3MISS%: of the requests that reached the last-level (L3) cache, the share "
             "it could not serve, so they went to main memory (~100 ns each). Red above "
             "25%, yellow above 10%. L3MPKI: L3 misses per 1000 instructions, the same "
             "cost measured against the work done. On AMD the L3 is counted by a "
             "separate counter per L3 domain, so every core of a domain shows the "
             "domain's figures." },
    { false, "TLBMPKI and TLB/cyc: data TLB misses (per 1000 instructions, per cycle). "
             "The TLB caches address translations; a miss makes the core walk the page "
             "table in memory. More than 0.001 a cycle is red: large, scattered heaps "
             "suffer it, and huge pages cut it." },
    { false, "CSW/s: context switches on the CPU per second (one thread leaving it for "
             "another). MIGR/s: threads moved onto another CPU per second; a moved thread "
             "finds cold caches. Both are software counters and work everywhere, "
             "virtual machines included." },
    { false, "MUX: the CPU has fewer hardware counters than events asked for, so the "
             "kernel took turns (multiplexing); the percentage is how much of the time "
             "they really counted. The figures are scaled up from that share: good for "
             "steady work, rough for short bursts. n/a when a counter never ran." },
    { false, "TARGET: the program's threads whose last CPU was this one (* = running now) "
             "and the Ps whose thread is there. Press t to count per thread instead "
             "(like tiptop): one row per thread of the program, with its own IPC and "
             "misses. That needs about 8 file descriptors a thread; when the limit "
             "(ulimit -n) runs out, the pane says so (EMFILE) instead of guessing." },
    { false, "n/a in the hardware columns and a yellow line at the top saying why: most "
             "virtual machines (including many cloud VMs) do not pass the CPU's "
             "performance counters to the guest, so there is no cpu PMU under "
             "/sys/bus/event_source/devices and the kernel answers ENOENT. No permission "
             "is different: the line then names perf_event_paranoid and CAP_PERFMON, "
             "which would fix it. Thresholds can be changed in gmptoprc: cores.l3_red, "
             "cores.l3_yellow (percent) and cores.dtlb_red (misses per cycle)." },
    { true, "Latency pane (2): how long goroutines wait, and why" },
    { false, "Park latency: a goroutine that cannot go on (it waits for a channel, a lock, "
             "a timer, the network...) parks: it leaves its thread and waits. The time from "
             "parking until something wakes it is its park latency. The wait reason is what "
             "it waited for, as the Go runtime names it: chan receive, chan send, sleep, "
             "select, sync.Mutex.Lock, IO wait and so on (the names are read from the "
             "program itself, since they change between Go versions)." },
    { false, "Histograms: one per busiest reason. Each row is a range of durations, twice "
             "as wide as the one above it (1.25 ms means 1.25 to 2.5 ms), with a bar and "
             "the number of parks in that range. The edges sit at 1.25 ms x 2, 4, 8... so "
             "round waits such as a 2 ms sleep land in the middle of a row, not on its "
             "edge. p50 is the median wait, p99 the wait only 1 in 100 exceeded, max the "
             "longest; each is the upper edge of its row, so read them as 'at most'." },
    { false, "The table lists every wait reason seen: PARKS and PER S (how many), P50, P99, "
             "MAX and MEAN. < and > change the sort column, I inverts it, up and down "
             "scroll. v switches between the last interval and everything since gmptop "
             "attached." },
    { false, "Wake-to-run: the time from a goroutine being made ready (woken, or put back "
             "in the queue) until it really runs on a P. Long wake-to-run means the "
             "goroutines are ready but there is no free P or thread for them. Beside it, "
             "the runtime's own scheduling-latency histogram: the same idea measured by "
             "the Go runtime itself for about 1 in 8 events, read from its memory, so it "
             "shows even without root." },
    { false, "How it is measured: gmptop places one uprobe (a breakpoint the kernel "
             "handles) on runtime.casgstatus, the function the runtime calls every time a "
             "goroutine changes state, and a small BPF program in the kernel files each "
             "wait into the histograms. gmptop only reads the totals once per refresh, "
             "never one event at a time." },
    { false, "Why it is cheap: a breakpoint on most instructions makes the kernel copy "
             "that instruction aside and single-step it (about 15 us each time here). "
             "gmptop reads the first instructions of the function and puts the probe on "
             "one the kernel can simulate directly (push, nop, a jump) and after Go's "
             "stack check, which costs about 1 us. The header line shows the probe point, "
             "the cost per event gmptop measured when it started, and the events per "
             "second." },
    { false, "The governor: the program pays that cost on every state change. gmptop "
             "multiplies events per second by the cost, which it then measures on the "
             "program itself (its CPU time with the probe on and off); when the result is "
             "above two thirds of the budget (2% of one CPU by default, --bpf-budget PCT; "
             "the third kept back is for the traps' harm to the program's caches, which "
             "no meter sees), it samples: the probe "
             "is attached only part of each second (yellow, 'sampling', with the share), so "
             "counts are lower but the shapes stay right; waits longer than the attached "
             "part are missed. If even 5% is too much it detaches (red, 'off') and "
             "measures again every 10 s. The line always says which and why." },
    { false, "'Park latency (BPF) unavailable' gives the reason: it needs root (or the "
             "CAP_BPF and CAP_PERFMON capabilities), a kernel with BTF, and a gmptop "
             "built with BPF support. The runtime histogram still shows." },
    { true, "Diagnoses (6 or d): what the figures add up to" },
    { false, "gmptop runs a set of rules over the recent samples after every refresh. "
             "Each rule looks for one known cause of a program that stalls while the CPUs "
             "are not busy (or are too busy): runqueues that stay long, GOMAXPROCS above "
             "the CPUs the program may use, threads stuck in system calls, garbage "
             "collection, lock contention, migrations, run delay, CPU throttling..." },
    { false, "The line above the footer, on every pane, shows the most severe finding now "
             "(CRIT red, WARN yellow, INFO green) and how many more there are; 'no "
             "findings' when every rule is quiet." },
    { false, "The diagnoses pane lists the active findings (how long each has lasted and "
             "when it started, the full sentence: the figure that crossed the line, why it "
             "matters, what to try, then the evidence figures as name=value), the findings "
             "that ended recently (start, end, duration), and every rule with its state: "
             "quiet, ACTIVE, disabled, or unavailable with the reason (no hardware "
             "counters, no BPF...): such a rule stays silent rather than guess. Beside a "
             "quiet or active rule, the figures it judged this tick over their thresholds "
             "(queued_per_p 7/16): how close it is to firing." },
    { false, "Enter on a finding goes to the pane with its evidence (on one that ended, "
             "rewound to the moment it began); F1 or h on a finding or rule explains it "
             "in plain words, with its thresholds and current values." },
    { false, "Across many machines: gmptop --listen exports each rule's figures and "
             "thresholds (gmptop_diagnosis_figure, gmptop_diagnosis_threshold), and "
             "prometheus/gmptop-alerts.yml alerts on them with the same thresholds and "
             "holds (README, Prometheus)." },
    { false, "F2 opens the setup screen: Space switches the rule under the cursor on or "
             "off, Enter edits a threshold (type a number, Enter accepts, Esc cancels), s "
             "saves. Leaving with F2 or Esc saves too. The settings file is "
             "$XDG_CONFIG_HOME/gmptop/gmptoprc (else ~/.config/gmptop/gmptoprc), keys "
             "mouse, diag.RULE.enabled and diag.RULE.THRESHOLD, written atomically." },
    { true, "Goroutines pane (7): which goroutines, started where, waiting where" },
    { false, "Every goroutine of the program, read from its memory once a second without "
             "stopping it or needing its help (no pprof endpoint, no restart). gmptop reads "
             "each goroutine's saved stack pointer and walks its stack with the tables the "
             "Go compiler leaves in every binary, stripped ones too." },
    { false, "A group is goroutines with the same stack, the same creator, the same status "
             "and the same wait reason, like the grouped goroutine profile (pprof "
             "debug=1). 10,000 goroutines usually make a handful of groups: the question "
             "'which goroutines' becomes 'which few places'." },
    { false, "COUNT: goroutines in the group. GROWTH/s: how many it gained per second over "
             "the window said above the table (about 10 s); a group that keeps growing is "
             "a leak in the making. STATUS: waiting (parked until something wakes it), "
             "runnable (ready, queued for a P), running (on a thread now), syscall (in "
             "the kernel). WAIT REASON: what a waiting goroutine waits for (chan receive, "
             "select, sleep, IO wait, sync.Mutex...)." },
    { false, "CPU%: the group's share of the on-CPU profile's samples in the second its "
             "stacks were read (the CPU pane, 8): which group burns the CPU, next to which "
             "one piles up. - means the profile is not running." },
    { false, "MAX WAIT: the longest wait the runtime recorded in the group. The runtime "
             "stamps a wait only when a garbage collection finds the goroutine waiting, "
             "so before the first GC it shows -, which means unknown, not zero." },
    { false, "WHERE: where the group waits, as a person reads it: the first frame of the "
             "program's own code (main.worker, not time.Sleep), with its file and line. "
             "CREATED BY: the go statement that started these goroutines." },
    { false, "Enter shows the group's whole stack, innermost frame first, with file:line; "
             "calls the compiler inlined are marked (inlined); the runtime's own frames "
             "are dim (runtime.Stack leaves them out). Esc, Enter or q returns." },
    { false, "/ (or F3) filters the groups: type text found in a function, file, creator, "
             "wait reason or status; Enter keeps the filter, Esc clears it. < > sort, I "
             "inverts. From a goroutine_pileup finding, Enter on the diagnoses pane opens "
             "this pane sorted by growth; Enter on the scheduler pane opens it too." },
    { false, "SAMPLED (above the table): the program has more goroutines than "
             "--stacks-budget lets gmptop read in a second (default 20 ms, about 7,000 "
             "goroutines). It then reads a spread-out part each second, continuing where "
             "it stopped, and scales the counts. Torn stacks dropped: goroutines that ran "
             "while gmptop read their stack; gmptop never shows a stack that changed "
             "under it. A running goroutine has no readable stack (running: stack not "
             "readable)." },
    { true, "CPU pane (8): which functions and goroutines are on the CPU" },
    { false, "An on-CPU profile of the running program, without asking it for one (no "
             "pprof endpoint, no restart): the kernel's cpu-clock timer interrupts every "
             "thread of the program N times a second of CPU it uses (N Hz per thread, "
             "--profile-hz) and gmptop reads the call stack at each interrupt, as "
             "runtime/pprof would. The timer is software, so it works without a hardware "
             "PMU (in VMs and containers too). It shows where the CPU time goes, which the "
             "other panes only show the amount of." },
    { false, "It samples only while this pane or the goroutines pane (its CPU% column) is "
             "open, and for a minute after (gmptoprc profile_linger = S; 0 never pauses): "
             "each sample interrupts the program, so a "
             "profile nobody reads is not taken. Opening the pane starts it (\"starting\" "
             "until the next refresh); --record keeps it on." },
    { false, "Top lines: the rate, the threads sampled and the samples in the last "
             "interval (and over the last minute); then whose work they were: user (the "
             "program and its libraries), gc (marking, sweeping, assists, write barriers), "
             "scheduler (finding, stealing, parking goroutines), syscall (in or around a "
             "system call), runtime (the rest of the Go runtime: malloc, maps, channels), "
             "and how much of it ran in the kernel. gc, scheduler, syscall and runtime are "
             "the Go runtime's own work: a large gc share asks for fewer allocations or a "
             "higher GOGC, a large scheduler share for fewer, longer goroutines." },
    { false, "Functions: SELF% is the share of samples with the function itself on the "
             "CPU (the innermost frame); TOTAL% the share with it anywhere on the stack, "
             "that is it or what it called. A high SELF% is the code to make faster; a "
             "high TOTAL% with a low SELF% is a caller whose callees are busy. KIND as "
             "above; FILE is where it is defined. m switches the window between the last "
             "interval and the last minute (steadier); s and t (or < >) sort by SELF% or "
             "TOTAL%." },
    { false, "Enter on a function shows the hottest stacks of the last minute that go "
             "through it, each with its share of the samples, innermost frame first with "
             "file:line; > marks the function, (inlined) calls the compiler inlined, the "
             "runtime's frames are dim. Esc, Enter or q returns." },
    { false, "On the CPU now: the goroutines seen in the samples of the last interval. "
             "GOID is the goroutine in the R14 register at the sample (where Go keeps the "
             "running goroutine), checked against that goroutine's stack; system means "
             "the runtime's own work on a thread's system stack (the scheduler, stack "
             "growth, parts of the GC), not a goroutine's. %: its share of the samples. WHERE: the "
             "hottest frame of the program's own code it ran; STARTED AS: the function "
             "its go statement started; THREAD, P (- when the thread held none) and CPU "
             "of its last sample." },
    { false, "W writes the last 30 s of samples to two files in gmptop's current "
             "directory: gmptop-PID-TIME.pb.gz, a pprof profile (go tool pprof -top FILE, "
             "or -http=: FILE for a flame graph), and gmptop-PID-TIME.folded, folded "
             "stacks for flamegraph.pl or speedscope. The line above the table says what "
             "was written. --profile FILE and --profile-folded FILE write the same without "
             "the screen (they sample, write and exit). When the pane says on-CPU profile n/a, it gives the reason (for "
             "example perf_event_open refused: run as root or lower "
             "kernel.perf_event_paranoid; off with --profile-hz 0). In a replay W is n/a." },
    { true, "Process picker (p)" },
    { false, "PID, USER (owner), GO (Go version, ? = could not read the program file: "
             "needs root or CAP_SYS_PTRACE), THREADS, CPU% (of one CPU), RSS (memory in "
             "use), COMMAND. Only Go programs are listed unless you press a." },
    { true, "Keys" },
    { false, "F1 or h: this help (Up/Down/PgUp/PgDn scroll, any other key closes it); "
             "on the diagnoses pane they explain the selected finding, ? shows this help" },
    { false, "Tab / Shift-Tab: next / previous pane;  1-8: go to a pane;  d: diagnoses" },
    { false, "F2: set up the mouse and the diagnosis rules (on/off, thresholds)" },
    { false, "Space: pause (sampling stops and the display freezes; press again to go on)" },
    { false, "Left / Right: step the panes one snapshot back / forward through the last "
             "hour (--rewind) while gmptop keeps watching underneath; Shift+Left / "
             "Shift+Right: a minute's worth (60 snapshots); g: go to a time (HH:MM:SS, "
             "-seconds back, or seconds from the oldest kept, as in --replay); l: back to "
             "live. The header says REWIND -4m12s and a bar above the footer the moment "
             "shown" },
    { false, "Up/Down, PgUp/PgDn, Home/End: move the selection bar (and scroll the Ps "
             "or threads when they do not fit)" },
    { false, "< and > (or F6): change the sort column;  I: invert the sort order" },
    { false, "p: pick another process. In the picker: Enter attaches, / or F3 searches "
             "(type to filter by command or PID, Esc clears), a shows all processes "
             "(not only Go ones), Esc goes back" },
    { false, "q or F10: quit" },
    { true, "Mouse" },
    { false, "Click a tab to switch pane, a key in the bottom line to press it, a column "
             "title to sort by it (click it again to invert; threads and latency panes), "
             "a row to select it. In the picker a click on the selected process (or a "
             "double click) attaches; on the diagnoses pane a click on the selected "
             "finding goes to its pane; in the setup screen it does what Enter does. The "
             "wheel scrolls. Every click has a key above. To select text with the mouse "
             "instead, switch the mouse off in F2 (saved as mouse = false), or hold Shift "
             "while selecting (most terminals)." },
    { true, "Replay (gmptop --replay FILE)" },
    { false, "The screen shows a recording made with --record, exactly as it looked live; "
             "the bar above the footer shows the position, the length, the speed and "
             "whether it plays. Space: pause / play (at the end: play again from the "
             "start). Left / Right: one snapshot back / forward (pauses). [ or - : slower, "
             "] or + : faster (x0.5 to x16). g: seek, typed as seconds from the start "
             "(90, 1.5), relative (+10, -10) or a wall-clock time (14:03:20). A damaged "
             "recording replays up to the damage, and the bar says where it is." },
};

#define NPARA (sizeof(help_text) / sizeof(help_text[0]))

/* Rows the paragraphs take at width w (a heading after the first adds a blank row). */
static int total_rows(const struct help_para *paras, size_t n, int w)
{
    int rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += draw_wrap(0, 0, w, 0, paras[i].text) + (paras[i].heading && i ? 1 : 0);
    return rows;
}

static void draw_hint(int top, int left, int h, int w, int tw, bool scrolls)
{
    /* The longest that fits: narrow screens drop the mouse's part. */
    const char *more = scrolls ? " Up/Down or wheel scroll, any other key or a click closes "
                               : " any key or a click closes ";
    if (draw_text_width(more) >= tw)
        more = scrolls ? " Up/Down scroll, any other key closes " : " any key closes ";
    int mw = draw_text_width(more);
    if (mw < tw)
        draw_text(top + h - 1, left + w - mw - 2, mw, more);
}

void help_overlay_draw(int rows, int cols, const char *title, const struct help_para *paras,
                       size_t n, int *scroll)
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
        draw_frame(top, left, h, w);
    int tx = left + 2, tw = w - 4, ty = top + 1, th = h - 2;
    attron(A_BOLD);
    draw_text(top, tx, tw, title);
    attroff(A_BOLD);

    int total = total_rows(paras, n, tw);
    int max_scroll = total - th > 0 ? total - th : 0;
    if (*scroll > max_scroll)
        *scroll = max_scroll;
    if (*scroll < 0)
        *scroll = 0;
    int skip = *scroll, y = ty;
    for (size_t i = 0; i < n && y < ty + th; i++) {
        const struct help_para *p = &paras[i];
        if (p->heading && i) {
            if (skip > 0)
                skip--;
            else
                y++;
        }
        if (y >= ty + th)
            break;
        int rows_p = draw_wrap(0, 0, tw, 0, p->text);
        if (skip >= rows_p) {
            skip -= rows_p;
            continue;
        }
        if (p->heading)
            attron(draw_role(THEME_TITLE) | A_BOLD);
        y += draw_wrap_skip(y, tx, tw, skip, ty + th - y, p->text);
        if (p->heading)
            attrset(a);
        skip = 0;
    }
    draw_hint(top, left, h, w, tw, max_scroll > 0);
    attrset(A_NORMAL);
}

int help_scroll_for_pane(int key, int rows, int cols)
{
    /* The same text width as help_overlay_draw at this size. */
    int m = cols >= 60 && rows >= 16 ? 1 : 0, tw = cols - 4 * m - 4;
    char tag[8];
    snprintf(tag, sizeof(tag), "(%d", key);
    if (tw < 1)
        return 0;
    int row = 0;
    for (size_t i = 0; i < NPARA; i++) {
        if (help_text[i].heading && i && strstr(help_text[i].text, tag))
            return row + 1;                  /* past the blank row before the heading */
        row += draw_wrap(0, 0, tw, 0, help_text[i].text) + (help_text[i].heading && i ? 1 : 0);
    }
    return 0;
}

void help_draw(int rows, int cols, int *scroll)
{
    help_overlay_draw(rows, cols, " gmptop help ", help_text, NPARA, scroll);
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
