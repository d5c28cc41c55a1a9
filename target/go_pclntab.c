/* go_pclntab: function names and entry addresses from a Go .gopclntab, bounds-checked. */
#include "target/go_pclntab.h"

#include <string.h>

#define PCLN_MAGIC_116 0xfffffffaU /* Go 1.16, 1.17: absolute entry PCs */
#define PCLN_MAGIC_118 0xfffffff0U /* Go 1.18, 1.19: entries relative to textStart */
#define PCLN_MAGIC_120 0xfffffff1U /* Go 1.20+: same layout as 1.18 for what we read */

/* The parts of the header we use, normalised over the layouts. */
struct pcln_header {
    uint32_t magic;
    unsigned ptr_size;
    uint64_t nfunc;
    uint64_t text_start;       /* 0 in the 1.16 layout (entries are absolute) */
    uint64_t funcname_off;
    uint64_t pcln_off;         /* functab and _func records both live here */
    unsigned field_size;       /* size of one functab word */
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
    if (has_text) {
        h->text_start = w[2];
        h->funcname_off = w[3];
        h->pcln_off = w[7];
        h->field_size = 4;
    } else {
        h->funcname_off = w[2];
        h->pcln_off = w[6];
        h->field_size = h->ptr_size;
    }
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
