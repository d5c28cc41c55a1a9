/* gr_symbols: pcln lookups for goroutine stacks, mapped from the target's own file and
 * cached per pc (a program's goroutines share a few hundred distinct pcs). */
#include "collectors/gr_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "target/go_binary.h"
#include "target/go_pclntab.h"
#include "target/go_unwind.h"

/* Two-way caches: a key lives in the slot its hash names or in that slot's neighbour, and
 * a new key replaces the one of the pair used longer ago. Direct-mapped, two return
 * addresses of the loaded server's stacks evicted each other every refresh, and each
 * miss faulted ~10 pages of the trimmed table back in (~0.25 ms a refresh). Each cache
 * starts at its least and doubles (to its most) once it has replaced as many entries as
 * it has slots, so a program with a few hundred distinct pcs keeps a few pages of them,
 * not the ~450 KB a large one needs (a hash spreads even a few entries over every page
 * of a table). */
#define FRAME_SLOTS 8192
#define FRAME_SLOTS_MIN 512
#define EXPAND_SLOTS 2048
#define EXPAND_SLOTS_MIN 128
#define EXPAND_MAX 6           /* frames of one pc cached; deeper ones are looked up */
#define FUNC_SLOTS 256          /* functions by pc: the goroutines' start functions */

struct frame_slot {
    uint64_t pc;               /* 0: empty */
    uint32_t used;             /* the cache's clock at the last hit or fill */
    int32_t sp_delta;
    bool root, known;
};

struct func_slot {
    uint64_t pc;               /* 0: empty */
    const char *func;          /* interned */
};

struct expand_slot {
    uint64_t key;              /* pc << 1 | caller; 0 empty */
    uint32_t used;             /* as in frame_slot */
    uint8_t n;
    struct gframe f[EXPAND_MAX];
};

/* The pcln table mapped from a program's file, shared by every reader of the same
 * file: the goroutine reader and the on-CPU sampler each touched most of it (1.4 MB of
 * RSS apiece on an 8 MB server binary, as two private mappings of the same pages). */
struct pcln_map {
    struct pcln_map *next;
    dev_t dev;
    ino_t ino;
    uint64_t start;
    size_t len;
    void *map;
    unsigned refs;
    _Atomic int64_t trimmed_ns;  /* CLOCK_MONOTONIC of the last trim by any reader; 0 never */
};

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pcln_map *maps;

/* The mapping of [start, start + len) of fd's file (dev, ino): the one already made, or
 * a new one. NULL with errno. */
static struct pcln_map *pcln_map_get(int fd, dev_t dev, ino_t ino, uint64_t start, size_t len)
{
    pthread_mutex_lock(&maps_lock);
    struct pcln_map *m = maps;
    while (m && !(m->dev == dev && m->ino == ino && m->start == start && m->len == len))
        m = m->next;
    if (m) {
        m->refs++;
    } else if ((m = calloc(1, sizeof(*m)))) {
        /* A running executable cannot be written (ETXTBSY), so the mapping stays valid. */
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
        if (map == MAP_FAILED) {
            int err = errno;
            free(m);
            m = NULL;
            errno = err;
        } else {
            *m = (struct pcln_map){ .next = maps, .dev = dev, .ino = ino, .start = start,
                                    .len = len, .map = map, .refs = 1 };
            maps = m;
        }
    }
    pthread_mutex_unlock(&maps_lock);
    return m;
}

static void pcln_map_put(struct pcln_map *m)
{
    pthread_mutex_lock(&maps_lock);
    if (--m->refs == 0) {
        struct pcln_map **pp = &maps;
        while (*pp != m)
            pp = &(*pp)->next;
        *pp = m->next;
        munmap(m->map, m->len);
        free(m);
    }
    pthread_mutex_unlock(&maps_lock);
}

struct gr_symbols {
    struct pcln_map *shared;   /* NULL: the table is the caller's (gr_symbols_new) */
    const uint8_t *pcln;
    size_t pcln_len;
    uint64_t text_start;
    uint64_t gofunc;
    uint64_t bias;
    int wrapper_id;            /* funcID of the compiler's wrappers; -1 unknown */
    const struct mem_reader *mem;
    size_t frame_slots, frame_replaced;    /* in use; replaced since the last growth */
    size_t expand_slots, expand_replaced;
    uint32_t clock;            /* counts lookups: which of a pair was used last */
    struct frame_slot frames[FRAME_SLOTS];
    struct expand_slot expand[EXPAND_SLOTS];
    struct func_slot funcs[FUNC_SLOTS];
};

