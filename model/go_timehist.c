/* go_timehist: bucket layouts of the Go runtime's timeHistogram and interval decoding. */
#include "model/go_timehist.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The newest release whose histogram.go was read; later ones are accepted only when their
 * counts length matches (the length follows from the same constants as the bounds). */
#define NEWEST_READ_MINOR 23

/* Minor version from "go1.22.12", "go1.21rc2", "go1.22.0 X:foo", "devel go1.23-abc".
 * -1 when there is no "go1.N". */
static int version_minor(const char *v)
{
    const char *p = v ? strstr(v, "go1.") : NULL;
    if (!p || (p != v && p[-1] != ' '))
        return -1;
    p += 4;
    if (*p < '0' || *p > '9')
        return -1;
    long minor = 0;
    while (*p >= '0' && *p <= '9' && minor < 1000)
        minor = minor * 10 + (*p++ - '0');
    return minor >= 1000 ? -1 : (int)minor;
}

/* Both layouts are the same HDR scheme with different constants (histogram.go):
 *   go1.16-1.19: 45 ranges x 16 sub-buckets, range 0 exact below 16 ns, the last
 *                sub-bucket open-ended (timeHistSubBucketBits 4; as min_bits 5);
 *   go1.20+:     timeHistMinBucketBits 9, timeHistMaxBucketBits 48,
 *                timeHistSubBucketBits 2 = 40 ranges x 4, values >= 2^47 in overflow.
 * 1.19, 1.22 and 1.23 were read from source and checked live against runtime/metrics;
 * an older histogram.go (1.16/1.17) has the 1.19 constants; the new layout is dated to
 * 1.20 (FACTS.md) but 1.20/1.21 were not read here: the counts length from DWARF guards
 * both. go1.16/1.17 releases before the fix for golang/go#50732 reported wrong
 * sub-bucket boundaries through runtime/metrics; the bounds here are record()'s. */
