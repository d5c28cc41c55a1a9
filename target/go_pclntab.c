/* go_pclntab: function names and entry addresses from a Go .gopclntab, bounds-checked. */
#include "target/go_pclntab.h"

#include <stdbool.h>
#include <string.h>

#define PCLN_MAGIC_116 0xfffffffaU /* Go 1.16, 1.17: absolute entry PCs */
#define PCLN_MAGIC_118 0xfffffff0U /* Go 1.18, 1.19: entries relative to textStart */
#define PCLN_MAGIC_120 0xfffffff1U /* Go 1.20+: same layout as 1.18 for what we read */

/* The parts of the header we use, normalised over the layouts. */
/* The runtime's table numbers (internal/abi: PCDATA_InlTreeIndex, FUNCDATA_InlTree). */
#define PCDATA_INLTREEINDEX 2
#define FUNCDATA_INLTREE 3

struct pcln_header {
    uint32_t magic;
    unsigned ptr_size;
    uint64_t nfunc;
    uint64_t text_start;       /* 0 in the 1.16 layout (entries are absolute) */
    uint64_t funcname_off;
    uint64_t cu_off;           /* cutab: per compilation unit, file index -> filetab offset */
    uint64_t filetab_off;
    uint64_t pctab_off;        /* the pcsp, pcfile, pcln... value tables */
    uint64_t pcln_off;         /* functab and _func records both live here */
    unsigned field_size;       /* size of one functab word */
    unsigned quantum;          /* instruction size unit of the pc deltas */
};

static uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd_word(const uint8_t *p, unsigned size)
{
    if (size == 4)
        return rd_u32(p);
    return (uint64_t)rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32;
}

/* Whether [off, off + n) lies inside a buffer of len bytes, without overflow. */
static int in_bounds(uint64_t off, uint64_t n, size_t len)
{
    return off <= len && n <= len - off;
}

static int read_header(const uint8_t *data, size_t len, struct pcln_header *h)
{
    if (!data || len < 8)
        return GO_PCLNTAB_ERR_MAGIC;
    memset(h, 0, sizeof(*h));
    h->magic = rd_u32(data);
    if (h->magic != PCLN_MAGIC_116 && h->magic != PCLN_MAGIC_118 &&
        h->magic != PCLN_MAGIC_120)
        return GO_PCLNTAB_ERR_MAGIC;
    unsigned quantum = data[6];
    h->ptr_size = data[7];
    if (data[4] != 0 || data[5] != 0 || (quantum != 1 && quantum != 2 && quantum != 4) ||
        (h->ptr_size != 4 && h->ptr_size != 8))
        return GO_PCLNTAB_ERR_MAGIC;

    /* 1.16: nfunc nfiles funcname cu filetab pctab pcln; 1.18+ adds textStart third. */
    int has_text = h->magic != PCLN_MAGIC_116;
    unsigned nwords = has_text ? 8 : 7;
    if (!in_bounds(8, (uint64_t)nwords * h->ptr_size, len))
        return GO_PCLNTAB_ERR_CORRUPT;
    uint64_t w[8];
    for (unsigned i = 0; i < nwords; i++)
        w[i] = rd_word(data + 8 + i * h->ptr_size, h->ptr_size);
    h->nfunc = w[0];
    /* Past the optional textStart: funcname, cu, filetab, pctab, pcln offsets. */
    unsigned k = has_text ? 3 : 2;
    h->text_start = has_text ? w[2] : 0;
    h->funcname_off = w[k];
    h->cu_off = w[k + 1];
    h->filetab_off = w[k + 2];
    h->pctab_off = w[k + 3];
    h->pcln_off = w[k + 4];
    h->field_size = has_text ? 4 : h->ptr_size;
    h->quantum = quantum;
    /* The functab is nfunc (entry, funcoff) pairs plus one closing entry (text end). */
    if (h->nfunc == 0 || h->nfunc > len || !in_bounds(h->funcname_off, 1, len) ||
        !in_bounds(h->pcln_off, (2 * h->nfunc + 1) * h->field_size, len))
        return GO_PCLNTAB_ERR_CORRUPT;
    return GO_PCLNTAB_OK;
}

