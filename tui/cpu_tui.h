/* cpu_tui: what the CPU pane (pane_cpu.c) shares with its hot-stacks view
 * (cpu_stacks.c). */
#ifndef GMPTOP_CPU_TUI_H
#define GMPTOP_CPU_TUI_H

#include "model/snapshot_cpuprof.h"
#include "tui/pane.h"

/* The hottest stacks of the profile's minute that go through func (pooled), each with
 * its share and its frames innermost first, over r, scrolled by *scroll (clamped here).
 * Keys: goroutine_stack_key() (goroutines_tui.h), which closes it the same way. */
void cpu_stacks_draw(const struct cpuprof_sample *cp, const char *func,
                     const struct pane_rect *r, int *scroll);

/* "oncpu.go": the last element of a path ("" stays ""). */
const char *cpu_file_base(const char *path);

#endif
