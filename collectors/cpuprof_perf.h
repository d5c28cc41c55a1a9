/* cpuprof_perf: the kernel's cpu-clock software event sampling every thread of one
 * process with its user call chain (frame pointers, which Go keeps on amd64), the user
 * registers that name the goroutine (R14 holds g in Go code) and the word at the stack
 * pointer (the return address a frameless leaf has not linked yet). No PMU. One event
 * per CPU behind a BPF filter that keeps the target's samples (cpuprof_filter.h) where
 * BPF and CPU-wide events are allowed: the target then pays only for its samples.
 * Elsewhere one event per thread, which also costs the target about a microsecond at
 * every context switch. Perf ring buffers read by the caller; the record parser is pure
 * (fuzzed). */
#ifndef GMPTOP_CPUPROF_PERF_H
#define GMPTOP_CPUPROF_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CPUPROF_MAX_DEPTH 64        /* user frames kept per sample */
#define CPUPROF_MAX_THREADS 1024    /* threads sampled at most (one fd and ring each) */

/* One sample as the kernel took it. */
struct cpuprof_raw {
    pid_t pid, tid;
    uint32_t cpu;
    uint64_t time_ns;           /* CLOCK_MONOTONIC (use_clockid) */
    uint64_t ip;                /* where it hit: a kernel address in a system call */
    bool in_kernel;
    bool have_regs;             /* the user registers below were dumped */
    uint64_t sp, r14;
    bool have_ret;              /* the word at user sp was dumped */
    uint64_t ret;
    bool truncated;             /* more user frames than CPUPROF_MAX_DEPTH */
    uint32_t nips;
    uint64_t ips[CPUPROF_MAX_DEPTH];   /* user frames, innermost (the user ip) first */
};

/* Parse one PERF_RECORD_SAMPLE record (header included, len bytes) as the sampler asks
 * for it. 0, or -EINVAL when the record is not a sample or its sizes do not add up. */
int cpuprof_perf_parse(const void *rec, size_t len, struct cpuprof_raw *out);

typedef void (*cpuprof_sample_fn)(void *arg, const struct cpuprof_raw *r);

/* Walk the records of a perf ring's data area (size bytes, a power of two) from tail to
 * head: fn for each sample that parses, *lost += what the kernel dropped. A record that
 * wraps the end is put together in scratch (64 KiB). Pure (fuzzed); returns samples. */
long cpuprof_ring_walk(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
                       uint8_t *scratch, cpuprof_sample_fn fn, void *arg, uint64_t *lost,
                       struct cpuprof_raw *raw);

struct cpuprof_perf;

/* Sample pid's threads at hz. Opens the event on the main thread at once so that a
 * machine or permission that refuses it is told now: NULL + why. Refused kernel-mode
 * samples (perf_event_paranoid 2 without CAP_PERFMON), it samples user mode only. */
struct cpuprof_perf *cpuprof_perf_open(pid_t pid, double hz, char *why, size_t len);
void cpuprof_perf_close(struct cpuprof_perf *p);

/* Follow the thread list: open the event on threads that appeared, close it on those
 * that exited (after their last samples were drained). Returns the threads sampled;
 * -ESRCH when the process is gone. A note (file limit, refused threads) goes to note. */
int cpuprof_perf_sync(struct cpuprof_perf *p, char *note, size_t len);

/* Read every ring: fn for each sample. Returns samples read; *lost adds the samples the
 * kernel dropped because a ring was full. */
long cpuprof_perf_drain(struct cpuprof_perf *p, cpuprof_sample_fn fn, void *arg,
                        uint64_t *lost);

/* Whether only user-mode time is sampled (system calls and faults are not seen). */
bool cpuprof_perf_user_only(const struct cpuprof_perf *p);

/* Whether one event per CPU samples the target (else one per thread), and when not,
 * what refused it. */
bool cpuprof_perf_per_cpu(const struct cpuprof_perf *p);
const char *cpuprof_perf_mode_why(const struct cpuprof_perf *p);

/* Change the sampling rate of every event (the governor). 0 or -errno. */
int cpuprof_perf_set_hz(struct cpuprof_perf *p, double hz);

/* What one sample costs the sampled thread on this machine, in ns: a thread of gmptop
 * reads the clock in a loop for 30 ms unsampled and 30 ms sampled at 5 kHz, and the
 * interruptions added are the samples' (a timer interrupt, which in a VM is a VM exit,
 * the frame-pointer walk and the ring write). About 60 ms of one core; -1 when the
 * event cannot be opened or too few samples came. */
double cpuprof_perf_calibrate(void);

/* What one context switch of a thread costs it more with a per-thread cpu-clock event
 * on it, in ns: two threads of gmptop bounce a byte through pipes on one CPU, 2,000
 * times a run, three runs with an event on each between four without, the quickest of
 * each. About 100 ms; -1 when the events cannot be opened (and below 0, or near it,
 * when noise swamps the figure). */
double cpuprof_perf_switch_cost(void);

/* The times pid's threads have been put on a CPU (schedstat's timeslices, the sum over
 * its threads now): their context switches, to a thread or two that exited. -1 when
 * the process is gone or does not say. */
int64_t cpuprof_perf_timeslices(pid_t pid);

/* Why perf_event_open refused (errno err) in words for the pane. */
void cpuprof_perf_explain(int err, char *why, size_t len);

#endif
