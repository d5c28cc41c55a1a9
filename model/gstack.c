/* gstack: the run-long pool of symbolised goroutine stacks and their strings. */
#include "model/gstack.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Open-addressing sets of pointers, grown at half full. */
struct ptr_set {
    void **slots;
    size_t cap, len;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptr_set strings, stacks;
static size_t stack_bytes;

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;    /* FNV-1a */
    return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

static int set_grow(struct ptr_set *s, uint64_t (*hash)(const void *))
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    void **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i])
            continue;
        size_t j = (size_t)hash(s->slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

static uint64_t str_hash(const void *p) { return hash_bytes(HASH_SEED, p, strlen(p)); }

static const char *str_intern_locked(const char *s)
{
    if (!s)
        s = "";
    if ((strings.len + 1) * 2 > strings.cap && set_grow(&strings, str_hash) < 0)
        return NULL;
    size_t i = (size_t)str_hash(s) & (strings.cap - 1);
    while (strings.slots[i]) {
        if (strcmp(strings.slots[i], s) == 0)
            return strings.slots[i];
        i = (i + 1) & (strings.cap - 1);
    }
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    strings.slots[i] = copy;
    strings.len++;
    return copy;
}

const char *gstack_str(const char *s)
{
    pthread_mutex_lock(&pool_lock);
    const char *r = str_intern_locked(s);
    pthread_mutex_unlock(&pool_lock);
    return r;
}

/* Strings are pooled, so a frame hashes and compares by its pointers. */
static uint64_t frame_hash(uint64_t h, const struct gframe *f)
{
    h = hash_bytes(h, &f->func, sizeof(f->func));
    h = hash_bytes(h, &f->file, sizeof(f->file));
    h = hash_bytes(h, &f->line, sizeof(f->line));
    return hash_bytes(h, &f->inlined, sizeof(f->inlined));
}

static bool frame_eq(const struct gframe *a, const struct gframe *b)
{
    return a->func == b->func && a->file == b->file && a->line == b->line &&
           a->inlined == b->inlined;
}

static uint64_t stack_hash_of(const struct gframe *frames, size_t n, bool truncated,
                              const struct gframe *cb, const struct gframe *start)
{
    uint64_t h = frame_hash(frame_hash(HASH_SEED, cb), start);
    h = hash_bytes(h, &truncated, sizeof(truncated));
    for (size_t i = 0; i < n; i++)
        h = frame_hash(h, &frames[i]);
    return h | 1;      /* never 0 */
}

static uint64_t stack_hash(const void *p) { return ((const struct gstack *)p)->hash; }

static bool stack_eq(const struct gstack *st, uint64_t h, const struct gframe *frames,
                     size_t n, bool truncated, const struct gframe *cb,
                     const struct gframe *start)
{
    if (st->hash != h || st->nframes != n || st->truncated != truncated ||
        !frame_eq(&st->created_by, cb) || !frame_eq(&st->start, start))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!frame_eq(&st->frames[i], &frames[i]))
            return false;
    return true;
}

/* A frame whose strings are the pool's (the caller's may be anyone's). */
static bool frame_pool(struct gframe *out, const struct gframe *in)
{
    out->func = str_intern_locked(in && in->func ? in->func : "");
    out->file = str_intern_locked(in && in->file ? in->file : "");
    out->line = in ? in->line : 0;
    out->inlined = in ? in->inlined : false;
    return out->func && out->file;
}

static const struct gstack *intern(const struct gframe *frames, size_t n, bool truncated,
                                   const struct gframe *created_by, const struct gframe *start,
                                   bool counted)
{
    if (n > GSTACK_MAX_FRAMES) {
        n = GSTACK_MAX_FRAMES;
        truncated = true;
    }
    struct gframe fr[GSTACK_MAX_FRAMES], cb, st0;
    const struct gstack *found = NULL;
    pthread_mutex_lock(&pool_lock);
    bool ok = frame_pool(&cb, created_by) && frame_pool(&st0, start);
    for (size_t i = 0; ok && i < n; i++)
        ok = frame_pool(&fr[i], &frames[i]);
    if (!ok)
        goto out;
    uint64_t h = stack_hash_of(fr, n, truncated, &cb, &st0);
    if ((stacks.len + 1) * 2 > stacks.cap && set_grow(&stacks, stack_hash) < 0)
        goto out;
    size_t i = (size_t)h & (stacks.cap - 1);
    while (stacks.slots[i]) {
        if (stack_eq(stacks.slots[i], h, fr, n, truncated, &cb, &st0)) {
            struct gstack *had = stacks.slots[i];
            if (counted)
                had->refs++;
            else
                had->permanent = true;
            found = had;
            goto out;
        }
        i = (i + 1) & (stacks.cap - 1);
    }
    if (stacks.len >= GSTACK_POOL_CAP)
        goto out;
    size_t size = sizeof(struct gstack) + n * sizeof(struct gframe);
    struct gstack *st = malloc(size);
    if (!st)
        goto out;
    st->hash = h;
    st->created_by = cb;
    st->start = st0;
    st->truncated = truncated;
    st->permanent = !counted;
    st->refs = counted ? 1 : 0;
    st->nframes = (uint16_t)n;
    memcpy(st->frames, fr, n * sizeof(fr[0]));
    stacks.slots[i] = st;
    stacks.len++;
    stack_bytes += size;
    found = st;
out:
    pthread_mutex_unlock(&pool_lock);
    return found;
}

