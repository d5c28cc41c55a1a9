/* go_timehist: decode the Go runtime's latency histograms read from a target's memory. */
#ifndef GMPTOP_GO_TIMEHIST_H
#define GMPTOP_GO_TIMEHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Per-version bucket layout, interval deltas, a log2 view and quantiles of a
 * runtime.timeHistogram. Pure: no I/O; the caller reads the struct's bytes (go_offsets
 * says where) and hands them over.
 *
 * Where the runtime keeps these histograms (read from the Go sources of 1.19, 1.22 and
 * 1.23; for 1.20/1.21 take whichever member DWARF shows):
 *   scheduling latency  runtime.sched.timeToRun (go1.17+)  = /sched/latencies:seconds
 *   GC pauses           runtime.memstats.gcPauseDist (go1.16-1.21) = /gc/pauses:seconds
 *                       runtime.sched.stwTotalTimeGC (go1.22+), which /gc/pauses:seconds
 *                       reports from 1.22 on (also /sched/pauses/total/gc:seconds)
 *
 * Layouts: up to go1.19 counts[720] (45 power-of-two ranges x 16 linear sub-buckets, the
 * last one open-ended) + underflow; from go1.20 counts[160] (40 ranges x 4, the first
 * covering [0,256ns)) + underflow + overflow (>= 2^47 ns).
 *
 * Bucket bounds follow runtime/metrics: bucket k holds durations d with
 * lower <= d < upper; "le_ns" below is that exclusive upper bound, as runtime/metrics
 * reports it (Float64Histogram.Buckets[k+1] * 1e9). GO_TIMEHIST_INF stands for +Inf.
 */

#define GO_TIMEHIST_INF UINT64_MAX
#define GO_TIMEHIST_MAX_COUNTS 720             /* largest counts[] of any layout */
#define GO_TIMEHIST_MAX_RAW (GO_TIMEHIST_MAX_COUNTS + 2)
#define GO_TIMEHIST_MAX_LOG2 68

enum go_timehist_error {
    GO_TIMEHIST_OK = 0,
    GO_TIMEHIST_ERR_VERSION = -1,   /* version unparsable or without this histogram */
    GO_TIMEHIST_ERR_LAYOUT = -2,    /* DWARF/table layout disagrees with the version's */
    GO_TIMEHIST_ERR_BACKWARDS = -3, /* a cumulative counter went down (restart, bad read) */
    GO_TIMEHIST_ERR_ARG = -4,       /* NULL, short buffer, offsets out of range */
};

struct go_timehist_layout {
    int version_minor;       /* 19 for go1.19.8 */
    size_t ncounts;          /* length of timeHistogram.counts */
    bool has_overflow;       /* go1.20+: a separate overflow counter */
    unsigned sub_bits;       /* linear sub-buckets per power-of-two range: 1 << sub_bits */
    unsigned min_bits;       /* durations below 1 << (min_bits - 1) share range 0 */
    size_t nraw;             /* runtime/metrics counts: underflow + counts + overflow */
};

/* Byte offsets of the timeHistogram members (go_offsets GO_TIMEHIST_*); -1 = absent. */
struct go_timehist_members {
    int64_t counts;
    int64_t underflow;
    int64_t overflow;
    int64_t size;            /* the struct's size; -1 if unknown */
};

/* One cumulative read of a timeHistogram. */
struct go_timehist_raw {
    uint64_t underflow;
    uint64_t overflow;                       /* 0 where the layout has none */
    uint64_t counts[GO_TIMEHIST_MAX_COUNTS]; /* [0, layout.ncounts) used */
};

struct go_timehist_bucket {
    uint64_t le_ns;          /* exclusive upper bound in ns; 0 = negative durations */
    uint64_t count;
};

/* The events of one interval (the delta of two reads). */
struct go_timehist_interval {
    uint64_t total;          /* all events, underflow and overflow included */
    /* Exactly the runtime/metrics histogram: [0] is underflow (le_ns 0), then one bucket
     * per counts[] element, then overflow (le_ns INF) where the layout has one. */
    size_t nraw;
    struct go_timehist_bucket raw[GO_TIMEHIST_MAX_RAW];
    /* Raw buckets merged into power-of-two bounds (le_ns 1, 2, 4, ...); a raw bucket that
     * straddles a power of two ([0,64ns) in go1.20+, go1.19's open-ended top from
     * 2^47 + 15 * 2^43) keeps its own bounds, and the bucket before it ends where it
     * starts, so the view is still a partition. Starts with underflow (le_ns 0). */
    size_t nlog2;
    struct go_timehist_bucket log2[GO_TIMEHIST_MAX_LOG2];
    /* Upper bound of the bucket holding the quantile / the highest event; 0 when it is in
     * underflow, GO_TIMEHIST_INF when open-ended. All 0 when total == 0: show n/a/null
     * then, never 0 ns. */
    uint64_t p50_ns, p90_ns, p99_ns, max_ns;
};

/* The layout of go_version ("go1.22.12", "go1.21rc2", "devel go1.23-abc ...") checked
 * against the counts[] length from DWARF or the offset table (0 = unknown: refused).
 * Returns 0, and reason may carry a note (a version newer than the layouts read from
 * source, accepted because its counts length matches); "" when there is nothing to say.
 * Returns GO_TIMEHIST_ERR_VERSION or _LAYOUT with reason saying why. */
/* Bytes of a go_timehist_raw that hold this layout's counts (allocate this much). */
size_t go_timehist_raw_size(const struct go_timehist_layout *l);

int go_timehist_layout_for(const char *go_version, size_t ncounts_from_dwarf,
                           struct go_timehist_layout *out, char *reason, size_t len);

/* Bounds in ns of counts[i]; upper is GO_TIMEHIST_INF for an open-ended bucket.
 * Out-of-range i: lower and upper both GO_TIMEHIST_INF. */
uint64_t go_timehist_lower_ns(const struct go_timehist_layout *l, size_t i);
uint64_t go_timehist_upper_ns(const struct go_timehist_layout *l, size_t i);

/* The counts[] index the runtime files a duration under, or -1 for underflow (d < 0),
 * -2 for overflow, -3 for a bad layout: the runtime's record(), for tests and synthetic
 * data. */
long go_timehist_index_of(const struct go_timehist_layout *l, int64_t duration_ns);

/* Fill raw from the bytes of one timeHistogram struct (len bytes read from the target).
 * Checks that members lie inside buf, that the struct is as long as the layout needs, and
 * that overflow is present exactly when the layout has one. */
int go_timehist_raw_from_bytes(const struct go_timehist_layout *l, const void *buf,
                               size_t len, const struct go_timehist_members *m,
                               struct go_timehist_raw *raw, char *reason, size_t rlen);

/* The events between two cumulative reads; prev NULL = since the process started. A
 * counter that went down fails with GO_TIMEHIST_ERR_BACKWARDS (reason names the bucket);
 * out is then zeroed, never negative. */
int go_timehist_interval(const struct go_timehist_layout *l,
                         const struct go_timehist_raw *prev,
                         const struct go_timehist_raw *cur,
                         struct go_timehist_interval *out, char *reason, size_t len);

/* Upper bound of the bucket holding quantile permille/1000 of total events in b[0..n)
 * (sorted by le_ns): the first bucket whose running count reaches ceil(total*q).
 * GO_TIMEHIST_INF when total is 0 or the rank lies beyond b (callers check total). */
uint64_t go_timehist_quantile_ns(const struct go_timehist_bucket *b, size_t n,
                                 uint64_t total, unsigned permille);

#endif