int go_pclntab_probe(const uint8_t *data, size_t len)
{
    struct pcln_header h;
    return read_header(data, len, &h) == GO_PCLNTAB_OK;
}

/* The name of the _func at funcoff, or NULL when anything points outside the data. */
static const char *func_name(const uint8_t *data, size_t len, const struct pcln_header *h,
                             uint64_t funcoff)
{
    uint64_t foff = h->pcln_off + funcoff;
    if (funcoff > len || !in_bounds(foff, h->field_size + 4, len))
        return NULL;
    /* _func starts with the entry (u32 offset, or a pointer in 1.16), then int32 nameOff. */
    int32_t name_off = (int32_t)rd_u32(data + foff + h->field_size);
    if (name_off < 0)
        return NULL;
    uint64_t noff = h->funcname_off + (uint64_t)name_off;
    if (!in_bounds(noff, 1, len))
        return NULL;
    const char *name = (const char *)data + noff;
    if (!memchr(name, '\0', len - noff) || name[0] == '\0')
        return NULL;
    return name;
}

int go_pclntab_parse(const uint8_t *data, size_t len, uint64_t text_start,
                     go_pclntab_func_cb cb, void *ctx, size_t *nfunc)
{
    struct pcln_header h;
    if (nfunc)
        *nfunc = 0;
    int rc = read_header(data, len, &h);
    if (rc != GO_PCLNTAB_OK)
        return rc;
    uint64_t base = 0;
    if (h.magic != PCLN_MAGIC_116) {
        /* A PIE may leave textStart for a relocation to fill; the caller knows .text. */
        base = h.text_start ? h.text_start : text_start;
        if (base == 0)
            return GO_PCLNTAB_ERR_NO_TEXT;
    }

    const uint8_t *ftab = data + h.pcln_off;
    unsigned fs = h.field_size;
    for (uint64_t i = 0; i < h.nfunc; i++) {
        uint64_t entry = rd_word(ftab + (2 * i) * fs, fs);
        uint64_t funcoff = rd_word(ftab + (2 * i + 1) * fs, fs);
        uint64_t next = rd_word(ftab + (2 * i + 2) * fs, fs);
        if (next < entry)
            return GO_PCLNTAB_ERR_CORRUPT;
        const char *name = func_name(data, len, &h, funcoff);
        if (!name)
            return GO_PCLNTAB_ERR_CORRUPT;
        if (cb) {
            rc = cb(ctx, name, base + entry, base + next);
            if (rc != 0)
                return rc;
        }
        if (nfunc)
            (*nfunc)++;
    }
    return GO_PCLNTAB_OK;
}

/* ---- pc lookups ------------------------------------------------------------------ */

/* The table's text base for entry offsets (0 in the 1.16 layout: absolute entries). */
static int text_base(const struct pcln_header *h, uint64_t text_start, uint64_t *base)
{
    *base = 0;
    if (h->magic == PCLN_MAGIC_116)
        return GO_PCLNTAB_OK;
    *base = h->text_start ? h->text_start : text_start;
    return *base ? GO_PCLNTAB_OK : GO_PCLNTAB_ERR_NO_TEXT;
}

/* An unsigned LEB128 varint at *off (at most 5 bytes: the tables hold 32-bit values). */
static int read_uvarint(const uint8_t *data, size_t len, uint64_t *off, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*off >= len)
            return -1;
        uint8_t b = data[(*off)++];
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* The value a pc-value table (pcsp, pcfile, pcln) gives for pc in the function at
 * [entry, end): pairs of (zig-zag value delta, pc delta in quanta), starting from -1 at
 * entry, as the runtime's pcvalue walks them. *val = -1 when the table has no entry for
 * pc. Bounded by the function's size: each step advances pc by at least one quantum. */
static int pc_value(const uint8_t *data, size_t len, const struct pcln_header *h,
                    uint32_t table, uint64_t entry, uint64_t end, uint64_t pc, int32_t *val)
{
    *val = -1;
    if (table == 0)
        return 0;
    uint64_t off = h->pctab_off + table;
    if (!in_bounds(off, 1, len))
        return -1;
    int32_t v = -1;
    uint64_t at = entry;
    for (int first = 1;; first = 0) {
        uint32_t uv, pcd;
        if (read_uvarint(data, len, &off, &uv) < 0)
            return -1;
        if (uv == 0 && !first)
            return 0;                    /* end of table before pc: no value */
        int32_t d = (uv & 1) ? (int32_t)~(uv >> 1) : (int32_t)(uv >> 1);
        if (read_uvarint(data, len, &off, &pcd) < 0 || pcd == 0)
            return -1;
        v = (int32_t)((uint32_t)v + (uint32_t)d);
        at += (uint64_t)pcd * h->quantum;
        if (pc < at) {
            *val = v;
            return 0;
        }
        if (at >= end)
            return 0;
    }
}

