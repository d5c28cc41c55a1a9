/* go_pclntab: walk the function table of a Go .gopclntab section (stripped binaries). */
#ifndef GMPTOP_GO_PCLNTAB_H
#define GMPTOP_GO_PCLNTAB_H

#include <stddef.h>
#include <stdint.h>

enum go_pclntab_error {
    GO_PCLNTAB_OK = 0,
    GO_PCLNTAB_ERR_MAGIC = -1,      /* not a pclntab layout we know */
    GO_PCLNTAB_ERR_CORRUPT = -2,    /* an offset or count points outside the data */
    GO_PCLNTAB_ERR_NO_TEXT = -3,    /* header's textStart is 0 and none was given */
};

/* Called once per function, in table order. name is NUL-terminated and lives inside
 * the parsed buffer; [entry, end) is the function's link-time address range.
 * A nonzero return stops the walk and is returned by go_pclntab_parse(). */
typedef int (*go_pclntab_func_cb)(void *ctx, const char *name, uint64_t entry,
                                  uint64_t end);

/* Parse a little-endian pclntab (Go 1.16/1.17 magic 0xfffffffa, 1.18/1.19 0xfffffff0,
 * 1.20+ 0xfffffff1). text_start is used when the header's own textStart is 0 (it can
 * be left for a relocation to fill); pass 0 when unknown. A pure function over the
 * bytes: every offset is checked, corrupt input returns an error and never reads
 * outside [data, data + len). Returns GO_PCLNTAB_OK, an enum go_pclntab_error, or the
 * callback's nonzero value. *nfunc (may be NULL) gets the number of functions visited. */
int go_pclntab_parse(const uint8_t *data, size_t len, uint64_t text_start,
                     go_pclntab_func_cb cb, void *ctx, size_t *nfunc);

/* Where a program counter is, from the pcln table alone (so stripped binaries too). */
struct go_pcln_pos {
    const char *func;          /* the function containing pc (not an inlined callee) */
    uint64_t entry;            /* its link-time entry address */
    const char *file;          /* the source file of pc (an inlined callee's, as the
                                * table records the innermost position); NULL if none */
    int32_t line;              /* its line; 0 if none */
    int32_t sp_delta;          /* bytes the function's frame holds below the return
                                * address at pc (pcsp table), for unwinding; -1 if none */
    uint8_t func_id;           /* the runtime's funcID (0 normal; which number is the
                                * compiler's wrappers depends on the release) */
    int32_t inl_index;         /* pc is in a call inlined here: its entry in the
                                * function's inline tree; -1 none */
    uint32_t inl_tree;         /* that tree's offset from moduledata.gofunc (go:func.*) */
};

/* One inline tree entry: the inlined function and where, in the function it was
 * inlined into, the call sits (an offset from that function's entry). */
struct go_pcln_inline {
    const char *func;          /* inside the table bytes */
    int32_t parent_pc;
    uint8_t func_id;
};
/* Bytes of one inline tree entry in this table's layout (20 in Go 1.18/1.19, 16 since);
 * 0 when the layout keeps no inline trees gmptop reads. */
size_t go_pclntab_inline_size(const uint8_t *data, size_t len);
/* Decode one entry (go_pclntab_inline_size bytes, read from the program's memory at
 * gofunc + inl_tree + index * size). GO_PCLNTAB_OK, or an error for a name outside the
 * table or a negative call offset. */
int go_pclntab_inline_decode(const uint8_t *data, size_t len, const uint8_t *entry,
                             struct go_pcln_inline *out);

/* Look up a link-time pc (text_start as for go_pclntab_parse). Every table offset and
 * varint is bounds-checked and each table walk is bounded by the function's size, so
 * corrupt or hostile input costs at most one function's worth of work. Returns
 * GO_PCLNTAB_OK, GO_PCLNTAB_ERR_MAGIC / _CORRUPT / _NO_TEXT, or 1 when no function
 * contains pc. The strings live inside data. */
int go_pclntab_pc_lookup(const uint8_t *data, size_t len, uint64_t text_start, uint64_t pc,
                         struct go_pcln_pos *out);

/* The same for what unwinding needs: func, entry, sp_delta and func_id (file NULL, line
 * 0, no inline position), without the file, line and inline tables' walks. */
int go_pclntab_pc_func(const uint8_t *data, size_t len, uint64_t text_start, uint64_t pc,
                       struct go_pcln_pos *out);

/* Whether data starts with a pclntab header this parser accepts (magic and shape). */
int go_pclntab_probe(const uint8_t *data, size_t len);

/* A short English text for a go_pclntab_error. */
const char *go_pclntab_strerror(int err);

#endif