int go_timehist_layout_for(const char *go_version, size_t ncounts_from_dwarf,
                           struct go_timehist_layout *out, char *reason, size_t len)
{
    util_reason(reason, len, "%s", "");
    if (!out) {
        util_reason(reason, len, "no layout to fill");
        return GO_TIMEHIST_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    int minor = version_minor(go_version);
    if (minor < 0) {
        util_reason(reason, len, "Go version '%s' not understood",
                   go_version ? go_version : "(none)");
        return GO_TIMEHIST_ERR_VERSION;
    }
    if (minor < 16) {
        util_reason(reason, len, "go1.%d has no runtime time histograms (added in go1.16)",
                   minor);
        return GO_TIMEHIST_ERR_VERSION;
    }
    out->version_minor = minor;
    if (minor <= 19) {
        out->ncounts = 720;
        out->has_overflow = false;
        out->sub_bits = 4;
        out->min_bits = 5;
    } else {
        out->ncounts = 160;
        out->has_overflow = true;
        out->sub_bits = 2;
        out->min_bits = 9;
    }
    out->nraw = 1 + out->ncounts + (out->has_overflow ? 1 : 0);
    if (ncounts_from_dwarf == 0) {
        util_reason(reason, len,
                   "length of runtime.timeHistogram.counts unknown (no DWARF, no table "
                   "entry): not guessing the go1.%d layout", minor);
        return GO_TIMEHIST_ERR_LAYOUT;
    }
    if (ncounts_from_dwarf != out->ncounts) {
        util_reason(reason, len,
                   "runtime.timeHistogram.counts has %zu elements, the go1.%d layout %zu: "
                   "histogram layout changed, not decoding it",
                   ncounts_from_dwarf, minor, out->ncounts);
        return GO_TIMEHIST_ERR_LAYOUT;
    }
    if (minor > NEWEST_READ_MINOR)
        util_reason(reason, len,
                   "go1.%d histogram assumed to keep the go1.20-1.%d bucket layout "
                   "(counts length %zu matches)", minor, NEWEST_READ_MINOR, out->ncounts);
    return GO_TIMEHIST_OK;
}

/* Lower bound of counts[i], for i up to ncounts (ncounts: where overflow starts). */
static uint64_t lower_raw(const struct go_timehist_layout *l, size_t i)
{
    size_t nsub = (size_t)1 << l->sub_bits;
    size_t b = i >> l->sub_bits;
    uint64_t j = i & (nsub - 1);
    if (b == 0)
        return j << (l->min_bits - 1 - l->sub_bits);
    unsigned top = (unsigned)b + l->min_bits - 2;
    if (top >= 64)
        return GO_TIMEHIST_INF;
    return ((uint64_t)1 << top) | (j << (top - l->sub_bits));
}

static bool layout_ok(const struct go_timehist_layout *l)
{
    return l && l->ncounts > 0 && l->ncounts <= GO_TIMEHIST_MAX_COUNTS &&
           l->sub_bits >= 1 && l->sub_bits < 8 && l->min_bits > l->sub_bits &&
           l->min_bits < 32 && l->ncounts % ((size_t)1 << l->sub_bits) == 0;
}

uint64_t go_timehist_lower_ns(const struct go_timehist_layout *l, size_t i)
{
    if (!layout_ok(l) || i >= l->ncounts)
        return GO_TIMEHIST_INF;
    return lower_raw(l, i);
}

uint64_t go_timehist_upper_ns(const struct go_timehist_layout *l, size_t i)
{
    if (!layout_ok(l) || i >= l->ncounts)
        return GO_TIMEHIST_INF;
    if (i + 1 < l->ncounts || l->has_overflow)
        return lower_raw(l, i + 1);
    return GO_TIMEHIST_INF;   /* go1.19 and before: the top sub-bucket is open-ended */
}

long go_timehist_index_of(const struct go_timehist_layout *l, int64_t d)
{
    if (!layout_ok(l))
        return -3;
    if (d < 0)
        return -1;
    unsigned len = 0;
    for (uint64_t v = (uint64_t)d; v; v >>= 1)
        len++;
    size_t nsub = (size_t)1 << l->sub_bits;
    size_t nranges = l->ncounts / nsub;
    unsigned bit = l->min_bits;
    size_t range = 0;
    if (len >= l->min_bits) {
        bit = len;
        range = len - l->min_bits + 1;
    }
    if (range >= nranges)
        return l->has_overflow ? -2 : (long)l->ncounts - 1;
    size_t sub = (size_t)((uint64_t)d >> (bit - 1 - l->sub_bits)) & (nsub - 1);
    return (long)(range * nsub + sub);
}

static bool member_fits(int64_t off, size_t n, size_t len)
{
    return off >= 0 && (uint64_t)off <= len && n <= len - (size_t)off;
}

/* Whether the 8-byte counter at off lies inside [start, start + n) or overlaps it. */
static bool ranges_overlap(int64_t start, size_t n, int64_t off)
{
    if (start < 0 || off < 0)
        return false;
    uint64_t s = (uint64_t)start, o = (uint64_t)off;
    return o < s + n && s < o + sizeof(uint64_t);
}

int go_timehist_raw_from_bytes(const struct go_timehist_layout *l, const void *buf,
                               size_t len, const struct go_timehist_members *m,
                               struct go_timehist_raw *raw, char *reason, size_t rlen)
{
    util_reason(reason, rlen, "%s", "");
    if (!layout_ok(l) || !buf || !m || !raw) {
        util_reason(reason, rlen, "timeHistogram decode: missing layout, bytes or members");
        return GO_TIMEHIST_ERR_ARG;
    }
    if (l->has_overflow != (m->overflow >= 0)) {
        util_reason(reason, rlen,
                   "timeHistogram %s an overflow member but the go1.%d layout %s",
                   m->overflow >= 0 ? "has" : "lacks", l->version_minor,
                   l->has_overflow ? "needs one" : "has none");
        return GO_TIMEHIST_ERR_LAYOUT;
    }
    if (m->size >= 0 && len < (uint64_t)m->size) {
        util_reason(reason, rlen, "timeHistogram: %zu bytes read, the struct has %" PRId64,
                   len, m->size);
        return GO_TIMEHIST_ERR_ARG;
    }
    if (ranges_overlap(m->counts, l->ncounts * sizeof(uint64_t), m->underflow) ||
        (l->has_overflow && (ranges_overlap(m->counts, l->ncounts * sizeof(uint64_t),
                                            m->overflow) ||
                             m->overflow == m->underflow))) {
        util_reason(reason, rlen,
                   "timeHistogram members overlap (counts at %" PRId64 ", underflow at %"
                   PRId64 ", overflow at %" PRId64 "): layout not understood",
                   m->counts, m->underflow, m->overflow);
        return GO_TIMEHIST_ERR_LAYOUT;
    }
    if (!member_fits(m->counts, l->ncounts * sizeof(uint64_t), len) ||
        !member_fits(m->underflow, sizeof(uint64_t), len) ||
        (l->has_overflow && !member_fits(m->overflow, sizeof(uint64_t), len))) {
        util_reason(reason, rlen,
                   "timeHistogram members (counts at %" PRId64 ", underflow at %" PRId64
                   ", overflow at %" PRId64 ") do not fit in %zu bytes",
                   m->counts, m->underflow, m->overflow, len);
        return GO_TIMEHIST_ERR_ARG;
    }
    const uint8_t *p = buf;
    /* Only the used part is touched: snapshots allocate go_timehist_raw_size() bytes. */
    raw->overflow = 0;
    /* The target is this machine's architecture (process_vm_readv): native order. */
    memcpy(raw->counts, p + m->counts, l->ncounts * sizeof(uint64_t));
    memcpy(&raw->underflow, p + m->underflow, sizeof(uint64_t));
    if (l->has_overflow)
        memcpy(&raw->overflow, p + m->overflow, sizeof(uint64_t));
    return GO_TIMEHIST_OK;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t go_timehist_quantile_ns(const struct go_timehist_bucket *b, size_t n,
                                 uint64_t total, unsigned permille)
{
    if (!b || total == 0)
        return GO_TIMEHIST_INF;
    if (permille > 1000)
        permille = 1000;
    /* ceil(total * q), at least 1: the rank of the event the quantile names. */
    unsigned __int128 r = ((unsigned __int128)total * permille + 999) / 1000;
    uint64_t rank = r == 0 ? 1 : (uint64_t)r;
    uint64_t cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum = sat_add(cum, b[i].count);
        if (cum >= rank)
            return b[i].le_ns;
    }
    return GO_TIMEHIST_INF;
}

/* Power-of-two bound for a raw bucket [lo, hi): the smallest 2^k above lo when the whole
 * bucket fits below it, else hi itself (a bucket that straddles keeps its resolution). */
static uint64_t log2_bound(uint64_t lo, uint64_t hi)
{
    uint64_t p2;
    if (lo == 0) {
        p2 = 1;
    } else {
        unsigned k = 63;
        while (!(lo >> k))
            k--;
        p2 = k == 63 ? GO_TIMEHIST_INF : (uint64_t)1 << (k + 1);
    }
    return hi <= p2 ? p2 : hi;
}

static void build_log2(const struct go_timehist_layout *l, struct go_timehist_interval *o)
{
    /* raw[0] is underflow; raw[1 + i] is counts[i]; raw[1 + ncounts] overflow. */
    o->nlog2 = 0;
    for (size_t r = 0; r < o->nraw; r++) {
        uint64_t le;
        if (r == 0)
            le = 0;
        else if (r <= l->ncounts)
            le = log2_bound(go_timehist_lower_ns(l, r - 1), go_timehist_upper_ns(l, r - 1));
        else
            le = log2_bound(lower_raw(l, l->ncounts), GO_TIMEHIST_INF);
        if (o->nlog2 > 0 && o->log2[o->nlog2 - 1].le_ns == le) {
            struct go_timehist_bucket *last = &o->log2[o->nlog2 - 1];
            last->count = sat_add(last->count, o->raw[r].count);
            continue;
        }
        /* A kept bucket that straddles a power of two starts below the merged bucket's
         * nominal bound (go1.19's open-ended top starts at 2^47 + 15 * 2^43): end the
         * merged bucket where the kept one starts, so the view stays a partition. */
        uint64_t lo = r == 0 ? 0 : r <= l->ncounts ? go_timehist_lower_ns(l, r - 1)
                                                   : lower_raw(l, l->ncounts);
        if (r > 0 && o->nlog2 > 1 && o->log2[o->nlog2 - 1].le_ns > lo)
            o->log2[o->nlog2 - 1].le_ns = lo;
        if (o->nlog2 == GO_TIMEHIST_MAX_LOG2) {
            /* Cannot happen with the known layouts; fold into the last bucket rather than
             * claim a finer bound than we have. */
            struct go_timehist_bucket *last = &o->log2[o->nlog2 - 1];
            last->le_ns = le;
            last->count = sat_add(last->count, o->raw[r].count);
            continue;
        }
        o->log2[o->nlog2++] = (struct go_timehist_bucket){ le, o->raw[r].count };
    }
}

static int delta(uint64_t prev, uint64_t cur, uint64_t *out, const char *what, size_t idx,
                 char *reason, size_t len)
{
    if (cur < prev) {
        if (idx == SIZE_MAX)
            util_reason(reason, len,
                       "timeHistogram %s went from %" PRIu64 " to %" PRIu64
                       " (target restarted or a torn read)", what, prev, cur);
        else
            util_reason(reason, len,
                       "timeHistogram %s[%zu] went from %" PRIu64 " to %" PRIu64
                       " (target restarted or a torn read)", what, idx, prev, cur);
        return GO_TIMEHIST_ERR_BACKWARDS;
    }
    *out = cur - prev;
    return GO_TIMEHIST_OK;
}

int go_timehist_interval(const struct go_timehist_layout *l,
                         const struct go_timehist_raw *prev,
                         const struct go_timehist_raw *cur,
                         struct go_timehist_interval *out, char *reason, size_t len)
{
    util_reason(reason, len, "%s", "");
    if (!out) {
        util_reason(reason, len, "timeHistogram interval: nowhere to write");
        return GO_TIMEHIST_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (!layout_ok(l) || !cur || l->nraw != 1 + l->ncounts + (l->has_overflow ? 1 : 0)) {
        util_reason(reason, len, "timeHistogram interval: missing or bad layout or read");
        return GO_TIMEHIST_ERR_ARG;
    }
    static const struct go_timehist_raw zero;
    if (!prev)
        prev = &zero;

    int rc = delta(prev->underflow, cur->underflow, &out->raw[0].count, "underflow",
                   SIZE_MAX, reason, len);
    out->raw[0].le_ns = 0;
    for (size_t i = 0; rc == 0 && i < l->ncounts; i++) {
        rc = delta(prev->counts[i], cur->counts[i], &out->raw[1 + i].count, "counts", i,
                   reason, len);
        out->raw[1 + i].le_ns = go_timehist_upper_ns(l, i);
    }
    if (rc == 0 && l->has_overflow) {
        rc = delta(prev->overflow, cur->overflow, &out->raw[1 + l->ncounts].count,
                   "overflow", SIZE_MAX, reason, len);
        out->raw[1 + l->ncounts].le_ns = GO_TIMEHIST_INF;
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->nraw = l->nraw;
    for (size_t r = 0; r < out->nraw; r++) {
        out->total = sat_add(out->total, out->raw[r].count);
        if (out->raw[r].count)
            out->max_ns = out->raw[r].le_ns;
    }
    out->p50_ns = go_timehist_quantile_ns(out->raw, out->nraw, out->total, 500);
    out->p90_ns = go_timehist_quantile_ns(out->raw, out->nraw, out->total, 900);
    out->p99_ns = go_timehist_quantile_ns(out->raw, out->nraw, out->total, 990);
    if (out->total == 0)
        out->p50_ns = out->p90_ns = out->p99_ns = out->max_ns = 0;
    build_log2(l, out);
    return GO_TIMEHIST_OK;
}

size_t go_timehist_raw_size(const struct go_timehist_layout *l)
{
    return offsetof(struct go_timehist_raw, counts) + l->ncounts * sizeof(uint64_t);
}
