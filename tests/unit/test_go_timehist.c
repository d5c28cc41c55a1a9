/* Tests for go_timehist: synthetic histograms per layout, and live Go programs whose
 * runtime/metrics output must equal what we decode from their memory ($TIMEHIST_BINS). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "target/go_binary.h"
#include "target/go_offsets.h"
#include "model/go_timehist.h"
#include "target/target_mem.h"

#define INF GO_TIMEHIST_INF

static struct go_timehist_layout layout(const char *version, size_t n)
{
    struct go_timehist_layout l;
    char reason[256];
    int rc = go_timehist_layout_for(version, n, &l, reason, sizeof(reason));
    if (rc != 0)
        fail_msg("layout_for(%s, %zu) = %d: %s", version, n, rc, reason);
    return l;
}

/* runtime/metrics Float64Histogram.Buckets in ns (INF for +Inf; [0] is -Inf, unused),
 * written the way each release's timeHistogramMetricsBuckets builds them, independently
 * of the closed form in go_timehist.c. Returns the number of boundaries. */
static size_t go_metrics_buckets(int minor, uint64_t *b)
{
    size_t n = 0;
    b[n++] = 0; /* -Inf */
    if (minor <= 19) {
        for (uint64_t i = 0; i < 16; i++)
            b[n++] = i;
        for (unsigned i = 0; i < 44; i++)
            for (uint64_t j = 0; j < 16; j++)
                b[n++] = ((uint64_t)1 << (i + 4)) | (j << i);
    } else {
        for (uint64_t j = 0; j < 4; j++)
            b[n++] = j << (9 - 1 - 2);
        for (unsigned i = 9; i < 48; i++)
            for (uint64_t j = 0; j < 4; j++)
                b[n++] = ((uint64_t)1 << (i - 1)) | (j << (i - 1 - 2));
        b[n++] = (uint64_t)1 << 47;
    }
    b[n++] = INF;
    return n;
}

/* ---- layouts ------------------------------------------------------------------------ */

