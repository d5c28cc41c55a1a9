/* go_moduledata: find runtime.firstmoduledata and read its text base, bounds-checked. */
#include "target/go_moduledata.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "target/elf_image.h"
#include "target/elf_reloc.h"

/* Offsets in runtime.moduledata on 64-bit, unchanged from Go 1.16 to 1.27: pcHeader,
 * then six slices (funcnametab first), findfunctab, minpc, maxpc, then text. */
#define MD_PCHEADER 0
#define MD_FUNCNAMETAB 8
#define MD_TEXT 176
/* pcHeader (1.18+): magic, pad, minLC, ptrSize, then nfunc, nfiles, textStart,
 * funcnameOffset, ... as ptrSize words. */
#define PCLN_FUNCNAME_OFF 32

/* Whether vaddr lies in a PT_LOAD with every flag of need and none of forbid: code
 * (PF_X) for moduledata.text, read-only data (neither PF_X nor PF_W) for gofunc. */
static bool in_segment(Elf *elf, uint64_t vaddr, uint32_t need, uint32_t forbid)
{
    size_t n = 0;
    if (elf_getphdrnum(elf, &n) < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
            (ph.p_flags & need) == need && !(ph.p_flags & forbid) &&
            vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_memsz)
            return true;
    }
    return false;
}

static bool try_candidate(const struct elf_image *f, uint64_t md, uint64_t pcln_vaddr,
                          uint64_t funcnames, uint64_t *text)
{
    uint64_t hdr, names, t;
    if (!elf_image_word(f, md + MD_PCHEADER, &hdr) || hdr != pcln_vaddr ||
        !elf_image_word(f, md + MD_FUNCNAMETAB, &names) || names != funcnames ||
        !elf_image_word(f, md + MD_TEXT, &t) || t == 0 || !in_segment(f->elf, t, PF_X, 0))
        return false;
    *text = t;
    return true;
}

static bool section_addr(Elf *elf, const char *name, uint64_t *addr)
{
    size_t shstrndx;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return false;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        const char *n;
        if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
            strcmp(n, name) == 0) {
            *addr = sh.sh_addr;
            return true;
        }
    }
    return false;
}

/* The moduledata: the .go.module section (Go 1.26+), the target of a RELATIVE relocation
 * to the table (a PIE), else a writable segment's 8-aligned word equal to pcln_vaddr (a
 * non-PIE). A candidate counts only when try_candidate accepts it. */
static bool find_at(const struct elf_image *f, uint64_t pcln_vaddr, uint64_t funcnames,
                    uint64_t *md_out)
{
    uint64_t md, text;
    if (section_addr(f->elf, ".go.module", &md) &&
        try_candidate(f, md, pcln_vaddr, funcnames, &text))
        goto found;
    if (elf_reloc_relative_site(f->elf, pcln_vaddr, &md) == 0 &&
        try_candidate(f, md, pcln_vaddr, funcnames, &text))
        goto found;
    size_t n = 0;
    if (elf_getphdrnum(f->elf, &n) < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(f->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
            !(ph.p_flags & PF_W) || ph.p_offset > f->size ||
            ph.p_filesz > f->size - ph.p_offset)
            continue;
        const uint8_t *seg = f->raw + ph.p_offset;
        uint64_t start = (8 - (ph.p_vaddr & 7)) & 7;
        for (uint64_t off = start; off + MD_TEXT + 8 <= ph.p_filesz; off += 8) {
            md = ph.p_vaddr + off;
            if (elf_image_le64(seg + off) == pcln_vaddr &&
                try_candidate(f, md, pcln_vaddr, funcnames, &text))
                goto found;
        }
    }
    return false;
found:
    *md_out = md;
    return true;
}

/* moduledata.gofunc's offset: after text come etext and nine more words to enoptrbss,
 * covctrs/ecovctrs from Go 1.20, end, gcdata, gcbss, types[, typedesclen from 1.27],
 * etypes[, itaboffset, itabsize from 1.27], rodata, then gofunc. */
static int64_t gofunc_offset(int minor)
{
    if (minor < 18)
        return -1;
    if (minor <= 19)
        return MD_TEXT + 128;
    return minor <= 26 ? MD_TEXT + 144 : MD_TEXT + 168;
}

int go_moduledata_gofunc(Elf *elf, const uint8_t *raw, size_t size, uint64_t pcln_vaddr,
                         const uint8_t *pcln, size_t pcln_len, int go_minor,
                         uint64_t *gofunc)
{
    int64_t off = gofunc_offset(go_minor);
    if (!elf || !raw || !pcln || off < 0 || pcln_len < PCLN_FUNCNAME_OFF + 8 || pcln[7] != 8)
        return -ENOENT;
    struct elf_image f = { elf, raw, size };
    uint64_t funcnames = pcln_vaddr + elf_image_le64(pcln + PCLN_FUNCNAME_OFF), md, v;
    if (!find_at(&f, pcln_vaddr, funcnames, &md) ||
        !elf_image_word(&f, md + (uint64_t)off, &v) || v == 0 || !in_segment(elf, v, 0, PF_X | PF_W))
        return -ENOENT;
    *gofunc = v;
    return 0;
}

int go_moduledata_text(Elf *elf, const uint8_t *raw, size_t size, uint64_t pcln_vaddr,
                       const uint8_t *pcln, size_t pcln_len, uint64_t *text)
{
    if (!elf || !raw || !pcln || pcln_len < PCLN_FUNCNAME_OFF + 8 || pcln[7] != 8)
        return -ENOENT;
    struct elf_image f = { elf, raw, size };
    uint64_t funcnames = pcln_vaddr + elf_image_le64(pcln + PCLN_FUNCNAME_OFF), md;
    return find_at(&f, pcln_vaddr, funcnames, &md) &&
                   try_candidate(&f, md, pcln_vaddr, funcnames, text) ? 0 : -ENOENT;
}
