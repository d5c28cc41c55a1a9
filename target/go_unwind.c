/* go_unwind: a goroutine's frames from its saved pc/sp and the pcln table's SP deltas. */
#include "target/go_unwind.h"

#include <string.h>

#include "target/go_pclntab.h"

bool go_unwind_is_root(const char *f)
{
    return strcmp(f, "runtime.goexit") == 0 || strcmp(f, "runtime.mstart") == 0 ||
           strcmp(f, "runtime.rt0_go") == 0 || strcmp(f, "runtime.mcall") == 0 ||
           strcmp(f, "runtime.morestack") == 0 || strcmp(f, "runtime.systemstack") == 0;
}

int go_unwind(const struct go_unwind_in *in, struct go_frame *out, int max, int *n)
{
    *n = 0;
    uint64_t pc = in->pc, sp = in->sp;
    for (int depth = 0;; depth++) {
        if (*n >= max)
            return GO_UNWIND_TRUNCATED;
        if (sp < in->stack_lo || sp >= in->stack_hi)
            return GO_UNWIND_BAD_SP;
        uint64_t lpc = pc - in->bias;
        struct go_pcln_pos at, line;
        /* A caller's pc is its return address: its line is the call's, one byte back,
         * so there only the function is looked up at pc itself. */
        int rc = depth > 0 ? go_pclntab_pc_func(in->pcln, in->pcln_len, in->text_start, lpc, &at)
                           : go_pclntab_pc_lookup(in->pcln, in->pcln_len, in->text_start, lpc,
                                                  &at);
        if (rc != 0 || at.sp_delta < 0)
            return GO_UNWIND_BAD_PC;
        line = at;
        if (depth > 0 &&
            go_pclntab_pc_lookup(in->pcln, in->pcln_len, in->text_start,
                                 lpc > at.entry ? lpc - 1 : lpc, &line) != 0 &&
            go_pclntab_pc_lookup(in->pcln, in->pcln_len, in->text_start, lpc, &line) != 0)
            line = at;            /* as before the function-only lookup: pc's own line */
        out[*n] = (struct go_frame){ lpc, at.func, line.file, line.line };
        (*n)++;
        if (go_unwind_is_root(at.func))
            return GO_UNWIND_DONE;
        /* The return address sits right above the frame: at sp + delta. */
        uint64_t ra_at = sp + (uint64_t)at.sp_delta, ra = 0;
        if (ra_at < sp || ra_at + 8 > in->stack_hi)
            return GO_UNWIND_BAD_SP;
        if (in->read(in->ctx, ra_at, &ra, sizeof(ra)) < 0)
            return GO_UNWIND_UNREADABLE;
        pc = ra;
        sp = ra_at + 8;
    }
}