static void test_layout_for(void **state)
{
    (void)state;
    struct go_timehist_layout l;
    char r[256];
    assert_int_equal(go_timehist_layout_for("go1.19.8", 720, &l, r, sizeof(r)), 0);
    assert_string_equal(r, "");
    assert_int_equal(l.version_minor, 19);
    assert_false(l.has_overflow);
    assert_int_equal(l.nraw, 721);
    assert_int_equal(go_timehist_layout_for("go1.22.12", 160, &l, r, sizeof(r)), 0);
    assert_true(l.has_overflow);
    assert_int_equal(l.nraw, 162);
    assert_int_equal(go_timehist_layout_for("go1.23.5 X:loopvar", 160, &l, r, sizeof(r)), 0);
    assert_int_equal(go_timehist_layout_for("go1.20rc2", 160, &l, r, sizeof(r)), 0);
    assert_int_equal(go_timehist_layout_for("go1.17", 720, &l, r, sizeof(r)), 0);

    /* Newer than the sources read: accepted with a note when the length matches. */
    assert_int_equal(go_timehist_layout_for("devel go1.26-abc123 Tue", 160, &l, r,
                                            sizeof(r)), 0);
    assert_non_null(strstr(r, "assumed"));
    assert_int_equal(go_timehist_layout_for("go1.25.0", 161, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_LAYOUT);

    /* DWARF disagreeing with the version, or unknown: refused, never guessed. */
    assert_int_equal(go_timehist_layout_for("go1.19.8", 160, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_LAYOUT);
    assert_non_null(strstr(r, "160"));
    assert_non_null(strstr(r, "720"));
    assert_int_equal(go_timehist_layout_for("go1.22.12", 720, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_LAYOUT);
    assert_int_equal(go_timehist_layout_for("go1.22.12", 0, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_LAYOUT);
    assert_non_null(strstr(r, "unknown"));

    assert_int_equal(go_timehist_layout_for("go1.15.2", 720, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_VERSION);
    assert_int_equal(go_timehist_layout_for("", 160, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_VERSION);
    assert_int_equal(go_timehist_layout_for(NULL, 160, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_VERSION);
    assert_int_equal(go_timehist_layout_for("xgo1.22", 160, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_VERSION);
    assert_int_equal(go_timehist_layout_for("go1.x", 160, &l, r, sizeof(r)),
                     GO_TIMEHIST_ERR_VERSION);
    assert_int_equal(go_timehist_layout_for("go1.22", 160, NULL, r, sizeof(r)),
                     GO_TIMEHIST_ERR_ARG);
    assert_int_equal(go_timehist_layout_for("go1.22", 160, &l, NULL, 0), 0);
}

/* Every bound equals what that release's runtime/metrics reports. */
static void check_bounds(const char *version, size_t n)
{
    struct go_timehist_layout l = layout(version, n);
    uint64_t b[GO_TIMEHIST_MAX_RAW + 2];
    size_t nb = go_metrics_buckets(l.version_minor, b);
    assert_int_equal(nb, l.nraw + 1);
    /* b[1] is 0: the end of the underflow bucket; counts[i] spans b[i+1]..b[i+2]. */
    assert_int_equal(b[1], 0);
    for (size_t i = 0; i < l.ncounts; i++) {
        assert_int_equal(go_timehist_lower_ns(&l, i), b[i + 1]);
        assert_int_equal(go_timehist_upper_ns(&l, i), b[i + 2]);
    }
    assert_int_equal(go_timehist_lower_ns(&l, l.ncounts), INF);
    assert_int_equal(go_timehist_upper_ns(&l, l.ncounts), INF);
    assert_int_equal(go_timehist_upper_ns(NULL, 0), INF);
}

static void test_bounds(void **state)
{
    (void)state;
    check_bounds("go1.19.8", 720);
    check_bounds("go1.22.12", 160);
    check_bounds("go1.23.5", 160);

    struct go_timehist_layout o = layout("go1.19.8", 720), n = layout("go1.22.12", 160);
    assert_int_equal(go_timehist_lower_ns(&o, 0), 0);
    assert_int_equal(go_timehist_upper_ns(&o, 0), 1);
    assert_int_equal(go_timehist_upper_ns(&o, 15), 16);
    assert_int_equal(go_timehist_upper_ns(&o, 16), 17);
    assert_int_equal(go_timehist_lower_ns(&o, 719), (1ULL << 47) | (15ULL << 43));
    assert_int_equal(go_timehist_upper_ns(&o, 719), INF);
    assert_int_equal(go_timehist_upper_ns(&n, 0), 64);
    assert_int_equal(go_timehist_upper_ns(&n, 3), 256);
    assert_int_equal(go_timehist_upper_ns(&n, 4), 320);
    assert_int_equal(go_timehist_lower_ns(&n, 159), (1ULL << 46) | (3ULL << 44));
    assert_int_equal(go_timehist_upper_ns(&n, 159), 1ULL << 47);
}

/* index_of (the runtime's record()) files each duration inside its bucket's bounds. */
static void check_index(const struct go_timehist_layout *l, int64_t d)
{
    long i = go_timehist_index_of(l, d);
    if (i == -2) {
        assert_true(l->has_overflow);
        assert_true((uint64_t)d >= go_timehist_upper_ns(l, l->ncounts - 1));
        return;
    }
    assert_true(i >= 0 && (size_t)i < l->ncounts);
    if (!(go_timehist_lower_ns(l, (size_t)i) <= (uint64_t)d &&
          (uint64_t)d < go_timehist_upper_ns(l, (size_t)i)))
        fail_msg("go1.%d: %" PRId64 " ns filed in counts[%ld] = [%" PRIu64 ", %" PRIu64 ")",
                 l->version_minor, d, i, go_timehist_lower_ns(l, (size_t)i),
                 go_timehist_upper_ns(l, (size_t)i));
}

static void test_index_of(void **state)
{
    (void)state;
    struct go_timehist_layout ls[2] = { layout("go1.19.8", 720), layout("go1.22.12", 160) };
    for (int k = 0; k < 2; k++) {
        const struct go_timehist_layout *l = &ls[k];
        assert_int_equal(go_timehist_index_of(l, -1), -1);
        assert_int_equal(go_timehist_index_of(l, INT64_MIN), -1);
        assert_int_equal(go_timehist_index_of(l, 0), 0);
        for (int64_t d = 0; d < 200000; d++)
            check_index(l, d);
        for (size_t i = 0; i < l->ncounts; i++) {
            uint64_t lo = go_timehist_lower_ns(l, i), hi = go_timehist_upper_ns(l, i);
            assert_int_equal(go_timehist_index_of(l, (int64_t)lo), (long)i);
            if (hi != INF)
                assert_int_equal(go_timehist_index_of(l, (int64_t)(hi - 1)), (long)i);
        }
        uint64_t x = 88172645463325252ULL;
        for (int r = 0; r < 200000; r++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check_index(l, (int64_t)(x >> (1 + x % 63)));
        }
        check_index(l, INT64_MAX);
    }
    assert_int_equal(go_timehist_index_of(&ls[0], INT64_MAX), 719);
    assert_int_equal(go_timehist_index_of(&ls[1], (int64_t)1 << 47), -2);
    assert_int_equal(go_timehist_index_of(&ls[1], ((int64_t)1 << 47) - 1), 159);
}

/* ---- intervals ---------------------------------------------------------------------- */

static void record(const struct go_timehist_layout *l, struct go_timehist_raw *h, int64_t d,
                   uint64_t times)
{
    long i = go_timehist_index_of(l, d);
    if (i == -1)
        h->underflow += times;
    else if (i == -2)
        h->overflow += times;
    else
        h->counts[i] += times;
}

static uint64_t sum(const struct go_timehist_bucket *b, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += b[i].count;
    return s;
}

static void test_interval_old(void **state)
{
    (void)state;
    struct go_timehist_layout l = layout("go1.19.8", 720);
    static struct go_timehist_raw a, b;
    static struct go_timehist_interval iv;
    char r[256];
    memset(&a, 0, sizeof(a));
    record(&l, &a, 1000, 5);
    b = a;
    record(&l, &b, -5, 1);             /* underflow */
    record(&l, &b, 0, 10);             /* first bucket */
    record(&l, &b, 1500, 80);          /* [1472, 1536) */
    record(&l, &b, 100000, 8);         /* [98304, 102400) */
    record(&l, &b, INT64_MAX, 1);      /* open-ended top */
    assert_int_equal(go_timehist_interval(&l, &a, &b, &iv, r, sizeof(r)), 0);
    assert_int_equal(iv.total, 100);
    assert_int_equal(iv.nraw, 721);
    assert_int_equal(iv.raw[0].le_ns, 0);
    assert_int_equal(iv.raw[0].count, 1);
    assert_int_equal(iv.raw[1].le_ns, 1);
    assert_int_equal(iv.raw[1].count, 10);
    assert_int_equal(iv.raw[720].le_ns, INF);
    assert_int_equal(iv.raw[720].count, 1);
    assert_int_equal(sum(iv.raw, iv.nraw), 100);
    /* rank 50 and 90 fall among the 80 at 1500 ns; rank 99 among the 8 at 100 us. */
    assert_int_equal(iv.p50_ns, 1536);
    assert_int_equal(iv.p90_ns, 1536);
    assert_int_equal(iv.p99_ns, 102400);
    assert_int_equal(iv.max_ns, INF);

    /* log2 view: 0 (underflow), 1, 2, 4, ... 2^47, then [2^47, 2^47 + 15 * 2^43) ends
     * where the open-ended top bucket starts. */
    assert_int_equal(iv.nlog2, 51);
    assert_int_equal(iv.log2[0].le_ns, 0);
    for (size_t k = 1; k < 49; k++)
        assert_int_equal(iv.log2[k].le_ns, 1ULL << (k - 1));
    assert_int_equal(iv.log2[49].le_ns, (1ULL << 47) | (15ULL << 43));
    assert_int_equal(iv.log2[50].le_ns, INF);
    assert_int_equal(sum(iv.log2, iv.nlog2), 100);
    assert_int_equal(iv.log2[1].count, 10);    /* [0,1) */
    assert_int_equal(iv.log2[12].count, 80);   /* [1024,2048) */
    assert_int_equal(iv.log2[18].count, 8);    /* [65536,131072) */
    assert_int_equal(iv.log2[50].count, 1);

    /* Since start: the 5 earlier events at 1000 ns come back. */
    assert_int_equal(go_timehist_interval(&l, NULL, &b, &iv, r, sizeof(r)), 0);
    assert_int_equal(iv.total, 105);
}

static void test_interval_new(void **state)
{
    (void)state;
    struct go_timehist_layout l = layout("go1.23.5", 160);
    static struct go_timehist_raw a, b;
    static struct go_timehist_interval iv;
    char r[256];
    memset(&a, 0, sizeof(a));
    b = a;
    record(&l, &b, 63, 40);                   /* [0,64) */
    record(&l, &b, 200, 50);                  /* [192,256) */
    record(&l, &b, 12000000, 9);              /* 12 ms: [10485760, 12582912) */
    record(&l, &b, (int64_t)1 << 50, 1);      /* overflow */
    assert_int_equal(go_timehist_interval(&l, &a, &b, &iv, r, sizeof(r)), 0);
    assert_int_equal(iv.total, 100);
    assert_int_equal(iv.nraw, 162);
    assert_int_equal(iv.raw[1].le_ns, 64);
    assert_int_equal(iv.raw[1].count, 40);
    assert_int_equal(iv.raw[161].le_ns, INF);
    assert_int_equal(iv.raw[161].count, 1);
    assert_int_equal(iv.raw[160].le_ns, 1ULL << 47);
    assert_int_equal(iv.p50_ns, 256);
    assert_int_equal(iv.p90_ns, 256);
    assert_int_equal(iv.p99_ns, 12582912);
    assert_int_equal(iv.max_ns, INF);

    /* [0,64) straddles 1..64 so it keeps its bound; then 128, 256, ... 2^47, top. */
    assert_int_equal(iv.nlog2, 44);
    assert_int_equal(iv.log2[0].le_ns, 0);
    assert_int_equal(iv.log2[1].le_ns, 64);
    for (size_t k = 2; k < 43; k++)
        assert_int_equal(iv.log2[k].le_ns, 1ULL << (k + 5));
    assert_int_equal(iv.log2[43].le_ns, INF);
    assert_int_equal(iv.log2[1].count, 40);
    assert_int_equal(iv.log2[3].count, 50);    /* [128,256) */
    assert_int_equal(iv.log2[19].count, 9);    /* [2^23, 2^24) */
    assert_int_equal(sum(iv.log2, iv.nlog2), 100);

    /* Nothing happened: zero events, quantiles defined as 0. */
    assert_int_equal(go_timehist_interval(&l, &b, &b, &iv, r, sizeof(r)), 0);
    assert_int_equal(iv.total, 0);
    assert_int_equal(iv.p99_ns, 0);
    assert_int_equal(iv.max_ns, 0);
}

/* Each raw bucket lies inside its log2 bucket, or is kept whole. */
static void test_log2_nesting(void **state)
{
    (void)state;
    const char *vs[] = { "go1.19.8", "go1.22.12" };
    const size_t ns[] = { 720, 160 };
    for (int k = 0; k < 2; k++) {
        struct go_timehist_layout l = layout(vs[k], ns[k]);
        static struct go_timehist_raw h;
        static struct go_timehist_interval iv;
        for (size_t i = 0; i < l.ncounts; i++)
            h.counts[i] = i + 1;
        h.underflow = 7;
        h.overflow = l.has_overflow ? 3 : 0;
        assert_int_equal(go_timehist_interval(&l, NULL, &h, &iv, NULL, 0), 0);
        assert_int_equal(sum(iv.log2, iv.nlog2), iv.total);
        size_t lb = 0;
        uint64_t prev_le = 0;
        for (size_t r = 1; r < iv.nraw; r++) {
            uint64_t lo = r <= l.ncounts ? go_timehist_lower_ns(&l, r - 1) : 1ULL << 47;
            uint64_t hi = iv.raw[r].le_ns;
            while (lb < iv.nlog2 && iv.log2[lb].le_ns < hi)
                prev_le = iv.log2[lb++].le_ns;
            assert_true(lb < iv.nlog2);
            assert_true(lo >= prev_le && hi <= iv.log2[lb].le_ns);
        }
    }
}

static void test_backwards(void **state)
{
    (void)state;
    struct go_timehist_layout l = layout("go1.22.12", 160);
    static struct go_timehist_raw a, b;
    static struct go_timehist_interval iv;
    char r[256];
    a.counts[17] = 10;
    b = a;
    b.counts[17] = 9;
    b.counts[3] = 100;
    assert_int_equal(go_timehist_interval(&l, &a, &b, &iv, r, sizeof(r)),
                     GO_TIMEHIST_ERR_BACKWARDS);
    assert_non_null(strstr(r, "counts[17]"));
    assert_int_equal(iv.total, 0);
    assert_int_equal(iv.nraw, 0);
    assert_int_equal(iv.raw[4].count, 0);
    b = a;
    a.overflow = 2;
    assert_int_equal(go_timehist_interval(&l, &a, &b, &iv, r, sizeof(r)),
                     GO_TIMEHIST_ERR_BACKWARDS);
    assert_non_null(strstr(r, "overflow"));
    a.overflow = 0;
    a.underflow = 1;
    assert_int_equal(go_timehist_interval(&l, &a, &b, &iv, r, sizeof(r)),
                     GO_TIMEHIST_ERR_BACKWARDS);
    assert_non_null(strstr(r, "underflow"));
    assert_int_equal(go_timehist_interval(&l, &a, NULL, &iv, r, sizeof(r)),
                     GO_TIMEHIST_ERR_ARG);
    assert_int_equal(go_timehist_interval(NULL, &a, &b, &iv, r, sizeof(r)),
                     GO_TIMEHIST_ERR_ARG);
    assert_int_equal(go_timehist_interval(&l, &a, &b, NULL, r, sizeof(r)),
                     GO_TIMEHIST_ERR_ARG);
}

static void test_quantile(void **state)
{
    (void)state;
    struct go_timehist_bucket b[] = { { 0, 0 }, { 10, 1 }, { 20, 98 }, { 40, 1 } };
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 0), 10);    /* rank 1 */
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 10), 10);   /* rank 1 */
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 500), 20);
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 990), 20);  /* rank 99 */
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 991), 40);  /* rank 100 */
    assert_int_equal(go_timehist_quantile_ns(b, 4, 100, 1000), 40);
    assert_int_equal(go_timehist_quantile_ns(b, 4, 0, 500), INF);
    assert_int_equal(go_timehist_quantile_ns(b, 4, 1000, 500), INF); /* total > counts */
    assert_int_equal(go_timehist_quantile_ns(NULL, 4, 100, 500), INF);
    struct go_timehist_bucket big[] = { { 5, UINT64_MAX }, { 6, UINT64_MAX } };
    assert_int_equal(go_timehist_quantile_ns(big, 2, UINT64_MAX, 990), 5);
}

