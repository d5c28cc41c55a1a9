/* go_derive: the runtime layouts gmptop needs, derived from a Go binary itself, for a
 * release that is not in the offset table and was built without DWARF. */
#ifndef GMPTOP_GO_DERIVE_H
#define GMPTOP_GO_DERIVE_H

#include <stddef.h>

#include "target/go_binary.h"
#include "target/go_offsets.h"

/* Derive into out (fields start at -1, globals at 0):
 *  - runtime.p, runtime.m, runtime.g members, widths, array lengths and sizes from the
 *    type descriptors the runtime allocates them with (the `lea type(%rip),%rax` before
 *    `call runtime.newobject` in procresize, allocm and malg): the compiler's own
 *    record of each field's name and offset, kept in stripped binaries;
 *  - the runtime.schedt counters from what runtime.schedtrace reads before it prints
 *    them (the 64-bit load and subtract of mnext and nmfreed, then nmidle, npidle,
 *    nmspinning, needspinning when present and the global queue's size, in field
 *    order), relative to sched.lock, whose address becomes GO_GLOBAL_SCHED;
 *  - the number of wait reasons from the bound check in runtime.waitReason.String.
 * Nothing here is trusted yet: the caller verifies the layout against the live process
 * (go_globals_resolve, sched_read's checks) before any figure is shown.
 * Returns 0, or GO_OFFSETS_ERR_NODATA with why (which part could not be derived). */
int go_derive_layout(const struct go_binary *bin, const char *path, struct go_offsets *out,
                     char *why, size_t len);

#endif
