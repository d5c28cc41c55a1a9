/* park_probe: the park collector's pure parts, kept apart from libbpf so they build and
 * are unit-tested without BPF: where in a Go function to put the uprobe, how to map it
 * to a file offset, and the overhead governor's arithmetic. */
#ifndef GMPTOP_PARK_PROBE_H
#define GMPTOP_PARK_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/snapshot_park.h"

/* ---- probe point (park_attach.c) --------------------------------------------------- */

/* How the kernel runs the instruction under a uprobe: some are emulated in the trap
 * handler (push reg, nop, jmp/jcc/call: about 1 us here), every other one is copied out
 * and single-stepped (about 15 us here). */
enum park_insn_kind { PARK_INSN_EMULATED, PARK_INSN_STEPPED };

struct park_probe_point {
    uint32_t offset;             /* bytes from the function's entry */
    uint32_t stack_check_len;    /* bytes of the stack-check prologue skipped (0: none) */
    enum park_insn_kind kind;
    char insn[24];               /* "push %rbp", "nop", "jcc", "sub/mov/..." */
};

/* Choose where to probe a Go (register ABI) function whose first bytes are code[0..len):
 * past the stack-check prologue (an R14-relative cmp and its conditional jump, which
 * only loops back to the entry through morestack), then at the first instruction the
 * kernel emulates, as long as every instruction before it leaves RAX, RBX and RCX (the
 * first three arguments) alone; else right after the stack check. Returns 0, or -1 when
 * the bytes cannot be decoded (out then says offset 0). */
int park_probe_choose(const uint8_t *code, size_t len, struct park_probe_point *out);

/* Whether code (a function's first bytes, by the binary's function table) starts the
 * way that function must: a nosplit one (runtime.casgstatus in every Go release) with
 * its frame setup (push %rbp, or sub $N,%rsp) and no stack check; any other with the
 * stack check or a frame setup. A uprobe is placed only then: an address off by a
 * function or a few bytes (a text base read wrong) would put a breakpoint in other
 * code. Returns 0, or -1 with why naming the bytes found and what was expected. */
int park_entry_check(const uint8_t *code, size_t len, bool nosplit, char *why, size_t wlen);

/* The file offset of link-time address vaddr in the ELF file at path (via its PT_LOAD
 * headers), which is what a uprobe is placed at. Returns 0 or -errno / -ENOENT. */
int park_file_offset(const char *path, uint64_t vaddr, uint64_t *off, char *why, size_t len);

/* Read len bytes of the ELF file at path at link-time address vaddr. 0 or -errno. */
int park_read_code(const char *path, uint64_t vaddr, uint8_t *buf, size_t len, char *why,
                   size_t wlen);

/* Calibration targets inside gmptop itself: functions whose first instruction is of the
 * given kind, and a trampoline that calls one with RAX = gp, EBX = old, ECX = new just
 * like Go calls runtime.casgstatus. */
void park_calib_call(void (*fn)(void), uint64_t gp, uint32_t oldv, uint32_t newv);
void (*park_calib_fn(enum park_insn_kind kind))(void);
/* File offset of one of our own functions in /proc/self/exe (from /proc/self/maps). */
int park_self_offset(const void *fn, uint64_t *off, char *why, size_t len);

/* ---- governor (park_governor.c) -------------------------------------------------------- */

#define PARK_GOV_MIN_DUTY 0.05       /* below this a duty cycle says too little: detach */
/* One attach/detach cycle: long against the ~10 ms an attach and the ~100 ms a detach
 * take here, short enough that every refresh sees some of it. */
#define PARK_GOV_PERIOD_NS 1000000000LL
/* How often the governor decides: a load that starts while the probe is on costs the
 * full price until the next step (at 112% of a core, 200 ms of it were 11 s of a 2%
 * budget); a step reads one map and /proc/PID/stat. */
#define PARK_GOV_STEP_NS 50000000LL
#define PARK_GOV_FIRST_STEP_NS 50000000LL /* the first decision, after the attach */
/* Detached, the target pays nothing until the next attach, which the schedule knows: a
 * step a second keeps the meter's marks (its batches are 5 s) and the figures fresh.
 * Stepping at 20 Hz detached cost 0.4% of a core (a map read and the target's
 * /proc/PID/stat each), most of gmptop's own CPU on a saturated server. */
