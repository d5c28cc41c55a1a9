/* elf_image: bounds-checked reads of a mapped ELF file by link-time address. */
#include "target/elf_image.h"

#include "target/elf_reloc.h"

uint64_t elf_image_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

const uint8_t *elf_image_bytes(const struct elf_image *im, uint64_t vaddr, size_t n)
{
    size_t nph = 0;
    if (!im->elf || elf_getphdrnum(im->elf, &nph) < 0)
        return NULL;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(im->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
            vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz ||
            ph.p_filesz - (vaddr - ph.p_vaddr) < n)
            continue;
        uint64_t off = ph.p_offset + (vaddr - ph.p_vaddr);
        return off <= im->size && im->size - off >= n ? im->raw + off : NULL;
    }
    return NULL;
}

bool elf_image_word(const struct elf_image *im, uint64_t vaddr, uint64_t *out)
{
    const uint8_t *p = elf_image_bytes(im, vaddr, 8);
    if (!p)
        return false;
    *out = elf_image_le64(p);
    if (*out == 0)
        elf_reloc_relative_addend(im->elf, vaddr, out);
    return true;
}
