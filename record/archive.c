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

/* A raw frame the following frames are deflated against (zlib's preset dictionary): the
 * snapshots of one target repeat most of their bytes, which plain deflate of a lone
 * frame cannot use. Shared by the entries compressed with it. */
struct arch_dict {
    uint8_t *raw;
    uint32_t len;
    uint32_t refs;
};

struct arch_entry {
    uint8_t *z;                /* deflated payload (malloc'd to its size) */
    uint32_t zlen, rlen;
    int64_t mono_ns, time_ns;
    struct arch_dict *dict;    /* what it was deflated against; NULL none */
    bool new_run;
};

/* A new dictionary every this many snapshots: follows a changing target, and costs a
 * raw frame (~15 KB) per period, ~250 B a snapshot. */
#define ARCH_DICT_EVERY 64
#define ARCH_DICT_MAX 32768    /* deflate's window: more would not be used */

struct archive {
    struct arch_entry *ring;
    size_t cap, len, head;     /* oldest at (head - len) mod cap; head: next slot */
    size_t zbytes, dict_bytes;
    struct rec_buf enc;        /* reused between pushes */
    struct arch_dict *dict;    /* the newest, for the next push; holds a reference */
    unsigned since_dict;
    z_stream def;              /* kept across pushes: deflateInit's state is ~270 KB */
    bool def_ok;
};

static void dict_put(struct archive *a, struct arch_dict *d)
{
    if (d && --d->refs == 0) {
        a->dict_bytes -= d->len;
        free(d->raw);
        free(d);
    }
}

struct archive *archive_new(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct archive *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->ring = calloc(capacity, sizeof(*a->ring));
    if (!a->ring) {
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

static void drop_oldest(struct archive *a)
{
    struct arch_entry *e = at(a, a->len - 1);
    a->zbytes -= e->zlen;
    free(e->z);
    dict_put(a, e->dict);
    memset(e, 0, sizeof(*e));
    a->len--;
}

void archive_clear(struct archive *a)
{
    while (a && a->len)
        drop_oldest(a);
}

void archive_free(struct archive *a)
{
    if (!a)
        return;
    archive_clear(a);
    dict_put(a, a->dict);
    if (a->def_ok)
        deflateEnd(&a->def);
    rec_buf_free(&a->enc);
    free(a->ring);
    free(a);
}

/* The dictionary for this push: a new one from raw every ARCH_DICT_EVERY pushes (and
 * at a run's start); the frame that becomes one is itself deflated against the last. */
static void dict_rotate(struct archive *a, const uint8_t *raw, size_t len, bool new_run)
{
    if (a->dict && !new_run && a->since_dict < ARCH_DICT_EVERY)
        return;
    struct arch_dict *d = calloc(1, sizeof(*d));
    size_t n = len < ARCH_DICT_MAX ? len : ARCH_DICT_MAX;
    if (!d || !(d->raw = malloc(n ? n : 1))) {
        free(d);
        return;                 /* keep the old one */
    }
    /* The frame's tail: zlib favours the dictionary's last bytes. */
    memcpy(d->raw, raw + (len - n), n);
    d->len = (uint32_t)n;
    d->refs = 1;
    a->dict_bytes += n;
    dict_put(a, a->dict);
    a->dict = d;
    a->since_dict = 0;
}

/* Deflate raw against d into a new buffer; NULL on failure. */
static uint8_t *deflate_frame(struct archive *a, const struct arch_dict *d,
                              const uint8_t *raw, size_t len, uint32_t *zlen)
{
    if (!a->def_ok) {
        memset(&a->def, 0, sizeof(a->def));
        /* Level 6 against a dictionary renewed every 64 frames: 2.5 KB a snapshot of a
         * loaded HTTP server for 0.3 ms of CPU (level 1: 2.9 KB for 0.2 ms; a dictionary
         * every 16: 3.1 KB, every 256: 3.0 KB; scripts/bench-rewind.sh). */
        if (deflateInit(&a->def, 6) != Z_OK)
            return NULL;
        a->def_ok = true;
    }
    uLong bound = deflateBound(&a->def, (uLong)len);
    uint8_t *z = malloc(bound);
    size_t n = 0;
    if (!z || rec_deflate(&a->def, d ? d->raw : NULL, d ? d->len : 0, raw, len, z, bound,
                          &n) != Z_STREAM_END) {
        free(z);
        return NULL;
    }
    *zlen = (uint32_t)n;
    uint8_t *fit = realloc(z, n ? n : 1);
    return fit ? fit : z;
}

int archive_push(struct archive *a, const struct snapshot *s, int new_run)
{
    if (record_encode(&a->enc, s) != 0 || a->enc.oom || a->enc.len > UINT32_MAX)
        return -ENOMEM;
    struct arch_dict *d = a->dict;
    uint32_t zlen = 0;
    uint8_t *z = deflate_frame(a, d, a->enc.p, a->enc.len, &zlen);
    if (!z)
        return -ENOMEM;
    if (d)
        d->refs++;
    a->since_dict++;
    dict_rotate(a, a->enc.p, a->enc.len, new_run != 0);
    if (a->len == a->cap)
        drop_oldest(a);
    a->ring[a->head] = (struct arch_entry){ .z = z, .zlen = zlen,
                                            .rlen = (uint32_t)a->enc.len,
                                            .mono_ns = s->meta.mono_ns,
                                            .time_ns = s->meta.time_ns,
                                            .dict = d,
                                            .new_run = new_run != 0 };
    a->head = (a->head + 1) % a->cap;
    a->len++;
    a->zbytes += zlen;
    /* A rare huge snapshot (thousands of goroutine groups) should not pin its buffer. */
    if (a->enc.cap > (size_t)1 << 20)
        rec_buf_free(&a->enc);
    return 0;
}

size_t archive_len(const struct archive *a) { return a ? a->len : 0; }
size_t archive_capacity(const struct archive *a) { return a ? a->cap : 0; }

size_t archive_bytes(const struct archive *a) { return a ? a->zbytes + a->dict_bytes : 0; }

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
    const struct arch_entry *e = at(a, age);
    uint8_t *raw = malloc(e->rlen ? e->rlen : 1);
    if (!raw) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    char dwhy[160] = "";
    if (rec_inflate(e->z, e->zlen, e->dict ? e->dict->raw : NULL, e->dict ? e->dict->len : 0,
                    raw, e->rlen, dwhy, sizeof(dwhy)) < 0) {
        free(raw);
        snprintf(why, len, "snapshot %zu back does not inflate: %s", age, dwhy);
        return NULL;
    }
    struct snapshot *s = record_decode(raw, e->rlen, dwhy, sizeof(dwhy));
    free(raw);
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
