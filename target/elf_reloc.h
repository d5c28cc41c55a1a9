/* elf_reloc: what the dynamic loader will write into one pointer of a position-
 * independent ELF file. A PIE's pointers to itself are zero in the file; an
 * R_X86_64_RELATIVE relocation tells ld.so to store load bias + addend there, so the
 * addend is the link-time value (Go's pcHeader.textStart in an externally linked PIE). */
#ifndef GMPTOP_ELF_RELOC_H
#define GMPTOP_ELF_RELOC_H

#include <gelf.h>
#include <stdint.h>

/* The addend of the RELATIVE relocation at link-time address vaddr, from the SHT_RELA
 * sections, or from PT_DYNAMIC's DT_RELA table when the file has no section headers.
 * 0 when found; -ENOENT when no such relocation; -EINVAL for a malformed table. */
int elf_reloc_relative_addend(Elf *elf, uint64_t vaddr, uint64_t *addend);

/* The link-time address of the first RELATIVE relocation whose addend is addend: where
 * a PIE keeps a pointer to that address. 0 when found, else as above. */
int elf_reloc_relative_site(Elf *elf, uint64_t addend, uint64_t *vaddr);

#endif
