/* go_unwind: walk a goroutine's stack from its saved pc and sp with the pcln table's SP
 * deltas (amd64 layout: the return address sits right above each frame). */
#ifndef GMPTOP_GO_UNWIND_H
#define GMPTOP_GO_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read len bytes of the target at addr into buf: 0, or < 0 when unreadable. */
typedef int (*go_unwind_read)(void *ctx, uint64_t addr, void *buf, size_t len);

struct go_unwind_in {
    const uint8_t *pcln;       /* the .gopclntab bytes */
    size_t pcln_len;
    uint64_t text_start;       /* link-time, as for go_pclntab_pc_lookup */
    uint64_t bias;             /* runtime address - link-time address (PIE load bias) */
    uint64_t pc, sp;           /* runtime addresses: g.sched.pc, g.sched.sp */
    uint64_t stack_lo, stack_hi; /* g.stack: every frame must lie inside */
    go_unwind_read read;
    void *ctx;
};

struct go_frame {
    uint64_t pc;               /* link-time; a caller's is its return address */
    const char *func;          /* inside the pcln bytes */
    const char *file;          /* of pc (a caller's: of its call, pc - 1); may be NULL */
    int32_t line;
};

enum go_unwind_end {
    GO_UNWIND_DONE = 0,        /* reached runtime.goexit (or another stack's root) */
    GO_UNWIND_TRUNCATED = 1,   /* max frames filled first */
    GO_UNWIND_BAD_PC = -1,     /* a pc outside every function */
    GO_UNWIND_BAD_SP = -2,     /* a frame outside [stack_lo, stack_hi) or not growing */
    GO_UNWIND_UNREADABLE = -3, /* the stack could not be read */
};

/* Whether f is a function goroutine stacks start in (runtime.goexit, the return address
 * of every goroutine's first frame, and the system stacks' roots): walks stop there, as
 * the runtime's traceback does. */
bool go_unwind_is_root(const char *f);

/* Fill up to max frames, innermost first, into out and their count into *n. Every frame
 * is checked (pc inside a function, sp inside the stack and above the last), so a stack
 * that changed under the read ends with an error rather than made-up frames. */
int go_unwind(const struct go_unwind_in *in, struct go_frame *out, int max, int *n);

#endif
