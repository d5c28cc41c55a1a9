/* go_moduledata: the text base of a Go ELF file from runtime.firstmoduledata, for the
 * builds whose pcln table no longer carries it (Go 1.26+ leaves pcHeader.textStart 0). */
#ifndef GMPTOP_GO_MODULEDATA_H
#define GMPTOP_GO_MODULEDATA_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/* Find the moduledata whose pcHeader is the pcln table at link-time address pcln_vaddr
 * (pcln: its bytes, at least its header) in the file image raw/size, and read its text
 * base (moduledata.text). Looks in the .go.module section (Go 1.26+), then at the
 * target of a RELATIVE relocation to the table (a PIE), then for the table's address
 * in the writable segments. A candidate counts only when its funcnametab also points
 * where the pcln header says. Returns 0 and *text, or -ENOENT. 64-bit files only. */
int go_moduledata_text(Elf *elf, const uint8_t *raw, size_t size, uint64_t pcln_vaddr,
                       const uint8_t *pcln, size_t pcln_len, uint64_t *text);

/* The same moduledata's gofunc (the base of every function's funcdata: inline trees),
 * for stripped binaries, whose symbol table no longer names go:func.*: the member's
 * place depends on the release (go_minor: 19 for go1.19.8). 0 and *gofunc (checked to
 * lie in a read-only segment), or -ENOENT. */
int go_moduledata_gofunc(Elf *elf, const uint8_t *raw, size_t size, uint64_t pcln_vaddr,
                         const uint8_t *pcln, size_t pcln_len, int go_minor,
                         uint64_t *gofunc);

#endif