/* The file name of file index fileno in compilation unit cu, or NULL. */
static const char *file_name(const uint8_t *data, size_t len, const struct pcln_header *h,
                             uint32_t cu, int32_t fileno)
{
    if (fileno < 0)
        return NULL;
    uint64_t idx = (uint64_t)cu + (uint64_t)fileno;
    uint64_t at = h->cu_off + idx * 4;
    if (idx > len || !in_bounds(at, 4, len))
        return NULL;
    uint32_t foff = rd_u32(data + at);
    if (foff == UINT32_MAX)
        return NULL;
    uint64_t noff = h->filetab_off + foff;
    if (!in_bounds(noff, 1, len) || !memchr(data + noff, '\0', len - noff) || !data[noff])
        return NULL;
    return (const char *)data + noff;
}

/* full: the file, line and inline position too (three more table walks from the
 * function's entry to pc); else the function, its entry, sp delta and funcID only. */
static int lookup(const uint8_t *data, size_t len, uint64_t text_start, uint64_t pc,
                  struct go_pcln_pos *out, bool full)
{
    struct pcln_header h;
    memset(out, 0, sizeof(*out));
    out->sp_delta = -1;
    int rc = read_header(data, len, &h);
    uint64_t base = 0;
    if (rc != GO_PCLNTAB_OK || (rc = text_base(&h, text_start, &base)) != GO_PCLNTAB_OK)
        return rc;
    const uint8_t *ftab = data + h.pcln_off;
    unsigned fs = h.field_size;
    if (pc < base)
        return 1;
    uint64_t rel = pc - base;
    /* The last function whose entry <= pc; the closing entry ends the last one. */
    uint64_t lo = 0, hi = h.nfunc;
    if (rel < rd_word(ftab, fs) || rel >= rd_word(ftab + 2 * h.nfunc * fs, fs))
        return 1;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (rd_word(ftab + 2 * mid * fs, fs) <= rel)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t entry = rd_word(ftab + 2 * lo * fs, fs);
    uint64_t end = rd_word(ftab + (2 * lo + 2) * fs, fs);
    uint64_t funcoff = rd_word(ftab + (2 * lo + 1) * fs, fs);
    if (end <= entry || rel >= end)
        return GO_PCLNTAB_ERR_CORRUPT;
    const char *name = func_name(data, len, &h, funcoff);
    /* _func after its entry word: nameOff args deferreturn pcsp pcfile pcln npcdata
     * cuOffset, 4 bytes each, in every layout since 1.16. */
    uint64_t foff = h.pcln_off + funcoff;
    if (!name || !in_bounds(foff, fs + 32, len))
        return GO_PCLNTAB_ERR_CORRUPT;
    const uint8_t *fn = data + foff + fs;
    int32_t file_no = -1, line = 0, sp;
    if (pc_value(data, len, &h, rd_u32(fn + 12), entry, end, rel, &sp) < 0 ||
        (full && (pc_value(data, len, &h, rd_u32(fn + 16), entry, end, rel, &file_no) < 0 ||
                  pc_value(data, len, &h, rd_u32(fn + 20), entry, end, rel, &line) < 0)))
        return GO_PCLNTAB_ERR_CORRUPT;
    out->func = name;
    out->entry = base + entry;
    out->file = full ? file_name(data, len, &h, rd_u32(fn + 28), file_no) : NULL;
    out->line = line > 0 ? line : 0;
    out->sp_delta = sp;
    /* funcID follows cuOffset (after startLine from Go 1.20, magic 0xfffffff1), then
     * flag, a pad byte and nfuncdata; then pcdata[npcdata] and funcdata[nfuncdata], u32
     * offsets (funcdata from moduledata.gofunc, ^0 none). The 1.16 layout is older. */
    out->inl_index = -1;
    out->inl_tree = UINT32_MAX;
    uint64_t id_at = foff + fs + (h.magic == 0xfffffff1u ? 36 : 32);
    if (!in_bounds(id_at, 4, len))
        return GO_PCLNTAB_OK;
    out->func_id = data[id_at];
    if (!full || (h.magic != 0xfffffff1u && h.magic != 0xfffffff0u))
        return GO_PCLNTAB_OK;
    uint32_t npcdata = rd_u32(fn + 24), nfuncdata = data[id_at + 3];
    uint64_t pcdata_at = id_at + 4;
    int32_t ix = -1;
    if (npcdata > PCDATA_INLTREEINDEX && in_bounds(pcdata_at, 4ull * npcdata, len) &&
        pc_value(data, len, &h, rd_u32(data + pcdata_at + 4 * PCDATA_INLTREEINDEX), entry, end,
                 rel, &ix) < 0)
        return GO_PCLNTAB_OK;
    uint64_t funcdata_at = pcdata_at + 4ull * npcdata;
    if (ix >= 0 && nfuncdata > FUNCDATA_INLTREE &&
        in_bounds(funcdata_at, 4ull * nfuncdata, len)) {
        out->inl_tree = rd_u32(data + funcdata_at + 4 * FUNCDATA_INLTREE);
        out->inl_index = out->inl_tree == UINT32_MAX ? -1 : ix;
    }
    return GO_PCLNTAB_OK;
}

