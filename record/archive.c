/* archive: deflated recording-codec frames in a ring; see archive.h. */
#include "record/archive.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "record/rec_tlv.h"
#include "record/rec_zlib.h"
#include "record/record_codec.h"

/* Each frame is deflated against the raw bytes of the one before it (zlib's preset
 * dictionary): consecutive snapshots of one target repeat most of their bytes, which a
 * lone frame's deflate cannot use. A key frame, deflated alone, starts each chain: so
 * decoding one frame inflates at most ARCH_KEY_EVERY, and a step through the ring one.
 * Measured on the HTTP server under wrk -c32 (tests/bench_record): 1.6 KB a snapshot,
 * where a dictionary frame shared by the next 64 gave 3.0 KB (it also held ~20 KB raw
 * per period); 0.27 KB against 0.47 KB under light load. */
#define ARCH_KEY_EVERY 64
#define ARCH_DICT_MAX 32768    /* deflate's window: more would not be used */

struct arch_entry {
    uint8_t *z;                /* deflated payload (malloc'd to its size) */
    uint32_t zlen, rlen;
    int64_t mono_ns, time_ns;
    uint64_t seq;              /* push number: names the frame in the decode cache */
    bool key;                  /* deflated alone; else against the frame before */
    bool new_run;
};

/* The raw frame inflated last: a walk through the ring inflates each frame once. */
struct arch_cache {
    uint64_t seq;              /* 0: empty */
    uint8_t *raw;
    uint32_t len;
};

struct archive {
    struct arch_entry *ring;
    size_t cap, len, head;     /* oldest at (head - len) mod cap; head: next slot */
    size_t zbytes;
    uint64_t seq;              /* pushes so far */
    struct rec_buf enc;        /* reused between pushes */
    struct rec_buf last;       /* the raw frame pushed last: the next one's dictionary */
    unsigned since_key;
    struct arch_cache *cache;  /* owned; behind a pointer: loading is const otherwise */
    z_stream def;              /* kept across pushes: deflateInit's state is ~270 KB */
    bool def_ok;
};

struct archive *archive_new(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct archive *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->ring = calloc(capacity, sizeof(*a->ring));
    a->cache = calloc(1, sizeof(*a->cache));
    if (!a->ring || !a->cache) {
        free(a->ring);
        free(a->cache);
        free(a);
        return NULL;
    }
    a->cap = capacity;
    return a;
}

/* The entry at age (0 newest); age < len. */
static struct arch_entry *at(const struct archive *a, size_t age)
{
    return &a->ring[(a->head + a->cap - 1 - age) % a->cap];
}

/* The dictionary a frame was deflated against: the tail of the frame before (zlib
 * favours a dictionary's last bytes, and uses 32 KB at most). */
static const uint8_t *dict_of(const uint8_t *prev, size_t prev_len, size_t *dlen)
{
    *dlen = prev_len < ARCH_DICT_MAX ? prev_len : ARCH_DICT_MAX;
    return prev + (prev_len - *dlen);
}

/* Deflate raw against the previous frame's bytes (prev NULL: alone) into a new buffer;
 * NULL on failure. */
static uint8_t *deflate_frame(struct archive *a, const uint8_t *prev, size_t prev_len,
                              const uint8_t *raw, size_t len, uint32_t *zlen)
{
    if (!a->def_ok) {
        memset(&a->def, 0, sizeof(a->def));
        /* Level 6: level 1 costs a fifth more bytes for a third less CPU, 9 saves 3%. */
        if (deflateInit(&a->def, 6) != Z_OK)
            return NULL;
        a->def_ok = true;
    }
    size_t dlen = 0;
    const uint8_t *dict = prev ? dict_of(prev, prev_len, &dlen) : NULL;
    uLong bound = deflateBound(&a->def, (uLong)len);
    uint8_t *z = malloc(bound);
    size_t n = 0;
    if (!z || rec_deflate(&a->def, dict, dlen, raw, len, z, bound, &n) != Z_STREAM_END) {
        free(z);
        return NULL;
    }
    *zlen = (uint32_t)n;
    uint8_t *fit = realloc(z, n ? n : 1);
    return fit ? fit : z;
}

/* Inflate the frame at age into the cache (its raw bytes then at a->cache->raw): from
 * the cache when it holds this frame or the one before, else from the chain's key.
 * 0, or -1 with why. */
