/* go_heap: addresses of objects that certainly live in the target's Go heap, so the
 * NUMA collector can find the heap wherever the runtime put it (Go 1.26 randomises the
 * heap's base; before, it started at the 0x00c0<<32 hint). */
#ifndef GMPTOP_COLLECTORS_GO_HEAP_H
#define GMPTOP_COLLECTORS_GO_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

/* Up to max heap addresses: allp's backing array and the P structs it points to (the
 * runtime allocates both with new/make). Runtime globals come from DWARF, the symbol
 * table, or the code references of a stripped binary, verified against the live
 * process as the scheduler pane does. Returns how many (>= 1), or -errno with why. */
int go_heap_anchors(const struct target *t, uint64_t *out, size_t max, char *why,
                    size_t len);

#endif
