/* goroutines_read: every goroutine's status, wait, creator and stack from the target's
 * allgs, walked with the binary's frame tables, grouped as the goroutine profile does. */
#ifndef GMPTOP_GOROUTINES_READ_H
#define GMPTOP_GOROUTINES_READ_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/sched_read.h"
#include "model/snapshot.h"
#include "target/target.h"

struct gr_symbols;

struct gr_reader;

/* For the target t read through mem with layout l (both outlive the reader). NULL + why
 * when this Go version's layout lacks a member or the binary's tables are unusable. */
struct gr_reader *gr_reader_open(const struct target *t, const struct mem_reader *mem,
                                 const struct sched_layout *l, char *why, size_t len);
/* The same over symbols given (tests, fuzzing: a memory image and a table in memory);
 * takes ownership of sym, also on failure. */
struct gr_reader *gr_reader_new(struct gr_symbols *sym, const struct mem_reader *mem,
                                const struct sched_layout *l, char *why, size_t len);
void gr_reader_close(struct gr_reader *r);

/* Read goroutines for at most budget_ns (a stride sample that continues where the last
 * refresh stopped when there are too many) and group them into out (groups allocated,
 * largest first). oncpu (NULL: none) is this tick's on-CPU profile: each group is
 * credited with the samples of its goroutines. 0, -ESRCH when the target is gone,
 * -EAGAIN + why when allgs could not be read consistently, -ENOMEM. */
int gr_reader_read(struct gr_reader *r, int64_t budget_ns, const struct cpuprof_sample *oncpu,
                   struct goroutines_sample *out, char *why, size_t len);

#endif
