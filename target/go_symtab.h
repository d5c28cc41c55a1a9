/* go_symtab: a Go binary's symbols by name (a hash) and its functions by address,
 * built once from the symbol table or the pcln table and read by go_binary's lookups. */
#ifndef GMPTOP_GO_SYMTAB_H
#define GMPTOP_GO_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct go_sym {
    const char *name;
    size_t name_off;               /* into pool, while the pool can still move */
    uint64_t addr;
    uint64_t size;
    bool is_func;
};

struct go_symtab {
    struct go_sym *syms;           /* in file order */
    size_t nsyms;
    uint32_t *by_name;             /* open-addressing hash of syms by name: index + 1 */
    size_t name_slots;             /* a power of two, at least twice nsyms */
    size_t cap;
    const struct go_sym **funcs;   /* functions sorted by address */
    size_t nfuncs;
    char *pool;
    size_t pool_len;
    size_t pool_cap;
};

/* Add a symbol (0 or -ENOMEM); names are copied. Then go_symtab_index once. */
int go_symtab_add(struct go_symtab *t, const char *name, size_t nlen, uint64_t addr,
                  uint64_t size, bool is_func);
/* Build both indexes (0 or -ENOMEM): after it, no more adds. */
int go_symtab_index(struct go_symtab *t);
/* Free everything and leave t empty, ready for adds again. */
void go_symtab_free(struct go_symtab *t);
size_t go_symtab_funcs_added(const struct go_symtab *t);

/* Address and size of name: 0 or -ENOENT. */
int go_symtab_lookup(const struct go_symtab *t, const char *name, uint64_t *addr,
                     uint64_t *size);
/* Name of the function containing addr, or NULL. */
const char *go_symtab_func_at(const struct go_symtab *t, uint64_t addr);

#endif