const struct gstack *gstack_intern(const struct gframe *frames, size_t n, bool truncated,
                                   const struct gframe *created_by, const struct gframe *start)
{
    return intern(frames, n, truncated, created_by, start, false);
}

const struct gstack *gstack_intern_ref(const struct gframe *frames, size_t n, bool truncated,
                                       const struct gframe *created_by,
                                       const struct gframe *start)
{
    return intern(frames, n, truncated, created_by, start, true);
}

void gstack_retain(const struct gstack *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&pool_lock);
    if (!st->permanent)
        ((struct gstack *)st)->refs++;
    pthread_mutex_unlock(&pool_lock);
}

/* Take slot i out of the set, moving later entries of its probe run back so that every
 * entry stays reachable from its home slot (linear probing without tombstones). */
static void set_remove_at(struct ptr_set *s, size_t i, uint64_t (*hash)(const void *))
{
    size_t mask = s->cap - 1, j = i;
    s->slots[i] = NULL;
    s->len--;
    for (;;) {
        j = (j + 1) & mask;
        if (!s->slots[j])
            return;
        size_t home = (size_t)hash(s->slots[j]) & mask;
        /* Stays when its home lies cyclically in (i, j]; else it moves into the hole. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            s->slots[i] = s->slots[j];
            s->slots[j] = NULL;
            i = j;
        }
    }
}

void gstack_release(const struct gstack *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&pool_lock);
    struct gstack *m = (struct gstack *)st;
    if (!m->permanent && m->refs && --m->refs == 0) {
        size_t i = (size_t)m->hash & (stacks.cap - 1);
        while (stacks.slots[i] && stacks.slots[i] != m)
            i = (i + 1) & (stacks.cap - 1);
        if (stacks.slots[i] == m) {
            set_remove_at(&stacks, i, stack_hash);
            stack_bytes -= sizeof(struct gstack) + m->nframes * sizeof(struct gframe);
            free(m);
        }
    }
    pthread_mutex_unlock(&pool_lock);
}

bool gstack_func_shown(const char *func)
{
    /* The runtime's traceback shows a function unless it is the runtime's own and
     * unexported (runtime.Gosched is shown, runtime.gopark is not). */
    if (!func || !strchr(func, '.'))
        return false;
    /* The closures the compiler wraps a `go f(args)` in (Go 1.22+): wrappers, elided. */
    const char *w = strstr(func, ".gowrap");
    if (w && w[7] >= '0' && w[7] <= '9')
        return false;
    if (strncmp(func, "runtime.", 8) != 0)
        return true;
    char c = func[8];
    return c >= 'A' && c <= 'Z';
}

/* Whether func belongs to the Go distribution: its import path's first element has no
 * dot ("sync", "net/http", "internal/poll"), and it is not package main. */
static bool is_std(const char *func)
{
    const char *slash = strrchr(func, '/');
    const char *pkg_end = strchr(slash ? slash : func, '.');
    if (!pkg_end)
        return false;
    if ((size_t)(pkg_end - func) == 4 && strncmp(func, "main", 4) == 0)
        return false;
    const char *first_end = strchr(func, '/');
    if (!first_end || first_end > pkg_end)
        first_end = pkg_end;
    return !memchr(func, '.', (size_t)(first_end - func));
}

static bool is_runtime(const char *func)
{
    return strncmp(func, "runtime.", 8) == 0 || strncmp(func, "internal/", 9) == 0 ||
           strstr(func, ".runtime_") != NULL;      /* sync.runtime_Semacquire */
}

const struct gframe *gstack_user_frame(const struct gstack *st)
{
    if (!st)
        return NULL;
    /* The program's own code first (time.Sleep says less than who slept), else the
     * first frame outside the runtime (a goroutine of net/http's). */
    for (size_t i = 0; i < st->nframes; i++)
        if (!is_runtime(st->frames[i].func) && !is_std(st->frames[i].func))
            return &st->frames[i];
    for (size_t i = 0; i < st->nframes; i++)
        if (!is_runtime(st->frames[i].func))
            return &st->frames[i];
    return NULL;
}

void gstack_pool_stats(size_t *nstacks, size_t *bytes)
{
    pthread_mutex_lock(&pool_lock);
    *nstacks = stacks.len;
    *bytes = stack_bytes + (stacks.cap + strings.cap) * sizeof(void *);
    pthread_mutex_unlock(&pool_lock);
}