#define PARK_GOV_IDLE_STEP_NS 1000000000LL
#define PARK_GOV_RETRY_NS 10000000000LL /* when off, re-measure at least 10 s apart ... */
#define PARK_GOV_PROBE_NS 100000000LL   /* ... for this long, */
#define PARK_GOV_RETRY_MAX_NS 60000000000LL /* ... and at most 60 s apart: */
/* spaced so that the re-measurements themselves cost at most this share of the budget
 * (at 112% of a core attached, 100 ms every 10 s would be half of a 2% budget). */
#define PARK_GOV_RETRY_SHARE 0.25
/* Attached all the time there is nothing to compare with: when the model puts the cost
 * within a factor of PARK_GOV_REF_MARGIN of the budget (where a model that is that far
 * off would matter), the probe comes off for PARK_GOV_REF_NS once every
 * PARK_GOV_REF_EVERY periods, so the meter sees the target without it (1%). */
#define PARK_GOV_REF_MARGIN 4.0
#define PARK_GOV_REF_NS 100000000LL
#define PARK_GOV_REF_EVERY 10
/* Until the meter's figure is known to within half (cost_sure), the reference windows
 * are longer: 100 ms in 10 s gives the meter 10 ticks of CPU time a window, and a model
 * 10x under the true cost could go uncorrected for minutes. Detached costs the target
 * nothing; the histograms miss 3% of the time instead of 1%. */
#define PARK_GOV_REF_UNSURE_NS 300000000LL

/* The governor plans with this share of the budget that is left to the probe. What no
 * meter here sees is the traps' damage to the program's own code (its caches and TLB:
 * counted as its own user work) and what each attach and detach adds: a mixed worker
 * pool on one core, attached all the time, lost 55% of its work where both meters read
 * 44% of a core, and sampled at 10% it lost 7.3% where they read 4.4%. Not at
 * --bpf-budget 100, which limits nothing. */
#define PARK_GOV_PLAN_NUM 2
#define PARK_GOV_PLAN_DEN 3           /* the governor's sentence says "2/3" from these */
#define PARK_GOV_PLAN_SHARE ((double)PARK_GOV_PLAN_NUM / PARK_GOV_PLAN_DEN)

/* ---- measured overhead (park_meter.c) ------------------------------------------------ */

/* The meter keeps PARK_METER_BATCHES batches of PARK_METER_BATCH_NS (30 s in all): long
 * enough for the tick-sampled CPU times to average out at a 5% duty, short enough that a
 * change of load shows within half a minute. */
#define PARK_METER_BATCHES 6
#define PARK_METER_BATCH_NS 5000000000LL
#define PARK_METER_MIN_NS 100000000.0   /* of each state before there is an estimate */

struct park_meter_batch {
    double wall_ns[2], user_ns[2], sys_ns[2];   /* [0] detached, [1] attached */
    double events;                              /* probe hits while attached */
};

struct park_meter {
    struct park_meter_batch b[PARK_METER_BATCHES];
    int head;                    /* the open batch */
    int nclosed;                 /* closed batches still in the window */
    int64_t batch_start_ns;
    double tick_ns;              /* the unit /proc gives CPU times in (1e9 / USER_HZ) */
};

struct park_meter_est {
    bool valid;                  /* both states seen long enough */
    double attached_cores;       /* what the probe takes from the target while attached */
    double cores_err;            /* one standard error (jackknife over batches); NAN */
    double cost_ns;              /* per event, on this target under its load; NAN */
    double cost_err_ns;
    double cost_count_err_ns;    /* the cost's error from the tick counts alone, there
                                  * from the first estimate (park_meter.c) */
    double attached_s, detached_s;   /* the evidence, within the window */
    bool lost_work;              /* the figure is the work the program did not do while
                                  * attached, not the traps' system time (park_meter.c) */
};