/* A timeHistogram image at its real offsets: counts, underflow (, overflow). */
static void test_raw_from_bytes(void **state)
{
    (void)state;
    char r[256];
    static struct go_timehist_raw raw;
    static uint8_t img[5768];
    struct go_timehist_layout o = layout("go1.19.8", 720), n = layout("go1.22.12", 160);
    for (size_t i = 0; i < 720; i++) {
        uint64_t v = i * 3 + 1;
        memcpy(img + 8 * i, &v, 8);
    }
    struct go_timehist_members mo = { 0, 5760, -1, 5768 };
    uint64_t u = 42, ov = 77;
    memcpy(img + 5760, &u, 8);
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, sizeof(img), &mo, &raw, r,
                                                sizeof(r)), 0);
    assert_int_equal(raw.counts[0], 1);
    assert_int_equal(raw.counts[719], 719 * 3 + 1);
    assert_int_equal(raw.underflow, 42);
    assert_int_equal(raw.overflow, 0);
    /* Short read, overflow member where the layout has none, members past the end. */
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, 5000, &mo, &raw, r, sizeof(r)),
                     GO_TIMEHIST_ERR_ARG);
    struct go_timehist_members bad = { 0, 5760, 5768, -1 };
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, sizeof(img), &bad, &raw, r,
                                                sizeof(r)), GO_TIMEHIST_ERR_LAYOUT);
    bad = (struct go_timehist_members){ 8, 5760, -1, -1 };    /* counts over underflow */
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, sizeof(img), &bad, &raw, r,
                                                sizeof(r)), GO_TIMEHIST_ERR_LAYOUT);
    assert_non_null(strstr(r, "overlap"));
    bad = (struct go_timehist_members){ 16, 0, -1, -1 };      /* counts past the end */
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, sizeof(img), &bad, &raw, r,
                                                sizeof(r)), GO_TIMEHIST_ERR_ARG);
    bad = (struct go_timehist_members){ 0, INT64_MAX, -1, -1 };
    assert_int_equal(go_timehist_raw_from_bytes(&o, img, sizeof(img), &bad, &raw, r,
                                                sizeof(r)), GO_TIMEHIST_ERR_ARG);
    assert_int_equal(go_timehist_raw_from_bytes(&o, NULL, sizeof(img), &mo, &raw, r,
                                                sizeof(r)), GO_TIMEHIST_ERR_ARG);

    struct go_timehist_members mn = { 0, 1280, 1288, 1296 };
    memcpy(img + 1280, &u, 8);
    memcpy(img + 1288, &ov, 8);
    assert_int_equal(go_timehist_raw_from_bytes(&n, img, 1296, &mn, &raw, r, sizeof(r)), 0);
    assert_int_equal(raw.counts[159], 159 * 3 + 1);
    assert_int_equal(raw.underflow, 42);
    assert_int_equal(raw.overflow, 77);
    mn.overflow = -1;
    assert_int_equal(go_timehist_raw_from_bytes(&n, img, 1296, &mn, &raw, r, sizeof(r)),
                     GO_TIMEHIST_ERR_LAYOUT);
    assert_non_null(strstr(r, "overflow"));
}