static int inflate_at(const struct archive *a, size_t age, char *why, size_t len)
{
    struct arch_cache *c = a->cache;
    const struct arch_entry *want = at(a, age);
    if (c->seq && c->seq == want->seq)
        return 0;
    size_t from = age;             /* the first frame to inflate, walking to newer ones */
    if (!(c->seq && !want->key && c->seq + 1 == want->seq)) {
        while (!at(a, from)->key && from + 1 < a->len)
            from++;                /* a chain starts at a key within the ring */
        if (!at(a, from)->key) {
            snprintf(why, len, "snapshot %zu back: its chain has no start", age);
            return -1;
        }
    }
    for (size_t k = from + 1; k-- > age;) {
        const struct arch_entry *e = at(a, k);
        uint8_t *out = malloc(e->rlen ? e->rlen : 1);
        if (!out) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        size_t dlen = 0;
        const uint8_t *dict = e->key ? NULL : dict_of(c->raw, c->len, &dlen);
        char zwhy[160] = "";
        if (rec_inflate(e->z, e->zlen, dict, dlen, out, e->rlen, zwhy, sizeof(zwhy)) < 0) {
            free(out);
            c->seq = 0;
            snprintf(why, len, "snapshot %zu back does not inflate: %s", k, zwhy);
            return -1;
        }
        free(c->raw);
        c->raw = out;
        c->len = e->rlen;
        c->seq = e->seq;
    }
    return 0;
}

/* The oldest frame goes. The frame after it, which was deflated against it, becomes a
 * key: inflated through its chain and deflated alone. */
static void drop_oldest(struct archive *a)
{
    struct arch_entry *e = at(a, a->len - 1);
    if (a->len >= 2 && !at(a, a->len - 2)->key) {
        struct arch_entry *next = at(a, a->len - 2);
        char why[200];
        uint32_t zlen = 0;
        uint8_t *z = NULL;
        if (inflate_at(a, a->len - 2, why, sizeof(why)) == 0 &&
            (z = deflate_frame(a, NULL, 0, a->cache->raw, a->cache->len, &zlen))) {
            a->zbytes = a->zbytes - next->zlen + zlen;
            free(next->z);
            next->z = z;
            next->zlen = zlen;
        }
        /* Without memory for that it stays chained to a frame no longer there: it and
         * the rest of its chain then say they do not inflate, and the ring goes on. */
        next->key = true;
    }
    a->zbytes -= e->zlen;
    if (a->cache->seq == e->seq)
        a->cache->seq = 0;
    free(e->z);
    memset(e, 0, sizeof(*e));
    a->len--;
}

void archive_clear(struct archive *a)
{
    if (!a)
        return;
    for (size_t age = 0; age < a->len; age++) {
        free(at(a, age)->z);
        memset(at(a, age), 0, sizeof(struct arch_entry));
    }
    a->len = 0;
    a->zbytes = 0;
    a->cache->seq = 0;             /* the next push starts a chain (len is 0) */
}

void archive_free(struct archive *a)
{
    if (!a)
        return;
    archive_clear(a);
    if (a->def_ok)
        deflateEnd(&a->def);
    rec_buf_free(&a->enc);
    rec_buf_free(&a->last);
    free(a->cache->raw);
    free(a->cache);
    free(a->ring);
    free(a);
}

int archive_push(struct archive *a, const struct snapshot *s, int new_run)
{
    if (record_encode(&a->enc, s) != 0 || a->enc.oom || a->enc.len > UINT32_MAX)
        return -ENOMEM;
    /* A key at a run's start (a new target shares nothing with the last), every
     * ARCH_KEY_EVERY frames, and when the ring has no frame before this one (empty, or
     * a ring of one, where the frame before leaves as this one comes). */
    bool key = new_run || a->since_key + 1 >= ARCH_KEY_EVERY || a->len == 0 || a->cap == 1;
    uint32_t zlen = 0;
    uint8_t *z = deflate_frame(a, key ? NULL : a->last.p, key ? 0 : a->last.len, a->enc.p,
                               a->enc.len, &zlen);
    if (!z)
        return -ENOMEM;
    if (a->len == a->cap)
        drop_oldest(a);
    a->ring[a->head] = (struct arch_entry){ .z = z, .zlen = zlen,
                                            .rlen = (uint32_t)a->enc.len,
                                            .mono_ns = s->meta.mono_ns,
                                            .time_ns = s->meta.time_ns,
                                            .seq = ++a->seq,
                                            .key = key,
                                            .new_run = new_run != 0 };
    a->head = (a->head + 1) % a->cap;
    a->len++;
    a->zbytes += zlen;
    a->since_key = key ? 0 : a->since_key + 1;
    /* This frame is the next one's dictionary: swap the buffers rather than copy. */
    struct rec_buf t = a->last;
    a->last = a->enc;
    a->enc = t;
    /* A rare huge snapshot (thousands of goroutine groups) should not pin its buffer. */
    if (a->enc.cap > (size_t)1 << 20)
        rec_buf_free(&a->enc);
    return 0;
}

