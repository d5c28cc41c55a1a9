/* sched_read: decode the Go scheduler's state (allp, Ps, Ms, schedt, allgs) from the
 * target's memory through a mem_reader; pure with respect to the reader, so recorded
 * or hostile bytes take exactly the live path. Nothing read is trusted. */
#ifndef GMPTOP_SCHED_READ_H
#define GMPTOP_SCHED_READ_H

#include <stddef.h>
#include <stdint.h>

#include "target/go_offsets.h"
#include "model/snapshot.h"
#include "target/target_mem.h"

#define SCHED_MAX_PS 1024          /* GOMAXPROCS above this is taken as garbage */
#define SCHED_MAX_RUNQ 256         /* a P's local runqueue holds at most 256 */
#define SCHED_MAX_GS (1u << 22)    /* allgs longer than this is taken as garbage */

/* Runtime addresses (link-time + bias) and layouts for one target. */
struct sched_layout {
    const struct go_offsets *off;
    uint64_t allp, sched, gomaxprocs, allgs, allglen, memstats;
    uint64_t allm;            /* 0 when unknown: a syscall P's M is then not looked up */
    /* wait reason names read once from runtime.waitReasonStrings */
    char (*reasons)[SCHED_REASON_LEN];
    size_t nreasons;
};

/* Scratch buffers reused across ticks (no per-tick allocation in steady state). */
struct sched_scratch {
    uint64_t *pptrs;          /* P pointers from allp (kept for the runq sampler) */
    size_t npptrs;
    uint64_t *ptrs;           /* other pointer arrays (allgs) */
    uint8_t *bytes;           /* struct images */
    struct mem_req *reqs;
    size_t pptrs_cap, ptrs_cap, bytes_cap, reqs_cap;
};
void sched_scratch_free(struct sched_scratch *sc);

/* Check that every layout value the reader needs is present. 0, or -ENOTSUP + reason. */
int sched_layout_check(const struct go_offsets *off, char *why, size_t len);

/* Read runtime.waitReasonStrings ([N]string) into l->reasons (malloc'd). */
int sched_read_reasons(const struct mem_reader *mem, struct sched_layout *l,
                       uint64_t addr, size_t n);
void sched_layout_free(struct sched_layout *l);

/* One full read into out (ps allocated). Returns 0; -EAGAIN when the read was partial
 * or implausible (why says what; the caller drops the sample and counts it); -ESRCH
 * when the process is gone; -errno otherwise. */
int sched_read(const struct mem_reader *mem, const struct sched_layout *l,
               struct sched_scratch *sc, struct sched_sample *out, char *why, size_t len);

/* Census of allgs within budget_ns; fills the census fields of out. */
int sched_read_census(const struct mem_reader *mem, const struct sched_layout *l,
                      struct sched_scratch *sc, int64_t budget_ns, struct sched_sample *out,
                      char *why, size_t len);

/* The census class (enum go_g_class) of a g.atomicstatus value; -1 dead (free for reuse),
 * -3 parked on a cgo extra M (Go 1.26+ _Gdeadextra), -2 not a status at all. */
int sched_g_class(uint32_t status);

/* Read runqhead/runqtail of the Ps whose addresses are in pptrs (from the last full
 * read) for the high-rate sampler: runq[i] = tail - head, UINT32_MAX when implausible. */
int sched_read_runqs(const struct mem_reader *mem, const struct go_offsets *off,
                     const uint64_t *pptrs, size_t n, uint32_t *runq);

#endif