void park_meter_init(struct park_meter *m, int64_t now_ns, double tick_ns);
/* wall_ns of one state (attached or not) during which the target's threads used user_ns
 * and sys_ns of CPU and (attached) hit the probe events times; now_ns its end. */
void park_meter_add(struct park_meter *m, bool attached, int64_t wall_ns, double user_ns,
                    double sys_ns, uint64_t events, int64_t now_ns);
/* The estimate over the window; false (out->valid false) until both states were seen. */
bool park_meter_estimate(const struct park_meter *m, struct park_meter_est *out);

struct park_gov {
    double budget_pct;           /* % of one core the target may pay */
    double others_pct;           /* of which the other probes (the on-CPU sampler) take */
    double self_pct;             /* ... and gmptop's own CPU where it displaced others */
    double cost_ns;              /* per event, as the governor uses it: the meter's (plus
                                  * its error) once it has one, else the calibration's */
    double calib_ns;             /* per event, from the calibration at start */
    bool cost_measured;          /* cost_ns is the meter's */
    bool cost_sure;              /* ... and its error is under half of it */
    double measured_pct;         /* what the meter says the target paid; NAN */
    double measured_err_pct;     /* one standard error; NAN */
    bool ref_due;                /* ON: a reference (detached) window is wanted */
    double rate;                 /* events per second while attached (smoothed); NAN */
    double duty;                 /* fraction of each period to stay attached */
    enum park_gov_state state;
    int64_t retry_at_ns;         /* OFF: when to re-measure */
    int64_t retry_ns;            /* OFF: how far apart (park_gov_retry_ns) */
    double window_factor;        /* OFF: the meter's cost per event over the one the
                                  * governor uses (1 at least; its last figure): the
                                  * re-measurement windows are spaced by what they cost */
    char why[SNAPSHOT_PARK_WHY_LEN];
    const char *budget_note;     /* said after why when the budget is not the user's */
};

void park_gov_init(struct park_gov *g, double budget_pct, double cost_ns);
/* Hand the governor the meter's estimate over its window (attached_frac: the share of the
 * window the probe was attached): it uses the measured cost per event, plus its error so
 * that noise errs toward the budget, once the error is under half the cost. */
void park_gov_set_measured(struct park_gov *g, const struct park_meter_est *e,
                           double attached_frac);
/* What the other probes on the target cost now (budget_ledger.h): the park probe plans
 * with the rest of the budget, and a quarter of it at least (a tight budget that gmptop
 * itself already fills keeps a probe that says something, and the pane says by how much
 * the whole is over). */
void park_gov_set_others(struct park_gov *g, double others_pct);
/* What gmptop's own CPU takes from busy CPUs now (self_cost.h): planned with likewise. */
void park_gov_set_self(struct park_gov *g, double self_pct);
/* The share of the budget the park probe plans with: what the other parts leave (a
 * quarter of the budget at least), times PARK_GOV_PLAN_SHARE. */
double park_gov_budget(const struct park_gov *g);
/* One refresh: events seen during attached_ns of attachment in the last interval
 * ending at now_ns. Updates rate, duty, state and why. */
void park_gov_update(struct park_gov *g, uint64_t events, int64_t attached_ns, int64_t now_ns);
/* Overhead in % of one core if attached all the time, and as run now (x duty);
 * NAN while the rate is unknown. */
double park_gov_full_pct(const struct park_gov *g);
double park_gov_est_pct(const struct park_gov *g);
/* OFF: the spacing of the re-measurements for a probe that would cost full_pct attached. */
int64_t park_gov_retry_ns(double full_pct, double budget_pct);
/* How long the reference window of an attached-all-the-time probe is now. */
int64_t park_gov_ref_ns(const struct park_gov *g);
/* Whether the probe should be attached at time now_ns (period_start_ns: when the current
 * duty period began). */
bool park_gov_want_attached(const struct park_gov *g, int64_t period_start_ns, int64_t now_ns);
/* The next time after now_ns at which park_gov_want_attached's answer can change (the
 * governor thread sleeps until then, or its next step, and no longer). */
int64_t park_gov_next_change_ns(const struct park_gov *g, int64_t period_start_ns,
                                int64_t now_ns);

#endif
