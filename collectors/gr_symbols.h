/* gr_symbols: the target binary's pcln table, mapped once, with the caches that make
 * reading many goroutine stacks cheap: frame size per pc for the walk, and the
 * symbolised frames (inlined calls expanded) per pc for the groups. */
#ifndef GMPTOP_GR_SYMBOLS_H
#define GMPTOP_GR_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/gstack.h"
#include "target/target.h"
#include "target/target_mem.h"

struct gr_symbols;

/* Map the pcln table of t's binary (through /proc/PID/exe, checked to be the file
 * attached to) and find its load bias. NULL + why when the stacks cannot be read. */
struct gr_symbols *gr_symbols_open(const struct target *t, const struct mem_reader *mem,
                                   char *why, size_t len);
/* Over a pcln table already in memory (tests, fuzzing): table bytes (not copied: they
 * must outlive the result), link-time text base and funcdata base, load bias, the
 * binary's Go version ("go1.27.4"; NULL unknown: wrappers are then shown). */
struct gr_symbols *gr_symbols_new(const uint8_t *pcln, size_t len, uint64_t text_start,
                                  uint64_t gofunc, uint64_t bias, const char *go_version,
                                  const struct mem_reader *mem);
void gr_symbols_close(struct gr_symbols *s);
/* Give back the table's pages read since the last trim (at most every 50 ms; now_ns:
 * CLOCK_MONOTONIC); the readers call it when done with a refresh, so that between
 * refreshes none stays mapped (a once-a-second trim left 0-0.7 MB mapped at -d 0.5,
 * depending on when RSS was read). A mapped page once read stays in gmptop's RSS though
 * it is the file's page cache either way: a lookup faults in 64 KB around what it reads
 * (the kernel's fault-around), so a handful of new pcs a refresh kept 0.7-1.4 MB of a
 * server's table mapped. Lookups are cached per pc: faulting them back costs a few page
 * faults a refresh. */
void gr_symbols_trim(struct gr_symbols *s, int64_t now_ns);

/* runtime address - link-time address (PIE load bias). */
uint64_t gr_symbols_bias(const struct gr_symbols *s);

/* For the stack walk, at link-time pc: the frame's size below its return address and
 * whether the function is where goroutine stacks start (runtime.goexit and the like).
 * false when no function contains pc. */
bool gr_symbols_frame(struct gr_symbols *s, uint64_t pc, int32_t *sp_delta, bool *root);

/* The function containing link-time pc ("" unknown): pooled string. */
const char *gr_symbols_func(struct gr_symbols *s, uint64_t pc);

/* The frames of link-time pc, innermost first, inlined calls expanded; caller: pc is a
 * return address (its line is the call's). Returns how many were written: 0 for the
 * compiler's wrappers (runtime.Stack leaves them out), -1 when no function holds pc. */
int gr_symbols_expand(struct gr_symbols *s, uint64_t pc, bool caller, struct gframe *out,
                      int max);

/* The frames of a whole stack of link-time pcs, innermost first (every pc after the
 * first a return address), as gr_symbols_expand gives them; a pc no function holds is a
 * frame named unknown. Writes at most max frames and sets *truncated (left alone
 * otherwise) when some did not fit. Returns the frames written. */
size_t gr_symbols_expand_stack(struct gr_symbols *s, const uint64_t *pcs, size_t n,
                               const char *unknown, struct gframe *out, size_t max,
                               bool *truncated);

#endif
