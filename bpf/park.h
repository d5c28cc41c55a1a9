/* park.h: types shared by the park-latency BPF program (park.bpf.c) and its loader
 * (collectors/park.c): map layouts, histogram slots, counters, Go status numbers. */
#ifndef GMPTOP_BPF_PARK_H
#define GMPTOP_BPF_PARK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* log2 slots: each twice as wide as the one before, with edges at 1.25 ms x 2^k
 * (..., 312.5 us, 625 us, 1.25 ms, 2.5 ms, 5 ms, ...): slot i holds durations d with
 * 2^i <= d * PARK_SCALE_MUL / PARK_SCALE_DIV < 2^(i+1) (slot 0 also holds 0). Edges at
 * 2^k ns would sit at 524 us and 2.097 ms, right inside the clusters Go produces around
 * round durations: a 2 ms sleep parks 2.0-2.3 ms (timers wait in epoll_wait, whose
 * timeout is whole milliseconds), a consumer fed every 500 us parks 0.3-0.5 ms. With
 * these edges round durations sit inside a slot, 0.625 to 1.25 times its value.
 * Slot 21 is [1.25 ms, 2.5 ms); the last one (from 327 s) is open-ended. */
#define PARK_SLOTS 40
#define PARK_SCALE_MUL 2097152ULL     /* 2^21 */
#define PARK_SCALE_DIV 1250000ULL     /* 1.25 ms */
#define PARK_SCALE_MAX_NS (1ULL << 42) /* d * MUL stays below 2^63 */

/* Wait reasons are g.waitreason (a uint8 index into runtime.waitReasonStrings); Go 1.23
 * has 38. A reason at or above PARK_MAX_REASONS is counted as bad, never filed. */
#define PARK_MAX_REASONS 64
/* Histogram index of runnable -> running (wake-to-run) in the hists map. */
#define PARK_HIST_WAKE PARK_MAX_REASONS
#define PARK_NHISTS (PARK_MAX_REASONS + 1)

/* Goroutines tracked at once (park starts and runnable starts each); LRU maps, so a
 * program with more parked goroutines loses the oldest starts, counted as no-start. */
#define PARK_MAX_GS 131072

/* g.atomicstatus values (runtime/runtime2.go, unchanged since Go 1.0). */
#define PARK_G_RUNNABLE 1
#define PARK_G_RUNNING 2
#define PARK_G_WAITING 4

/* One cumulative histogram (per CPU in the kernel, summed by user space). */
struct park_hist {
    __u64 count;
    __u64 sum_ns;
    __u64 max_ns;
    __u64 slots[PARK_SLOTS];
};

/* Where a start was recorded: reason and the attach generation it belongs to, so an end
 * seen after a detach/re-attach gap is not paired with a start from before it. */
struct park_start {
    __u64 ts_ns;
    __u32 reason;
    __u32 gen;
};

enum park_counter {
    PARK_C_CALLS,       /* every runtime.casgstatus the probe saw (what costs) */
    PARK_C_PARK_START,  /* running -> waiting */
    PARK_C_PARK_END,    /* waiting -> anything, with its start: filed in a histogram */
    PARK_C_RUNNABLE,    /* anything -> runnable */
    PARK_C_RUN,         /* runnable -> running with its start: filed as wake-to-run */
    PARK_C_NO_START,    /* an end without a start (attached mid-park, LRU eviction) */
    PARK_C_STALE,       /* an end whose start was from an earlier attach window */
    PARK_C_BAD_REASON,  /* waitreason out of range or unreadable */
    PARK_C_COUNT
};

struct park_counters {
    __u64 c[PARK_C_COUNT];
};

#endif