/* ---- live: runtime/metrics inside the program vs. its memory read from outside ------- */

struct child {
    const char *path;
    pid_t pid;
    int in_w;          /* kept open: the program blocks reading it; a byte = report again */
    int out_r;
    char line[1 << 19];
};

/* The program's next JSON line into c->line (it prints one, then waits for stdin). */
static void child_read_line(struct child *c)
{
    size_t got = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        int left = 30000 - (int)((t.tv_sec - t0.tv_sec) * 1000 +
                                 (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0)
            fail_msg("%s: no JSON line within 30 s", c->path);
        struct pollfd p = { .fd = c->out_r, .events = POLLIN };
        if (poll(&p, 1, left) <= 0)
            continue;
        ssize_t n = read(c->out_r, c->line + got, sizeof(c->line) - 1 - got);
        if (n <= 0)
            fail_msg("%s: exited before printing its JSON line", c->path);
        got += (size_t)n;
        c->line[got] = '\0';
        if (memchr(c->line, '\n', got))
            return;
        if (got == sizeof(c->line) - 1)
            fail_msg("%s: JSON line longer than %zu bytes", c->path, got);
    }
}

static void child_start(struct child *c, const char *path)
{
    int in[2], out[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    c->path = path;
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->in_w = in[1];
    c->out_r = out[0];
}

static void child_stop(struct child *c)
{
    close(c->in_w);    /* EOF: the program exits by itself */
    close(c->out_r);
    int st = 0;
    for (int i = 0; i < 500; i++) {
        if (waitpid(c->pid, &st, WNOHANG) == c->pid)
            return;
        usleep(10000);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &st, 0);
}

/* One histogram of the program: where it lives and what it must equal. */
struct hist_site {
    const char *name;        /* "sched.timeToRun" */
    const char *metric;      /* "/sched/latencies:seconds" */
    uint64_t addr;           /* runtime address of the timeHistogram */
    uint64_t min_events;     /* the workload makes at least this many */
};

/* Compare one runtime/metrics histogram (JSON) with our decode of the struct at
 * site->addr. Structural problems fail at once; a count mismatch (something ran after
 * the program read its metrics) returns false with msg set, so the caller can retry. */
static bool compare_hist(const struct hist_site *site, json_object *root,
                         const struct go_timehist_layout *l, const struct mem_reader *mr,
                         const struct go_offsets *o, char *msg, size_t len)
{
    assert_true(o->field[GO_TIMEHIST_SIZE] > 0 && o->field[GO_TIMEHIST_SIZE] <= 8192);
    static uint8_t buf[8192];
    static struct go_timehist_raw raw;
    static struct go_timehist_interval iv;
    char r[256];
    size_t size = (size_t)o->field[GO_TIMEHIST_SIZE];
    assert_int_equal(target_mem_read(mr, site->addr, buf, size), 0);
    struct go_timehist_members m = {
        o->field[GO_TIMEHIST_COUNTS], o->field[GO_TIMEHIST_UNDERFLOW],
        o->field[GO_TIMEHIST_OVERFLOW], o->field[GO_TIMEHIST_SIZE],
    };
    if (go_timehist_raw_from_bytes(l, buf, size, &m, &raw, r, sizeof(r)) != 0)
        fail_msg("%s: %s", site->name, r);
    assert_int_equal(go_timehist_interval(l, NULL, &raw, &iv, r, sizeof(r)), 0);

    json_object *h, *jb, *jc;
    assert_true(json_object_object_get_ex(root, site->metric, &h));
    assert_true(json_object_object_get_ex(h, "buckets", &jb));
    assert_true(json_object_object_get_ex(h, "counts", &jc));
    assert_int_equal(json_object_array_length(jc), iv.nraw);
    assert_int_equal(json_object_array_length(jb), iv.nraw + 1);
    json_object *b0 = json_object_array_get_idx(jb, 0);
    assert_true(json_object_is_type(b0, json_type_string));
    assert_string_equal(json_object_get_string(b0), "-Inf");
    for (size_t i = 0; i < iv.nraw; i++) {
        json_object *jv = json_object_array_get_idx(jb, i + 1);
        if (iv.raw[i].le_ns == INF) {
            assert_true(json_object_is_type(jv, json_type_string));
            assert_string_equal(json_object_get_string(jv), "+Inf");
            continue;
        }
        /* Go computes float64(ns)/1e9 and prints it round-trip exact: same IEEE result. */
        double sec = json_object_get_double(jv);
        if (sec != (double)iv.raw[i].le_ns / 1e9 ||
            llround(sec * 1e9) != (long long)iv.raw[i].le_ns)
            fail_msg("%s: boundary %zu: runtime/metrics %.17g s, decoded %" PRIu64 " ns",
                     site->name, i + 1, sec, iv.raw[i].le_ns);
    }
    for (size_t i = 0; i < iv.nraw; i++) {
        uint64_t want = json_object_get_uint64(json_object_array_get_idx(jc, i));
        if (want != iv.raw[i].count) {
            snprintf(msg, len,
                     "%s: bucket %zu (le %" PRIu64 " ns): runtime/metrics %" PRIu64
                     ", decoded %" PRIu64, site->name, i, iv.raw[i].le_ns, want,
                     iv.raw[i].count);
            return false;
        }
    }
    if (iv.total < site->min_events)
        fail_msg("%s: only %" PRIu64 " events, the workload makes at least %" PRIu64,
                 site->name, iv.total, site->min_events);
    printf("    %s: %" PRIu64 " events, p50 %" PRIu64 " ns, p99 %" PRIu64 " ns, equal to "
           "runtime/metrics in all %zu buckets\n", site->name, iv.total, iv.p50_ns,
           iv.p99_ns, iv.nraw);
    return true;
}

/* Measured layouts (FACTS.md) as a cross-check on what go_offsets found. */
static void check_known_offsets(const char *version, const struct go_offsets *o)
{
    int64_t ttr = strncmp(version, "go1.19.", 7) == 0 ? 312
                : strncmp(version, "go1.22.", 7) == 0 || strncmp(version, "go1.23.", 7) == 0
                    ? 320 : -1;
    if (ttr >= 0)
        assert_int_equal(o->field[GO_SCHED_TIMETORUN], ttr);
}

/* Reports the program may be asked for: a mismatch means the runtime did something after
 * the program read its metrics (a retry prints why); each comparison is exact. */
#define LIVE_ATTEMPTS 3

static void test_live(void **state)
{
    static struct child c;
    child_start(&c, *state);
    child_read_line(&c);

    char exe[64], msg[512];
    snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)c.pid);
    struct go_binary *bin = NULL;
    if (go_binary_open(exe, &bin, msg, sizeof(msg)) != 0)
        fail_msg("%s", msg);
    const char *version = go_binary_version(bin);

    static struct go_offsets o;
    go_offsets_cache_clear();
    if (go_offsets_load(bin, exe, &o, msg, sizeof(msg)) != 0)
        fail_msg("go_offsets_load: %s", msg);
    check_known_offsets(version, &o);
    uint64_t sched = 0, size = 0, memstats = 0, bias = 0;
    assert_int_equal(go_binary_lookup(bin, "runtime.sched", &sched, &size), 0);
    assert_int_equal(go_binary_lookup(bin, "runtime.memstats", &memstats, &size), 0);
    if (o.global[GO_GLOBAL_SCHED])
        assert_int_equal(o.global[GO_GLOBAL_SCHED], sched);
    assert_int_equal(go_binary_load_bias(bin, c.pid, &bias), 0);
    assert_true(go_binary_is_pie(bin) == (bias != 0));

    struct go_timehist_layout l;
    int64_t nb = o.field[GO_TIMEHIST_NBUCKETS];
    if (go_timehist_layout_for(version, nb > 0 ? (size_t)nb : 0, &l, msg, sizeof(msg)) != 0)
        fail_msg("%s", msg);

    assert_true(o.field[GO_SCHED_TIMETORUN] > 0);
    struct hist_site sites[2] = {
        { "sched.timeToRun", "/sched/latencies:seconds",
          sched + bias + (uint64_t)o.field[GO_SCHED_TIMETORUN], 100 },
        { "", "/gc/pauses:seconds", 0, 2 },
    };
    /* GC pauses: memstats.gcPauseDist up to 1.21, sched.stwTotalTimeGC from 1.22. */
    if (o.field[GO_SCHED_STWTOTALTIMEGC] >= 0) {
        sites[1].name = "sched.stwTotalTimeGC";
        sites[1].addr = sched + bias + (uint64_t)o.field[GO_SCHED_STWTOTALTIMEGC];
    } else {
        assert_true(o.field[GO_MSTATS_GCPAUSEDIST] >= 0);
        sites[1].name = "memstats.gcPauseDist";
        sites[1].addr = memstats + bias + (uint64_t)o.field[GO_MSTATS_GCPAUSEDIST];
    }

    pid_t pid = c.pid;
    struct mem_reader mr = target_mem_live(&pid);
    bool ok = false;
    for (int attempt = 1; !ok; attempt++) {
        json_object *root = json_tokener_parse(c.line);
        if (!root)
            fail_msg("%s: unparsable JSON line: %.200s", c.path, c.line);
        json_object *jv;
        assert_true(json_object_object_get_ex(root, "go", &jv));
        assert_string_equal(version, json_object_get_string(jv));
        ok = compare_hist(&sites[0], root, &l, &mr, &o, msg, sizeof(msg)) &&
             compare_hist(&sites[1], root, &l, &mr, &o, msg, sizeof(msg));
        json_object_put(root);
        if (ok)
            break;
        if (attempt == LIVE_ATTEMPTS)
            fail_msg("%s (after %d reports)", msg, attempt);
        printf("    report %d: %s; asking for another\n", attempt, msg);
        assert_int_equal(write(c.in_w, "\n", 1), 1);
        child_read_line(&c);
    }
    go_binary_free(bin);
    child_stop(&c);
}

