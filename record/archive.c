/* archive: deflated recording-codec frames in a ring; see archive.h. */
#define _GNU_SOURCE /* mremap */
#include "record/archive.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "record/archive_pack.h"
#include "record/archive_spill.h"
#include "record/rec_tlv.h"
#include "record/rec_zlib.h"
#include "record/record_codec.h"

/* Each frame is deflated against the raw bytes of the one before it (zlib's preset
 * dictionary): consecutive snapshots of one target repeat most of their bytes, which a
 * lone frame's deflate cannot use. A key frame, deflated alone, starts each chain: so
 * decoding one frame inflates at most a chain's length, and a step through the ring one.
 * Measured on the HTTP server under wrk -c32 (tests/bench_record): 1.6 KB a snapshot,
 * where a dictionary frame shared by the next 64 gave 3.0 KB (it also held ~20 KB raw
 * per period); 0.27 KB against 0.47 KB under light load.
 *
 * A chain's frames lie end to end in one mapping of its own (mmap, grown with mremap,
 * cut to its pages when the chain ends), and the chain is unmapped when its last frame
 * leaves the ring. A malloc'd block per frame (as before) churned the heap: an hour of
 * ~1.7 KB blocks freed oldest first among the decoded snapshots' allocations left it
 * fragmented, and RSS rose ~4 MB once the ring was full instead of staying flat. The
 * frames of a chain that left the ring before its last one stay until that one goes
 * (they are its dictionaries): at most a chain's length more than the ring holds,
 * which is why a chain is at most an eighth of the ring.
 *
 * A chain no frame joins any more is packed: its frames inflated, laid out section by
 * section (archive_pack.h) and deflated as one stream, where each section finds its
 * previous ticks within deflate's window. On the loaded server at 1 s that is ~810
 * bytes a snapshot where the chain held ~1,040: an hour's rewind ~0.8 MB smaller.
 * Packing a chain of 64 costs a few ms once a chain, and stepping into a packed chain
 * inflates all of it once (~1 ms), after which each step is a lookup.
 *
 * Given a spill file (archive_spill.h), a packed chain's bytes go there once it is
 * sealed and its mapping is unmapped: the ring in memory is then its slots, the chains'
 * indexes and the open chain; stepping into a spilled chain reads it back (~50 KB). */
#define ARCH_CHAIN_MAX 64
#define ARCH_FRAME_LEVEL 1     /* a frame deflated on its own: see deflate_frame */
#define ARCH_PACK_LEVEL 6      /* a packed chain: level 9 saves ~3% for much more CPU */
#define ARCH_PACK_MIN 4        /* frames: fewer gain too little to repack */
#define ARCH_DICT_MAX 32768    /* deflate's window: more would not be used */
#define ARCH_MAP_FIRST 65536   /* a chain's first mapping; doubled as it fills */

struct arch_chain {
    uint8_t *buf;              /* mmap'd: map bytes, used of them written */
    size_t map, used;
    uint32_t n;                /* frames in it */
    uint32_t live;             /* of them, still in the ring */
    bool packed;               /* buf: the frames section by section, deflated as one
                                * (packed_len bytes inflated); off then each frame's
                                * place among them end to end, zlen unused */
    uint32_t packed_len;
    bool spilled;              /* the packed bytes are in the spill file at spill_off
                                * (used bytes); buf is NULL */
    uint64_t spill_off;
    uint32_t off[ARCH_CHAIN_MAX], zlen[ARCH_CHAIN_MAX], rlen[ARCH_CHAIN_MAX];
};

struct arch_entry {
    struct arch_chain *chain;  /* NULL: an empty slot */
    uint32_t idx;              /* its place in the chain (0: the key) */
    int64_t mono_ns, time_ns;
    bool new_run;
};

/* The raw frame inflated last: a walk through the ring inflates each frame once. For a
 * packed chain, all of its frames: a walk through it decompresses it once. */
struct arch_cache {
    const struct arch_chain *chain;   /* NULL: empty */
    uint32_t idx;
    uint8_t *buf;                     /* owned: the frame, or the packed chain's frames */
    size_t cap;
    const uint8_t *raw;               /* the frame idx: in buf */
    uint32_t len;
};

