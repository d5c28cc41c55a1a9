/* elf_reloc: the addend of one RELATIVE dynamic relocation (see elf_reloc.h). */
#include "target/elf_reloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* The RELATIVE relocation type of this machine, or 0 when we do not know it. */
static unsigned relative_type(Elf *elf)
{
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh))
        return 0;
    switch (eh.e_machine) {
    case EM_X86_64: return R_X86_64_RELATIVE;
    case EM_AARCH64: return R_AARCH64_RELATIVE;
    default: return 0;
    }
}

/* One search: by the site (r_offset) for its addend, or by the addend for its site. */
struct query {
    unsigned type;
    bool by_addend;
    uint64_t key;
    uint64_t found;
};

static int search_rela(Elf_Data *data, struct query *q)
{
    GElf_Rela r;
    for (int i = 0; gelf_getrela(data, i, &r); i++) {
        if (GELF_R_TYPE(r.r_info) != q->type)
            continue;
        if (!q->by_addend && r.r_offset == q->key) {
            q->found = (uint64_t)r.r_addend;
            return 0;
        }
        if (q->by_addend && (uint64_t)r.r_addend == q->key) {
            q->found = r.r_offset;
            return 0;
        }
    }
    return -ENOENT;
}

/* The file offset of link-time address vaddr (inside a PT_LOAD's file part), or -1. */
static int64_t file_offset(Elf *elf, uint64_t vaddr)
{
    size_t n = 0;
    if (elf_getphdrnum(elf, &n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
            vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz)
            return (int64_t)(ph.p_offset + (vaddr - ph.p_vaddr));
    }
    return -1;
}

/* Without section headers: PT_DYNAMIC's DT_RELA / DT_RELASZ give the table. */
static int search_dynamic(Elf *elf, struct query *q)
{
    size_t n = 0;
    if (elf_getphdrnum(elf, &n) < 0)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_DYNAMIC)
            continue;
        Elf_Data *dyn = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_DYN);
        if (!dyn)
            return -EINVAL;
        uint64_t rela = 0, relasz = 0;
        GElf_Dyn d;
        for (int k = 0; gelf_getdyn(dyn, k, &d) && d.d_tag != DT_NULL; k++) {
            if (d.d_tag == DT_RELA)
                rela = d.d_un.d_ptr;
            else if (d.d_tag == DT_RELASZ)
                relasz = d.d_un.d_val;
        }
        int64_t off = rela ? file_offset(elf, rela) : -1;
        if (off < 0 || relasz == 0)
            return -ENOENT;
        Elf_Data *table = elf_getdata_rawchunk(elf, off, relasz, ELF_T_RELA);
        return table ? search_rela(table, q) : -EINVAL;
    }
    return -ENOENT;
}

static int search(Elf *elf, struct query *q)
{
    size_t shnum = 0;
    q->type = relative_type(elf);
    if (q->type == 0)
        return -ENOENT;
    if (elf_getshdrnum(elf, &shnum) == 0 && shnum > 0) {
        Elf_Scn *scn = NULL;
        while ((scn = elf_nextscn(elf, scn)) != NULL) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA)
                continue;
            Elf_Data *data = elf_getdata(scn, NULL);
            if (data && search_rela(data, q) == 0)
                return 0;
        }
    }
    /* No section headers, or none of them the relocation table's. */
    return search_dynamic(elf, q);
}

int elf_reloc_relative_addend(Elf *elf, uint64_t vaddr, uint64_t *addend)
{
    struct query q = { .key = vaddr };
    int rc = search(elf, &q);
    if (rc == 0)
        *addend = q.found;
    return rc;
}

int elf_reloc_relative_site(Elf *elf, uint64_t addend, uint64_t *vaddr)
{
    struct query q = { .by_addend = true, .key = addend };
    int rc = search(elf, &q);
    if (rc == 0)
        *vaddr = q.found;
    return rc;
}