int go_pclntab_pc_lookup(const uint8_t *data, size_t len, uint64_t text_start, uint64_t pc,
                         struct go_pcln_pos *out)
{
    return lookup(data, len, text_start, pc, out, true);
}

int go_pclntab_pc_func(const uint8_t *data, size_t len, uint64_t text_start, uint64_t pc,
                       struct go_pcln_pos *out)
{
    return lookup(data, len, text_start, pc, out, false);
}

size_t go_pclntab_inline_size(const uint8_t *data, size_t len)
{
    struct pcln_header h;
    if (read_header(data, len, &h) != GO_PCLNTAB_OK)
        return 0;
    return h.magic == 0xfffffff1u ? 16 : h.magic == 0xfffffff0u ? 20 : 0;
}

int go_pclntab_inline_decode(const uint8_t *data, size_t len, const uint8_t *entry,
                             struct go_pcln_inline *out)
{
    struct pcln_header h;
    memset(out, 0, sizeof(*out));
    if (read_header(data, len, &h) != GO_PCLNTAB_OK)
        return GO_PCLNTAB_ERR_MAGIC;
    uint32_t name_off;
    if (h.magic == 0xfffffff1u) {
        /* inlinedCall: funcID u8, pad [3], nameOff i32, parentPc i32, startLine i32 */
        out->func_id = entry[0];
        name_off = rd_u32(entry + 4);
        out->parent_pc = (int32_t)rd_u32(entry + 8);
    } else if (h.magic == 0xfffffff0u) {
        /* Go 1.18/1.19: parent i16, funcID u8, pad, file i32, line i32, func_ i32,
         * parentPc i32 */
        out->func_id = entry[2];
        name_off = rd_u32(entry + 12);
        out->parent_pc = (int32_t)rd_u32(entry + 16);
    } else {
        return GO_PCLNTAB_ERR_MAGIC;
    }
    uint64_t noff = h.funcname_off + name_off;
    if (out->parent_pc < 0 || !in_bounds(noff, 1, len) ||
        !memchr(data + noff, '\0', len - noff) || !data[noff])
        return GO_PCLNTAB_ERR_CORRUPT;
    out->func = (const char *)data + noff;
    return GO_PCLNTAB_OK;
}

const char *go_pclntab_strerror(int err)
{
    switch (err) {
    case GO_PCLNTAB_OK:
        return "ok";
    case GO_PCLNTAB_ERR_MAGIC:
        return "unknown pclntab format";
    case GO_PCLNTAB_ERR_CORRUPT:
        return "pclntab offsets point outside the table";
    case GO_PCLNTAB_ERR_NO_TEXT:
        return "pclntab has no text start address";
    default:
        return "pclntab walk stopped";
    }
}