struct archive {
    struct arch_entry *ring;
    size_t cap, len, head;     /* oldest at (head - len) mod cap; head: next slot */
    size_t mapped;             /* their resident bytes: each chain's used, to a page */
    struct arch_chain *open;   /* the chain the next frame joins, or NULL */
    struct rec_buf enc;        /* reused between pushes */
    struct rec_buf last;       /* the raw frame pushed last: the next one's dictionary */
    uint8_t *zbuf;             /* deflate's output, before it is copied into the chain */
    size_t zcap;
    struct arch_cache *cache;  /* owned; behind a pointer: loading is const otherwise */
    z_stream def;              /* kept across pushes: deflateInit's state is ~270 KB */
    bool def_ok;
    struct archive_spill *spill; /* owned; NULL: every chain stays in memory */
};

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

static size_t round_page(size_t n)
{
    size_t p = page_size();
    return (n + p - 1) / p * p;
}

/* How many frames a chain holds: an eighth of the ring, so the frames kept past it
 * stay few (and a ring of up to 15 keeps each frame alone). */
static uint32_t chain_max(size_t cap)
{
    size_t n = cap / 8;
    return n < 1 ? 1 : n > ARCH_CHAIN_MAX ? ARCH_CHAIN_MAX : (uint32_t)n;
}

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

static void cache_drop(struct arch_cache *c)
{
    free(c->buf);
    *c = (struct arch_cache){ 0 };
}

/* The cache takes buf (cap bytes, malloc'd) for frame idx of chain, at raw. */
static void cache_take(struct arch_cache *c, const struct arch_chain *chain, uint32_t idx,
                       uint8_t *buf, size_t cap, const uint8_t *raw)
{
    if (c->buf != buf)
        free(c->buf);
    *c = (struct arch_cache){ .chain = chain, .idx = idx, .buf = buf, .cap = cap, .raw = raw,
                              .len = chain->rlen[idx] };
}

static void chain_free(struct archive *a, struct arch_chain *c)
{
    if (a->cache->chain == c)       /* its bytes are of no use any more */
        cache_drop(a->cache);
    if (a->open == c)
        a->open = NULL;
    if (c->spilled) {
        archive_spill_drop(a->spill, c->spill_off, c->used);
    } else {
        a->mapped -= round_page(c->used);
        munmap(c->buf, c->map);
    }
    free(c);
}

static void chain_pack(struct archive *a, struct arch_chain *c);

/* No frame joins the open chain any more: it is packed, or its mapping cut to the pages
 * it uses; it goes at once when none of its frames is left in the ring. */
static void chain_seal(struct archive *a)
{
    struct arch_chain *c = a->open;
    if (!c)
        return;
    a->open = NULL;
    if (!c->live) {
        chain_free(a, c);
        return;
    }
    if (c->n >= ARCH_PACK_MIN)
        chain_pack(a, c);
    if (c->packed && a->spill && archive_spill_put(a->spill, c->buf, c->used, &c->spill_off) == 0) {
        a->mapped -= round_page(c->used);
        munmap(c->buf, c->map);
        c->buf = NULL;
        c->map = 0;
        c->spilled = true;
        return;
    }
    size_t fit = round_page(c->used);
    if (fit < c->map) {
        void *m = mremap(c->buf, c->map, fit, 0);    /* shrinking stays in place */
        if (m != MAP_FAILED)
            c->map = fit;
    }
}

/* Room for len more bytes in c: its mapping grown (moved if need be). 0 or -ENOMEM. */
static int chain_reserve(struct arch_chain *c, size_t len)
{
    if (c->used + len <= c->map)
        return 0;
    size_t want = c->map ? c->map : ARCH_MAP_FIRST;
    while (want < c->used + len)
        want *= 2;
    void *m = c->buf ? mremap(c->buf, c->map, want, MREMAP_MAYMOVE)
                     : mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    if (m == MAP_FAILED)
        return -ENOMEM;
    c->buf = m;
    c->map = want;
    return 0;
}

/* The dictionary a frame was deflated against: the tail of the frame before (zlib
 * favours a dictionary's last bytes, and uses 32 KB at most). */
static const uint8_t *dict_of(const uint8_t *prev, size_t prev_len, size_t *dlen)
{
    *dlen = prev_len < ARCH_DICT_MAX ? prev_len : ARCH_DICT_MAX;
    return prev + (prev_len - *dlen);
}

/* Deflate raw against the previous frame's bytes (prev NULL: alone) into a->zbuf;
 * 0 with *zlen, or -ENOMEM. */
