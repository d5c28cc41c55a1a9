/* go_symtab: symbols by name and functions by address (see go_symtab.h). */
#include "target/go_symtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int go_symtab_add(struct go_symtab *t, const char *name, size_t nlen, uint64_t addr,
                  uint64_t size, bool is_func)
{
    if (t->nsyms == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        struct go_sym *s = realloc(t->syms, cap * sizeof(*s));
        if (!s)
            return -ENOMEM;
        t->syms = s;
        t->cap = cap;
    }
    if (t->pool_cap - t->pool_len < nlen + 1) {
        size_t cap = t->pool_cap ? 2 * t->pool_cap : 65536;
        while (cap - t->pool_len < nlen + 1)
            cap *= 2;
        char *p = realloc(t->pool, cap);
        if (!p)
            return -ENOMEM;
        t->pool = p;
        t->pool_cap = cap;
    }
    memcpy(t->pool + t->pool_len, name, nlen);
    t->pool[t->pool_len + nlen] = '\0';
    t->syms[t->nsyms++] = (struct go_sym){ .name_off = t->pool_len, .addr = addr,
                                           .size = size, .is_func = is_func };
    t->pool_len += nlen + 1;
    return 0;
}

static int cmp_addr(const void *a, const void *b)
{
    const struct go_sym *x = *(const struct go_sym *const *)a;
    const struct go_sym *y = *(const struct go_sym *const *)b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;    /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t name_slot(const struct go_symtab *t, const char *name)
{
    size_t mask = t->name_slots - 1, i = (size_t)name_hash(name) & mask;
    while (t->by_name[i] && strcmp(t->syms[t->by_name[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Fix the names' pointers now that the pool no longer moves, then build both indexes:
 * a hash by name (a 100k-function binary is indexed in a few ms, where sorting the
 * names took tens: re-attaching to a large program is dominated by this), and the
 * functions by address (the pcln table is already in address order: no sort then). */
int go_symtab_index(struct go_symtab *t)
{
    /* Both arrays grew by doubling and are kept for the session: give the slack back
     * (a third of ~850 KB on a 10k-symbol binary). A failed shrink keeps the block. */
    struct go_sym *syms = t->nsyms ? realloc(t->syms, t->nsyms * sizeof(*syms)) : NULL;
    if (syms) {
        t->syms = syms;
        t->cap = t->nsyms;
    }
    char *pool = t->pool_len ? realloc(t->pool, t->pool_len) : NULL;
    if (pool) {
        t->pool = pool;
        t->pool_cap = t->pool_len;
    }
    size_t nf = 0;
    for (size_t i = 0; i < t->nsyms; i++) {
        t->syms[i].name = t->pool + t->syms[i].name_off;
        nf += t->syms[i].is_func;
    }
    if (t->nsyms >= UINT32_MAX / 4)
        return -ENOMEM;
    t->name_slots = 64;
    while (t->name_slots < 2 * t->nsyms)
        t->name_slots *= 2;
    t->by_name = calloc(t->name_slots, sizeof(*t->by_name));
    t->funcs = malloc((nf ? nf : 1) * sizeof(*t->funcs));
    if (!t->by_name || !t->funcs)
        return -ENOMEM;
    bool sorted = true;
    for (size_t i = 0; i < t->nsyms; i++) {
        struct go_sym *sym = &t->syms[i];
        size_t slot = name_slot(t, sym->name);
        /* Among equal names (a stripped binary's .gopclntab names an ABI0 wrapper like
         * the function it wraps) the largest wins: the real body. */
        if (!t->by_name[slot] || t->syms[t->by_name[slot] - 1].size < sym->size)
            t->by_name[slot] = (uint32_t)i + 1;
        if (!sym->is_func)
            continue;
        if (t->nfuncs && t->funcs[t->nfuncs - 1]->addr > sym->addr)
            sorted = false;
        t->funcs[t->nfuncs++] = sym;
    }
    if (!sorted)
        qsort(t->funcs, t->nfuncs, sizeof(*t->funcs), cmp_addr);
    return 0;
}

size_t go_symtab_funcs_added(const struct go_symtab *t)
{
    size_t nf = 0;
    for (size_t i = 0; i < t->nsyms; i++)
        nf += t->syms[i].is_func;
    return nf;
}

void go_symtab_free(struct go_symtab *t)
{
    free(t->syms);
    free(t->by_name);
    free(t->funcs);
    free(t->pool);
    memset(t, 0, sizeof(*t));
}

int go_symtab_lookup(const struct go_symtab *t, const char *name, uint64_t *addr,
                     uint64_t *size)
{
    if (!t->by_name)
        return -ENOENT;
    uint32_t idx = t->by_name[name_slot(t, name)];
    if (!idx)
        return -ENOENT;
    const struct go_sym *s = &t->syms[idx - 1];
    if (addr)
        *addr = s->addr;
    if (size)
        *size = s->size;
    return 0;
}

const char *go_symtab_func_at(const struct go_symtab *t, uint64_t addr)
{
    if (t->nfuncs == 0 || addr < t->funcs[0]->addr)
        return NULL;
    size_t lo = 0, hi = t->nfuncs;   /* last function with entry <= addr */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->funcs[mid]->addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    /* Several symbols can share an entry (runtime.text has size 0): take one that covers. */
    uint64_t entry = t->funcs[lo]->addr;
    for (size_t i = lo + 1; i-- > 0 && t->funcs[i]->addr == entry;) {
        if (addr - entry < t->funcs[i]->size)
            return t->funcs[i]->name;
    }
    return NULL;
}