size_t archive_len(const struct archive *a) { return a ? a->len : 0; }
size_t archive_capacity(const struct archive *a) { return a ? a->cap : 0; }

size_t archive_bytes(const struct archive *a)
{
    return a ? a->zbytes + a->last.cap + a->cache->len : 0;
}

int archive_resize(struct archive *a, size_t capacity)
{
    if (capacity == 0)
        return -EINVAL;
    if (capacity == a->cap)
        return 0;
    struct arch_entry *ring = calloc(capacity, sizeof(*ring));
    if (!ring)
        return -ENOMEM;
    while (a->len > capacity)
        drop_oldest(a);
    for (size_t i = 0; i < a->len; i++)       /* oldest first */
        ring[i] = *at(a, a->len - 1 - i);
    free(a->ring);
    a->ring = ring;
    a->cap = capacity;
    a->head = a->len % capacity;
    return 0;
}

int64_t archive_mono_ns(const struct archive *a, size_t age)
{
    return a && age < a->len ? at(a, age)->mono_ns : -1;
}

int64_t archive_time_ns(const struct archive *a, size_t age)
{
    return a && age < a->len ? at(a, age)->time_ns : -1;
}

size_t archive_find_time(const struct archive *a, int64_t time_ns)
{
    if (!a || !a->len || at(a, 0)->time_ns < time_ns)
        return SIZE_MAX;
    size_t lo = 0, hi = a->len - 1;     /* times grow toward age 0 */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (at(a, mid)->time_ns >= time_ns)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

struct snapshot *archive_load(const struct archive *a, size_t age, char *why, size_t len)
{
    if (!a || age >= a->len) {
        snprintf(why, len, "no snapshot %zu back (%zu kept)", age, archive_len(a));
        return NULL;
    }
    if (inflate_at(a, age, why, len) < 0)
        return NULL;
    char dwhy[160] = "";
    struct snapshot *s = record_decode(a->cache->raw, a->cache->len, dwhy, sizeof(dwhy));
    if (!s)
        snprintf(why, len, "snapshot %zu back: %s", age, dwhy);
    return s;
}

int archive_fill(const struct archive *a, size_t age, size_t window, struct history *h,
                 char *why, size_t len)
{
    if (window == 0)
        window = 1;
    /* The window h held (the last step's): snapshots it shares with the new one are
     * moved over instead of decoded, so a step back decodes one snapshot, not 120. */
    size_t had = history_len(h);
    struct snapshot **old = had ? calloc(had, sizeof(*old)) : NULL;
    size_t nold = old ? history_drain(h, old) : 0;
    history_clear(h);                        /* no room to hand them over: decode all */
    int rc = 0;
    if (!a || age >= a->len) {
        snprintf(why, len, "no snapshot %zu back (%zu kept)", age, archive_len(a));
        rc = -ERANGE;
    }
    size_t oldest = age;
    while (!rc && oldest + 1 < a->len && oldest - age + 1 < window && !at(a, oldest)->new_run)
        oldest++;
    size_t j = 0;                            /* old is oldest first, as is the walk */
    for (size_t k = oldest + 1; !rc && k-- > age;) {
        int64_t t = at(a, k)->mono_ns;
        while (j < nold && old[j]->meta.mono_ns < t)
            j++;
        struct snapshot *s = NULL;
        if (j < nold && old[j]->meta.mono_ns == t) {
            s = old[j];
            old[j++] = NULL;
        } else if (!(s = archive_load(a, k, why, len))) {
            rc = -EBADMSG;
            break;
        }
        history_push(h, s);
    }
    for (size_t i = 0; i < nold; i++)
        snapshot_free(old[i]);
    free(old);
    if (rc)
        history_clear(h);
    return rc;
}