static int deflate_frame(struct archive *a, const uint8_t *prev, size_t prev_len,
                         const uint8_t *raw, size_t len, size_t *zlen)
{
    if (!a->def_ok) {
        memset(&a->def, 0, sizeof(a->def));
        /* A frame at level 1: only the open chain holds it so, and packing deflates the
         * chain again at level 6. On the loaded server that kept a snapshot in ~480 us
         * of CPU instead of ~650, for ~17 KB more in the open chain. memLevel 5 (zlib's
         * default 8): a frame and its dictionary are a few KB, and the smaller hash and
         * pending buffers gave the same bytes on the loaded server's frames, in ~110 KB
         * less memory kept for the session. The window stays at 32 KB: a frame with the
         * on-CPU profile is ~23 KB, its dictionary as much. */
        if (deflateInit2(&a->def, ARCH_FRAME_LEVEL, Z_DEFLATED, 15, 5, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            return -ENOMEM;
        a->def_ok = true;
    }
    size_t dlen = 0;
    const uint8_t *dict = prev ? dict_of(prev, prev_len, &dlen) : NULL;
    size_t bound = deflateBound(&a->def, (uLong)len);
    if (bound > a->zcap) {
        uint8_t *z = realloc(a->zbuf, bound);
        if (!z)
            return -ENOMEM;
        a->zbuf = z;
        a->zcap = bound;
    }
    if (rec_deflate(&a->def, dict, dlen, raw, len, a->zbuf, bound, zlen) != Z_STREAM_END)
        return -ENOMEM;
    return 0;
}

/* The frames of chain c inflated end to end into a new buffer (*total bytes); NULL
 * with why when one does not inflate or memory runs out. */
static uint8_t *chain_inflate_all(const struct arch_chain *c, size_t *total, char *why,
                                  size_t len)
{
    size_t n = 0;
    for (uint32_t i = 0; i < c->n; i++)
        n += c->rlen[i];
    uint8_t *block = malloc(n ? n : 1);
    if (!block) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    size_t at = 0, prev = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        size_t dlen = 0;
        const uint8_t *dict = i ? dict_of(block + prev, c->rlen[i - 1], &dlen) : NULL;
        if (rec_inflate(c->buf + c->off[i], c->zlen[i], dict, dlen, block + at, c->rlen[i],
                        why, len) < 0) {
            free(block);
            return NULL;
        }
        prev = at;
        at += c->rlen[i];
    }
    *total = n;
    return block;
}

/* The deflate stream's level from its next use on (a finished stream must be reset
 * before zlib lets its level change). */
static int set_level(struct archive *a, int level)
{
    int z = deflateReset(&a->def);
    return z == Z_OK ? deflateParams(&a->def, level, Z_DEFAULT_STRATEGY) : z;
}

/* The chain's deflated frames replaced by one deflate stream of them all, section by
 * section (see the top). Any failure leaves the chain as it was: packing only saves
 * memory. */
static void chain_pack(struct archive *a, struct arch_chain *c)
{
    char why[160];
    size_t total = 0;
    uint8_t *block = a->def_ok ? chain_inflate_all(c, &total, why, sizeof(why)) : NULL;
    if (!block)
        return;
    struct rec_buf order = { 0 };
    uint8_t *z = MAP_FAILED;
    size_t bound = 0, zlen = 0;
    if (archive_pack_order(block, c->rlen, c->n, &order) == 0 && order.len <= UINT32_MAX) {
        bound = deflateBound(&a->def, (uLong)order.len);
        /* Written into a mapping of its own, which chain_seal then cuts to its
         * pages: only what is written becomes resident, and nothing is copied. */
        z = mmap(NULL, bound, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (z == MAP_FAILED ||
        set_level(a, ARCH_PACK_LEVEL) != Z_OK ||
        rec_deflate(&a->def, NULL, 0, order.p, order.len, z, bound, &zlen) != Z_STREAM_END ||
        zlen >= c->used) {
        (void)set_level(a, ARCH_FRAME_LEVEL);
        if (z != MAP_FAILED)
            munmap(z, bound);
        rec_buf_free(&order);
        free(block);
        return;
    }
    (void)set_level(a, ARCH_FRAME_LEVEL);
    a->mapped -= round_page(c->used);
    munmap(c->buf, c->map);
    c->buf = z;
    c->map = bound;
    c->used = zlen;
    c->packed_len = (uint32_t)order.len;
    a->mapped += round_page(zlen);
    rec_buf_free(&order);
    uint32_t at = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        c->off[i] = at;
        c->zlen[i] = 0;
        at += c->rlen[i];
    }
    c->packed = true;
    /* A walk standing in this chain goes on in the bytes just inflated. */
    struct arch_cache *cc = a->cache;
    if (cc->chain == c)
        cache_take(cc, c, cc->idx, block, total, block + c->off[cc->idx]);
    else
        free(block);
}

/* A packed chain's frames, end to end, into a new buffer; NULL with why. */
static uint8_t *chain_unpack(const struct archive *a, const struct arch_chain *ch, size_t total,
                             size_t age, char *why, size_t len)
{
    uint8_t *order = malloc(ch->packed_len ? ch->packed_len : 1);
    uint8_t *block = malloc(total ? total : 1);
    uint8_t *read = ch->spilled ? malloc(ch->used ? ch->used : 1) : NULL;
    const uint8_t *z = ch->spilled ? read : ch->buf;
    char zwhy[160] = "";
    int rc = 0;
    if (!order || !block || (ch->spilled && !read))
        snprintf(why, len, "out of memory");
    else if (ch->spilled && (rc = archive_spill_get(a->spill, ch->spill_off, read, ch->used)) < 0)
        snprintf(why, len, "snapshot %zu back cannot be read from %s: %s", age,
                 archive_spill_dir(a->spill), strerror(-rc));
    else if (rec_inflate(z, ch->used, NULL, 0, order, ch->packed_len, zwhy,
                         sizeof(zwhy)) < 0)
        snprintf(why, len, "snapshot %zu back does not inflate: %s", age, zwhy);
    else if (archive_unpack_order(order, ch->packed_len, ch->rlen, ch->n, block) < 0)
        snprintf(why, len, "snapshot %zu back: its chain does not unpack", age);
    else {
        free(read);
        free(order);
        return block;
    }
    free(read);
    free(order);
    free(block);
    return NULL;
}

/* A packed chain's frame: from the cache when it holds the chain, else the chain
 * unpacked whole into it. */
static int unpack_at(const struct archive *a, const struct arch_chain *ch, uint32_t idx,
                     size_t age, char *why, size_t len)
{
    struct arch_cache *cc = a->cache;
    if (cc->chain != ch) {
        size_t total = (size_t)ch->off[ch->n - 1] + ch->rlen[ch->n - 1];
        uint8_t *block = chain_unpack(a, ch, total, age, why, len);
        if (!block)
            return -1;
        cache_take(cc, ch, idx, block, total, block);
    }
    cc->idx = idx;
    cc->raw = cc->buf + ch->off[idx];
    cc->len = ch->rlen[idx];
    return 0;
}

/* The raw bytes of the frame at age into the cache (a->cache->raw, ->len): from the
 * cache when it holds this frame (or its packed chain, or a frame before it in a
 * deflated chain), else from the chain's start. 0, or -1 with why. */
static int inflate_at(const struct archive *a, size_t age, char *why, size_t len)
{
    struct arch_cache *c = a->cache;
    const struct arch_entry *want = at(a, age);
    const struct arch_chain *ch = want->chain;
    if (c->chain == ch && c->idx == want->idx)
        return 0;
    if (ch->packed)
        return unpack_at(a, ch, want->idx, age, why, len);
    uint32_t from = c->chain == ch && c->idx < want->idx ? c->idx + 1 : 0;
    for (uint32_t i = from; i <= want->idx; i++) {
        uint8_t *out = malloc(ch->rlen[i] ? ch->rlen[i] : 1);
        if (!out) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        size_t dlen = 0;
        const uint8_t *dict = i ? dict_of(c->raw, c->len, &dlen) : NULL;
        char zwhy[160] = "";
        if (rec_inflate(ch->buf + ch->off[i], ch->zlen[i], dict, dlen, out, ch->rlen[i], zwhy,
                        sizeof(zwhy)) < 0) {
            free(out);
            cache_drop(c);
            snprintf(why, len, "snapshot %zu back does not inflate: %s",
                     age + (want->idx - i), zwhy);
            return -1;
        }
        cache_take(c, ch, i, out, ch->rlen[i], out);
    }
    return 0;
}

/* The oldest frame leaves the ring; its chain goes with its last frame (unless frames
 * are still joining it). */
static void drop_oldest(struct archive *a)
{
    struct arch_entry *e = at(a, a->len - 1);
    struct arch_chain *c = e->chain;
    if (c && --c->live == 0 && c != a->open)
        chain_free(a, c);
    memset(e, 0, sizeof(*e));
    a->len--;
}

void archive_clear(struct archive *a)
{
    if (!a)
        return;
    while (a->len)
        drop_oldest(a);
    chain_seal(a);                 /* the next push starts a chain */
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
    free(a->zbuf);
    cache_drop(a->cache);
    free(a->cache);
    free(a->ring);
    archive_spill_close(a->spill);
    free(a);
}

void archive_spill_into(struct archive *a, struct archive_spill *sp)
{
    if (!a) {
        archive_spill_close(sp);
        return;
    }
    /* Chains already spilled stay readable only through the file they are in. */
    if (a->spill && a->spill != sp) {
        archive_clear(a);
        archive_spill_close(a->spill);
    }
    a->spill = sp;
}

size_t archive_spilled_bytes(const struct archive *a)
{
    return a ? (size_t)archive_spill_bytes(a->spill) : 0;
}

/* Append the deflated frame (a->zbuf) to the open chain, opening one for a key. */
static int chain_append(struct archive *a, bool key, size_t zlen, size_t rlen)
{
    if (key)
        chain_seal(a);
    struct arch_chain *c = a->open;
    bool fresh = !c;
    if (fresh && !(c = calloc(1, sizeof(*c))))
        return -ENOMEM;
    size_t had = round_page(c->used);
    if (chain_reserve(c, zlen) != 0) {
        if (fresh)
            free(c);
        return -ENOMEM;
    }
    memcpy(c->buf + c->used, a->zbuf, zlen);
    c->off[c->n] = (uint32_t)c->used;
    c->zlen[c->n] = (uint32_t)zlen;
    c->rlen[c->n] = (uint32_t)rlen;
    c->used += zlen;
    a->mapped += round_page(c->used) - had;
    a->open = c;
    return 0;
}

int archive_push(struct archive *a, const struct snapshot *s, int new_run)
{
    if (record_encode(&a->enc, s) != 0 || a->enc.oom || a->enc.len > UINT32_MAX)
        return -ENOMEM;
    /* A key at a run's start (a new target shares nothing with the last), when the
     * chain is full, and when nothing was pushed before (or the ring was cleared). */
    struct arch_chain *open = a->open;
    bool key = new_run || !open || open->n >= chain_max(a->cap) || open->used > UINT32_MAX / 2;
    size_t zlen = 0;
    if (deflate_frame(a, key ? NULL : a->last.p, key ? 0 : a->last.len, a->enc.p, a->enc.len,
                      &zlen) != 0 ||
        chain_append(a, key, zlen, a->enc.len) != 0)
        return -ENOMEM;
    if (a->len == a->cap)
        drop_oldest(a);
    struct arch_chain *c = a->open;
    a->ring[a->head] = (struct arch_entry){ .chain = c, .idx = c->n,
                                            .mono_ns = s->meta.mono_ns,
                                            .time_ns = s->meta.time_ns,
                                            .new_run = new_run != 0 };
    c->n++;
    c->live++;
    a->head = (a->head + 1) % a->cap;
    a->len++;
    /* This frame is the next one's dictionary: swap the buffers rather than copy. */
    struct rec_buf t = a->last;
    a->last = a->enc;
    a->enc = t;
    /* A rare huge snapshot (thousands of goroutine groups) should not pin its buffers. */
    if (a->enc.cap > (size_t)1 << 20)
        rec_buf_free(&a->enc);
    if (a->zcap > 4 * (zlen + 4096)) {
        free(a->zbuf);
        a->zbuf = NULL;
        a->zcap = 0;
    }
    return 0;
}

void archive_end_walk(const struct archive *a)
{
    if (a)
        cache_drop(a->cache);
}

size_t archive_len(const struct archive *a) { return a ? a->len : 0; }
size_t archive_capacity(const struct archive *a) { return a ? a->cap : 0; }

size_t archive_bytes(const struct archive *a)
{
    return a ? a->mapped + a->last.cap + a->cache->cap + a->zcap : 0;
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
    size_t shed_at = history_detail_ages(h);
    for (size_t k = oldest + 1; !rc && k-- > age;) {
        int64_t t = at(a, k)->mono_ns;
        while (j < nold && old[j]->meta.mono_ns < t)
            j++;
        struct snapshot *s = NULL;
        /* One that shed its details is decoded again where the new window needs it. */
        if (j < nold && old[j]->meta.mono_ns == t &&
            (!old[j]->detail_shed || (shed_at && k - age >= shed_at))) {
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