struct gr_symbols *gr_symbols_open(const struct target *t, const struct mem_reader *mem,
                                   char *why, size_t len)
{
    struct go_binary_pcln_loc loc;
    if (!t->bin || go_binary_pcln(t->bin, &loc) != 0) {
        snprintf(why, len, "no pcln table in the binary: stacks cannot be read");
        return NULL;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
    /* The file the process runs, even if deleted or replaced on disk since. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, len, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (st.st_dev != t->exe_dev || st.st_ino != t->exe_ino ||
        loc.file_off > (uint64_t)st.st_size || loc.len > (uint64_t)st.st_size - loc.file_off) {
        snprintf(why, len, "the program's file changed since attach");
        close(fd);
        return NULL;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t start = loc.file_off & ~(uint64_t)(page > 0 ? page - 1 : 4095);
    size_t map_len = (size_t)(loc.file_off - start) + loc.len;
    struct pcln_map *m = pcln_map_get(fd, st.st_dev, st.st_ino, start, map_len);
    int err = errno;
    close(fd);
    if (!m) {
        snprintf(why, len, "cannot map the pcln table: %s", strerror(err));
        return NULL;
    }
    uint64_t bias = 0;
    struct gr_symbols *s = NULL;
    if (go_binary_load_bias(t->bin, t->pid, &bias) != 0)
        snprintf(why, len, "cannot find where the program is loaded");
    else if (!(s = gr_symbols_new((const uint8_t *)m->map + (loc.file_off - start), loc.len,
                                  loc.text_start, loc.gofunc, bias,
                                  go_binary_version(t->bin), mem)))
        snprintf(why, len, "out of memory");
    if (!s) {
        pcln_map_put(m);
        return NULL;
    }
    s->shared = m;
    return s;
}

struct gr_symbols *gr_symbols_new(const uint8_t *pcln, size_t len, uint64_t text_start,
                                  uint64_t gofunc, uint64_t bias, const char *go_version,
                                  const struct mem_reader *mem)
{
    struct gr_symbols *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    /* abi.FuncIDWrapper: the last funcID, numbered after the special runtime functions
     * of each release (1.22 added one, 1.25 another). A later release keeps the last
     * known number: tests/live/goroutine_groups.sh fails on a toolchain where it moved. */
    int minor = go_version ? util_go_minor(go_version) : -1;
    s->wrapper_id = minor < 18 ? -1 : minor <= 21 ? 21 : minor <= 24 ? 22 : 23;
    s->frame_slots = FRAME_SLOTS_MIN;
    s->expand_slots = EXPAND_SLOTS_MIN;
    s->pcln = pcln;
    s->pcln_len = len;
    s->text_start = text_start;
    s->gofunc = gofunc;
    s->bias = bias;
    s->mem = mem;
    return s;
}

void gr_symbols_close(struct gr_symbols *s)
{
    if (!s)
        return;
    if (s->shared)
        pcln_map_put(s->shared);
    free(s);
}

void gr_symbols_trim(struct gr_symbols *s, int64_t now_ns)
{
    if (!s || !s->shared)
        return;
    /* Once a refresh for the mapping, whichever reader comes first: a second madvise a
     * few ms after the first would give back only what the first reader's lookups
     * faulted in again in between (each trim costs a TLB shootdown, 7.6% of the main
     * thread on the loaded server when both readers did it). */
    int64_t last = atomic_load(&s->shared->trimmed_ns);
    if (now_ns - last < 50000000LL ||
        !atomic_compare_exchange_strong(&s->shared->trimmed_ns, &last, now_ns))
        return;
    /* A private, never written file mapping: the pages go back to the page cache and
     * the next read (by either reader sharing it) faults them in again with the same
     * bytes. */
    (void)madvise(s->shared->map, s->shared->len, MADV_DONTNEED);
}

uint64_t gr_symbols_bias(const struct gr_symbols *s) { return s->bias; }

/* Counts a replacement; true when the cache doubled (its entries stay where they are:
 * each slot holds its key, so one found in the wrong slot is only a miss). */
static bool grow(size_t *slots, size_t *replaced, size_t max)
{
    if (*slots >= max || ++*replaced < *slots)
        return false;
    *slots *= 2;
    *replaced = 0;
    return true;
}

static size_t slot_of(uint64_t key, size_t slots)
{
    key ^= key >> 29;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 32;
    return (size_t)key & (slots - 1);
}

/* Which of a pair of slots (keys ka, kb; last used ua, ub) is key's: the one holding it
 * (*hit), else the one to fill: an empty one, else the one used longer ago. 0 is a. */
static int pick(uint64_t key, uint64_t ka, uint32_t ua, uint64_t kb, uint32_t ub, bool *hit)
{
    *hit = ka == key || kb == key;
    if (*hit)
        return ka == key ? 0 : 1;
    return !ka ? 0 : !kb ? 1 : ua <= ub ? 0 : 1;
}

static struct frame_slot *frame_slot_for(struct gr_symbols *s, uint64_t pc, bool *hit)
{
    size_t i = slot_of(pc, s->frame_slots);
    struct frame_slot *a = &s->frames[i], *b = &s->frames[i ^ 1];
    return pick(pc, a->pc, a->used, b->pc, b->used, hit) ? b : a;
}

static struct expand_slot *expand_slot_for(struct gr_symbols *s, uint64_t key, bool *hit)
{
    size_t i = slot_of(key, s->expand_slots);
    struct expand_slot *a = &s->expand[i], *b = &s->expand[i ^ 1];
    return pick(key, a->key, a->used, b->key, b->used, hit) ? b : a;
}

bool gr_symbols_frame(struct gr_symbols *s, uint64_t pc, int32_t *sp_delta, bool *root)
{
    bool hit;
    struct frame_slot *f = frame_slot_for(s, pc, &hit);
    if (!hit || pc == 0) {
        if (f->pc && grow(&s->frame_slots, &s->frame_replaced, FRAME_SLOTS))
            f = frame_slot_for(s, pc, &hit);
        struct go_pcln_pos at;
        f->pc = pc;
        f->known = go_pclntab_pc_func(s->pcln, s->pcln_len, s->text_start, pc, &at) == 0 &&
                   at.sp_delta >= 0;
        f->sp_delta = f->known ? at.sp_delta : -1;
        f->root = f->known && go_unwind_is_root(at.func);
    }
    f->used = ++s->clock;
    *sp_delta = f->sp_delta;
    *root = f->root;
    return f->known;
}

const char *gr_symbols_func(struct gr_symbols *s, uint64_t pc)
{
    /* Cached like the frames: every refresh names each group's start function again,
     * and a lookup faults the table's pages back in after each trim. */
    struct func_slot *f = &s->funcs[slot_of(pc, FUNC_SLOTS)];
    if (pc && f->pc == pc)
        return f->func;
    struct go_pcln_pos at;
    const char *func = go_pclntab_pc_func(s->pcln, s->pcln_len, s->text_start, pc, &at) == 0
                           ? gstack_str(at.func) : gstack_str("");
    f->pc = pc;
    f->func = func;
    return func;
}

/* One inline tree entry, read from the program's memory (go:func.* is mapped there as in
 * the file). */
static bool inline_entry(struct gr_symbols *s, uint32_t tree, int32_t ix,
                         struct go_pcln_inline *out)
{
    size_t size = go_pclntab_inline_size(s->pcln, s->pcln_len);
    uint8_t raw[32];
    if (!s->gofunc || !size || size > sizeof(raw) || ix < 0 || ix > (1 << 20))
        return false;
    uint64_t at = s->gofunc + s->bias + tree + (uint64_t)ix * size;
    return target_mem_read(s->mem, at, raw, size) == 0 &&
           go_pclntab_inline_decode(s->pcln, s->pcln_len, raw, out) == 0;
}

/* The uncached lookup, as the runtime's traceback does it. A caller's pc is a return
 * address: its line and inlining are those of the call instruction, one byte back. A
 * pc inside calls the compiler inlined gives one frame per inlined call, innermost
 * first, each at the position the tables record there, then the call site's (the
 * entry's parentPc) for the function around it. The compiler's wrappers (the closure a
 * `go f(x)` runs, method value wrappers) give no frame, as in runtime.Stack. */
static int expand_pc(struct gr_symbols *s, uint64_t pc, bool caller, struct gframe *out,
                     int max)
{
    struct go_pcln_pos at, pos;
    if (max < 1)
        return -1;
    if (!caller) {
        if (go_pclntab_pc_lookup(s->pcln, s->pcln_len, s->text_start, pc, &at) != 0)
            return -1;
        pos = at;
    } else {
        /* The function first (its entry says whether pc is past it), then the position
         * one byte back, with the line tables walked once. */
        if (go_pclntab_pc_func(s->pcln, s->pcln_len, s->text_start, pc, &at) != 0)
            return -1;
        uint64_t lpc = pc > at.entry ? pc - 1 : pc;
        if (go_pclntab_pc_lookup(s->pcln, s->pcln_len, s->text_start, lpc, &pos) != 0)
            return -1;
    }
    int n = 0;
    /* Bounded: a hostile tree whose parents loop stops after 32 levels. */
    for (int depth = 0; pos.inl_index >= 0 && depth < 32 && n < max - 1; depth++) {
        struct go_pcln_inline in;
        if (!inline_entry(s, pos.inl_tree, pos.inl_index, &in))
            break;
        if (!(s->wrapper_id >= 0 && in.func_id == s->wrapper_id))
            out[n++] = (struct gframe){ gstack_str(in.func),
                                        gstack_str(pos.file ? pos.file : ""), pos.line, true };
        if (go_pclntab_pc_lookup(s->pcln, s->pcln_len, s->text_start,
                                 at.entry + (uint64_t)in.parent_pc, &pos) != 0 ||
            pos.entry != at.entry)
            return -1;
    }
    if (s->wrapper_id >= 0 && at.func_id == s->wrapper_id)
        return n;
    out[n] = (struct gframe){ gstack_str(at.func), gstack_str(pos.file ? pos.file : ""),
                              pos.line, false };
    for (int i = 0; i <= n; i++)
        if (!out[i].func || !out[i].file)
            return -1;
    return n + 1;
}

int gr_symbols_expand(struct gr_symbols *s, uint64_t pc, bool caller, struct gframe *out,
                      int max)
{
    uint64_t key = pc << 1 | (caller ? 1 : 0);
    bool hit;
    struct expand_slot *e = expand_slot_for(s, key, &hit);
    if (key && hit && e->n <= max) {   /* n 0: a wrapper, no frame */
        e->used = ++s->clock;
        memcpy(out, e->f, e->n * sizeof(out[0]));
        return e->n;
    }
    if (e->key && !hit && grow(&s->expand_slots, &s->expand_replaced, EXPAND_SLOTS))
        e = expand_slot_for(s, key, &hit);
    int n = expand_pc(s, pc, caller, out, max);
    if (n >= 0 && n <= EXPAND_MAX) {
        e->key = key;
        e->used = ++s->clock;
        e->n = (uint8_t)n;
        memcpy(e->f, out, (size_t)n * sizeof(out[0]));
    }
    return n;
}

size_t gr_symbols_expand_stack(struct gr_symbols *s, const uint64_t *pcs, size_t n,
                               const char *unknown, struct gframe *out, size_t max,
                               bool *truncated)
{
    struct gframe tmp[GSTACK_MAX_FRAMES];      /* one pc's frames: inlining can be deep */
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        int k = gr_symbols_expand(s, pcs[i], i > 0, tmp, GSTACK_MAX_FRAMES);
        if (k < 0) {
            tmp[0] = (struct gframe){ gstack_str(unknown), gstack_str(""), 0, false };
            k = 1;
        }
        /* k 0: a wrapper, left out. What does not fit is cut, and said. */
        if (nf + (size_t)k > max) {
            *truncated = true;
            k = (int)(max - nf);
        }
        memcpy(out + nf, tmp, (size_t)k * sizeof(tmp[0]));
        nf += (size_t)k;
        if (nf == max && i + 1 < n) {
            *truncated = true;
            break;
        }
    }
    return nf;
}