int main(void)
{
    static const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_layout_for),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_index_of),
        cmocka_unit_test(test_interval_old),
        cmocka_unit_test(test_interval_new),
        cmocka_unit_test(test_log2_nesting),
        cmocka_unit_test(test_backwards),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_raw_from_bytes),
    };
    int failed = cmocka_run_group_tests_name("go_timehist", unit, NULL, NULL);

    /* One live test per program in $TIMEHIST_BINS (space-separated paths). */
    const char *env = getenv("TIMEHIST_BINS");
    static char list[8192];
    static char *paths[32];
    static struct CMUnitTest live[32];
    size_t n = 0;
    snprintf(list, sizeof(list), "%s", env ? env : "");
    for (char *save = NULL, *p = strtok_r(list, " \t\n", &save); p && n < 32;
         p = strtok_r(NULL, " \t\n", &save))
        paths[n++] = p;
    if (n == 0) {
        if (getenv("GMPTOP_REQUIRE_LIVE") && strcmp(getenv("GMPTOP_REQUIRE_LIVE"), "1") == 0) {
            fprintf(stderr, "test_go_timehist: FAIL: no TIMEHIST_BINS and "
                            "GMPTOP_REQUIRE_LIVE=1\n");
            return 1;
        }
        fprintf(stderr, "test_go_timehist: live part skipped: TIMEHIST_BINS not set\n");
        return failed;
    }
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(paths[i], '/');
        live[i] = (struct CMUnitTest){ .name = base ? base + 1 : paths[i],
                                       .test_func = test_live,
                                       .initial_state = paths[i] };
    }
    failed += _cmocka_run_group_tests("go_timehist_live", live, n, NULL, NULL);
    return failed;
}
