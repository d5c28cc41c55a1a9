/* elf_image: reading a mapped ELF file by link-time address, as the process will see it. */
#ifndef GMPTOP_ELF_IMAGE_H
#define GMPTOP_ELF_IMAGE_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file as libelf and a read-only mapping of its bytes give it. */
struct elf_image {
    Elf *elf;
    const uint8_t *raw;
    size_t size;
};

/* The n file bytes at link-time address vaddr, inside one PT_LOAD's file part, or NULL. */
const uint8_t *elf_image_bytes(const struct elf_image *im, uint64_t vaddr, size_t n);

/* The 8-byte little-endian word the process sees at vaddr: the file's bytes, or, where a
 * PIE keeps them 0, the addend of the RELATIVE relocation there. false when unmapped. */
bool elf_image_word(const struct elf_image *im, uint64_t vaddr, uint64_t *out);

uint64_t elf_image_le64(const uint8_t *p);

#endif
