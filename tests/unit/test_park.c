/* test_park: the park collector's pure parts: probe placement on real Go prologues, the
 * overhead governor's arithmetic, and the histogram views (edges, deltas, quantiles). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/park_probe.h"
#include "model/park_hist.h"

/* ---- probe placement ----------------------------------------------------------------- */

static void choose(const uint8_t *code, size_t len, uint32_t off, enum park_insn_kind kind,
                   uint32_t check, const char *insn)
{
    struct park_probe_point p;
    assert_int_equal(park_probe_choose(code, len, &p), 0);
    assert_int_equal(p.offset, off);
    assert_int_equal(p.kind, kind);
    assert_int_equal(p.stack_check_len, check);
    assert_string_equal(p.insn, insn);
}

/* go1.22/1.23 runtime.casgstatus (nosplit): push %rbp first. */
static void test_push_first(void **st)
{
    (void)st;
    static const uint8_t c[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x40 };
    choose(c, sizeof(c), 0, PARK_INSN_EMULATED, 0, "push %rbp");
}

/* go1.19 runtime.casgstatus: sub/mov/lea frame setup and argument spills, then a nop
 * at +0x1f with RAX, RBX, RCX untouched. */
static void test_go119_casgstatus(void **st)
{
    (void)st;
    static const uint8_t c[] = {
        0x48, 0x83, 0xec, 0x40,             /* sub $0x40,%rsp */
        0x48, 0x89, 0x6c, 0x24, 0x38,       /* mov %rbp,0x38(%rsp) */
        0x48, 0x8d, 0x6c, 0x24, 0x38,       /* lea 0x38(%rsp),%rbp */
        0x48, 0x89, 0x44, 0x24, 0x48,       /* mov %rax,0x48(%rsp) */
        0x89, 0x5c, 0x24, 0x50,             /* mov %ebx,0x50(%rsp) */
        0x89, 0x4c, 0x24, 0x54,             /* mov %ecx,0x54(%rsp) */
        0x0f, 0xba, 0xe3, 0x0c,             /* bt $0xc,%ebx */
        0x90,                               /* nop */
        0x72, 0x0a,                         /* jb */
    };
    choose(c, sizeof(c), 0x1f, PARK_INSN_EMULATED, 0, "nop");
}

/* go1.22 runtime.gopark: the stack check, then push %rbp at +0xa. */
static void test_stack_check_small(void **st)
{
    (void)st;
    static const uint8_t c[] = {
        0x49, 0x3b, 0x66, 0x10,                     /* cmp 0x10(%r14),%rsp */
        0x0f, 0x86, 0xdc, 0x00, 0x00, 0x00,         /* jbe morestack */
        0x55, 0x48, 0x89, 0xe5,
    };
    choose(c, sizeof(c), 0xa, PARK_INSN_EMULATED, 0xa, "push %rbp");
}

/* go1.19 runtime.gopark: stack check, frame setup, a load into RDX, then nop. */
static void test_go119_gopark(void **st)
{
    (void)st;
    static const uint8_t c[] = {
        0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0xe9, 0x00, 0x00, 0x00,
        0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0x6c, 0x24, 0x10, 0x48, 0x8d, 0x6c, 0x24, 0x10,
        0x49, 0x8b, 0x56, 0x30,                     /* mov 0x30(%r14),%rdx */
        0x90,                                       /* nop at +0x1c */
        0xff, 0x82, 0x08, 0x01, 0x00, 0x00,
    };
    choose(c, sizeof(c), 0x1c, PARK_INSN_EMULATED, 0xa, "nop");
}

/* Big frame (go1.19 chanrecv): lea into R12, cmp against R14, jbe; then no emulated
 * instruction before a write to RAX: the probe goes right after the check. */
static void test_stack_check_big(void **st)
{
    (void)st;
    static const uint8_t c[] = {
        0x4c, 0x8d, 0x64, 0x24, 0xf8,               /* lea -0x8(%rsp),%r12 */
        0x4d, 0x3b, 0x66, 0x10,                     /* cmp 0x10(%r14),%r12 */
        0x0f, 0x86, 0x99, 0x06, 0x00, 0x00,         /* jbe */
        0x48, 0x81, 0xec, 0x88, 0x00, 0x00, 0x00,   /* sub $0x88,%rsp */
        0x48, 0x8b, 0x00,                           /* mov (%rax),%rax: clobbers RAX */
        0x90,
    };
    choose(c, sizeof(c), 0xf, PARK_INSN_STEPPED, 0xf, "stepped");
}

/* Huge frame (go1.19 getproccount): mov/sub on R12, jb, cmp, jbe. */
static void test_stack_check_huge(void **st)
{
    (void)st;
    static const uint8_t c[] = {
        0x49, 0x89, 0xe4,                           /* mov %rsp,%r12 */
        0x49, 0x81, 0xec, 0xa8, 0x1f, 0x00, 0x00,   /* sub $0x1fa8,%r12 */
        0x0f, 0x82, 0xdd, 0x00, 0x00, 0x00,         /* jb */
        0x4d, 0x3b, 0x66, 0x10,                     /* cmp 0x10(%r14),%r12 */
        0x0f, 0x86, 0xd3, 0x00, 0x00, 0x00,         /* jbe */
        0x48, 0x81, 0xec, 0x28, 0x20, 0x00, 0x00,   /* sub $0x2028,%rsp */
        0x48, 0x89, 0xac, 0x24, 0x20, 0x20, 0x00, 0x00, /* mov %rbp,0x2020(%rsp) */
        0x55,
    };
    choose(c, sizeof(c), 0x29, PARK_INSN_EMULATED, 0x1a, "push %rbp");
}

/* A jump before any R14 compare is not a stack check; a REX.B 0x90 is xchg, not nop. */
static void test_not_fooled(void **st)
{
    (void)st;
    static const uint8_t jcc_first[] = { 0x74, 0x02, 0x55 };
    choose(jcc_first, sizeof(jcc_first), 0, PARK_INSN_EMULATED, 0, "jcc");
    static const uint8_t xchg[] = { 0x48, 0x83, 0xec, 0x08, 0x41, 0x90, 0x55 };
    choose(xchg, sizeof(xchg), 0, PARK_INSN_STEPPED, 0, "stepped");
    static const uint8_t writes_rbx[] = { 0x48, 0x89, 0xc3, 0x90 };   /* mov %rax,%rbx */
    choose(writes_rbx, sizeof(writes_rbx), 0, PARK_INSN_STEPPED, 0, "stepped");
}

static void test_garbage(void **st)
{
    (void)st;
    struct park_probe_point p;
    static const uint8_t bad[] = { 0x06, 0x07 };       /* invalid in 64-bit mode */
    assert_int_equal(park_probe_choose(bad, sizeof(bad), &p), -1);
    assert_int_equal(p.offset, 0);
    assert_int_equal(park_probe_choose(NULL, 0, &p), -1);
    static const uint8_t cut[] = { 0x49, 0x3b, 0x66 }; /* truncated */
    assert_int_equal(park_probe_choose(cut, sizeof(cut), &p), -1);
}

/* ---- governor ------------------------------------------------------------------------ */

#define S 1000000000LL

/* The entry check before a uprobe goes in. Real bytes: go1.27.4's casgstatus (push
 * %rbp), go1.19's (sub $0x40,%rsp), and what sits 0x100 earlier in go1.27.4's stripped
 * external-linker PIE, where a text base taken from .text put "casgstatus": another
 * function's entry, with a stack check. */
static void test_entry_check(void **st)
{
    (void)st;
    static const uint8_t go127[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x58 };
    static const uint8_t go119[] = { 0x48, 0x83, 0xec, 0x40, 0x48, 0x89, 0x6c, 0x24 };
    static const uint8_t off_by_0x100[] = { 0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0xc2, 0x00,
                                            0x00, 0x00, 0x55, 0x48, 0x89, 0xe5 };
    static const uint8_t mid_insn[] = { 0x24, 0x68, 0x89, 0x5c, 0x24, 0x70, 0x0f, 0xba };
    char why[256];
    assert_int_equal(park_entry_check(go127, sizeof(go127), true, why, sizeof(why)), 0);
    assert_int_equal(park_entry_check(go119, sizeof(go119), true, why, sizeof(why)), 0);
    assert_int_equal(park_entry_check(off_by_0x100, sizeof(off_by_0x100), true, why,
                                      sizeof(why)), -1);
    assert_non_null(strstr(why, "49 3b 66 10"));
    assert_non_null(strstr(why, "found a stack check"));
    /* The same bytes are a fine entry for a function that is not nosplit. */
    assert_int_equal(park_entry_check(off_by_0x100, sizeof(off_by_0x100), false, why,
                                      sizeof(why)), 0);
    assert_int_equal(park_entry_check(mid_insn, sizeof(mid_insn), true, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "frame setup"));
    assert_int_equal(park_entry_check(mid_insn, sizeof(mid_insn), false, why, sizeof(why)),
                     -1);
    assert_int_equal(park_entry_check(NULL, 0, true, why, sizeof(why)), -1);
}

static void test_gov_under_budget(void **st)
{
    (void)st;
    struct park_gov g;
    park_gov_init(&g, 2.0, 1000.0);             /* 1 us per event */
    assert_true(isnan(park_gov_full_pct(&g)));
    park_gov_update(&g, 10000, S, S);            /* 10k/s x 1 us = 1% */
    assert_int_equal(g.state, PARK_GOV_ON);
    assert_float_equal(park_gov_full_pct(&g), 1.0, 1e-9);
    assert_float_equal(park_gov_est_pct(&g), 1.0, 1e-9);
    assert_true(park_gov_want_attached(&g, PARK_GOV_PERIOD_NS, PARK_GOV_PERIOD_NS + 123));
    assert_non_null(strstr(g.why, "within the 1.3% budget"));     /* 2/3 of 2% planned */
    assert_non_null(strstr(g.why, "planned at 2/3 of it"));
    /* Within a factor 4 of the budget by the model: the first 100 ms of every tenth
     * period the probe is off, for the meter to compare with. */
    assert_true(g.ref_due);
    assert_false(park_gov_want_attached(&g, 0, 123));
    assert_true(park_gov_want_attached(&g, 0, park_gov_ref_ns(&g) + 1));
    /* A budget of a whole core (the most) enforces nothing: no reference windows, the
     * probe never comes off (tests count its events against bpftrace's). */
    park_gov_init(&g, 100.0, 1000.0);
    park_gov_update(&g, 300000, S, S);           /* 300k/s x 1 us = 30% */
    assert_int_equal(g.state, PARK_GOV_ON);
    assert_false(g.ref_due);
    assert_true(park_gov_want_attached(&g, 0, 123));
}

static void test_gov_sampling(void **st)
{
    (void)st;
    struct park_gov g;
    park_gov_init(&g, 3.0, 1000.0);              /* 2/3 of 3% planned: 2% */
    park_gov_update(&g, 40000, S, S);            /* 4% > 2%: half the time */
    assert_int_equal(g.state, PARK_GOV_SAMPLING);
    assert_float_equal(g.duty, 0.5, 1e-9);
    assert_float_equal(park_gov_est_pct(&g), 2.0, 1e-9);
    assert_true(park_gov_want_attached(&g, 0, PARK_GOV_PERIOD_NS / 2 - 1));
    assert_false(park_gov_want_attached(&g, 0, PARK_GOV_PERIOD_NS / 2 + 1));
    assert_non_null(strstr(g.why, "sampling: attached 50%"));
    /* Half a second attached with the same rate keeps the duty. */
    park_gov_update(&g, 20000, S / 2, 2 * S);
    assert_float_equal(g.duty, 0.5, 1e-9);
    /* The load drops to 0.5%: duty at most doubles per refresh, then full time. */
    park_gov_update(&g, 2500, S / 2, 3 * S);
    assert_true(g.duty <= 1.0 && g.duty >= 0.5);
    for (int i = 0; i < 6; i++)
        park_gov_update(&g, 5000, S, (4 + i) * S);
    assert_int_equal(g.state, PARK_GOV_ON);
    assert_float_equal(g.duty, 1.0, 1e-9);
}

static void test_gov_off(void **st)
{
    (void)st;
    struct park_gov g;
    park_gov_init(&g, 3.0, 15000.0);             /* a single-stepped probe: 15 us; 2% planned */
    park_gov_update(&g, 100000, S, S);           /* 100k/s x 15 us = 150% of a core */
    assert_int_equal(g.state, PARK_GOV_OFF);
    assert_float_equal(park_gov_full_pct(&g), 150.0, 1e-6);
    assert_true(park_gov_est_pct(&g) < 2.0);
    assert_false(park_gov_want_attached(&g, 0, 2 * S));
    assert_non_null(strstr(g.why, "detached"));
    /* Re-measured 100 ms at a time, spaced so that costs a quarter of the budget:
     * 150% x 0.1 s every 30 s = 0.5% of a core. */
    assert_int_equal(g.retry_ns, 30 * S);
    assert_float_equal(park_gov_est_pct(&g), 0.5, 1e-9);
    assert_non_null(strstr(g.why, "re-measured every 30 s"));
    assert_int_equal(park_gov_retry_ns(10.0, 2.0), PARK_GOV_RETRY_NS);     /* 10 s at least */
    assert_int_equal(park_gov_retry_ns(1000.0, 2.0), PARK_GOV_RETRY_MAX_NS); /* 60 s at most */
    assert_int_equal(park_gov_retry_ns(NAN, 2.0), PARK_GOV_RETRY_NS);
    /* Nothing measured: stays off; the re-measurement window opens at retry_at. */
    park_gov_update(&g, 0, 0, 5 * S);
    assert_int_equal(g.state, PARK_GOV_OFF);
    assert_true(park_gov_want_attached(&g, 0, g.retry_at_ns + 1));
    assert_false(park_gov_want_attached(&g, 0, g.retry_at_ns + PARK_GOV_PROBE_NS + 1));
    /* The window measures a calm target: back to sampling, then on. */
    int64_t t = g.retry_at_ns + PARK_GOV_PROBE_NS;
    park_gov_update(&g, 100, PARK_GOV_PROBE_NS, t);   /* 1k/s x 15 us = 1.5% */
    assert_int_equal(g.state, PARK_GOV_SAMPLING);
    for (int i = 1; i < 8; i++)
        park_gov_update(&g, 1000, S, t + i * S);
    assert_int_equal(g.state, PARK_GOV_ON);
}

/* Off, the re-measurement windows are spaced by what the meter says they cost, even
 * before it is sure of the figure: spacing errs toward the budget. */
static void test_gov_off_window_factor(void **st)
{
    (void)st;
    struct park_gov g;
    park_gov_init(&g, 3.0, 5000.0);              /* 5 us calibrated; 2% planned */
    park_gov_update(&g, 100000, S, S);           /* 100k/s x 5 us = 50% of a core */
    assert_int_equal(g.state, PARK_GOV_OFF);
    assert_int_equal(g.retry_ns, 10 * S);        /* 50% x 0.1 s / (2% x 1/4) */
    assert_null(strstr(g.why, "its windows cost"));
    /* The meter: 15 us an event, its error too large to take it as the cost. */
    struct park_meter_est e = { .valid = true, .attached_cores = 1.5, .cost_ns = 15000.0,
                                .cores_err = NAN, .cost_err_ns = NAN,
                                .cost_count_err_ns = 12000.0, .attached_s = 0.1,
                                .detached_s = 2.0 };
    park_gov_set_measured(&g, &e, 0.1 / 2.1);
    assert_float_equal(g.cost_ns, 5000.0, 1e-9);  /* the governor's cost is unchanged */
    assert_float_equal(g.window_factor, 3.0, 1e-9);
    park_gov_update(&g, 0, 0, 2 * S);            /* between windows: respaced */
    assert_int_equal(g.state, PARK_GOV_OFF);
    assert_int_equal(g.retry_ns, 30 * S);
    assert_int_equal(g.retry_at_ns, S + 30 * S);
    assert_float_equal(park_gov_est_pct(&g), 0.5, 1e-9);   /* 150% x 0.1 s / 30 s */
    assert_non_null(strstr(g.why, "re-measured every 30 s (its windows cost 3.0x that"));
    /* No window in the meter's span: the factor stays. */
    struct park_meter_est none = { .valid = false, .detached_s = 30.0 };
    park_gov_set_measured(&g, &none, 0.0);
    assert_float_equal(g.window_factor, 3.0, 1e-9);
    /* Sure of 15 us (+1 us error): the cost itself, and no factor on top. */
    e.cost_err_ns = 1000.0;
    park_gov_set_measured(&g, &e, 0.1 / 2.1);
    assert_float_equal(g.cost_ns, 16000.0, 1e-9);
    assert_float_equal(g.window_factor, 1.0, 1e-9);
    /* A cheaper meter than the calibration never spaces them closer than the model. */
    park_gov_init(&g, 3.0, 5000.0);
    park_gov_update(&g, 100000, S, S);
    e.cost_ns = 2000.0;
    e.cost_err_ns = NAN;
    park_gov_set_measured(&g, &e, 0.1 / 2.1);
    assert_float_equal(g.window_factor, 1.0, 1e-9);
    park_gov_update(&g, 0, 0, 2 * S);
    assert_int_equal(g.retry_ns, 10 * S);
}

static void test_gov_small_windows(void **st)
{
    (void)st;
    struct park_gov g;
    park_gov_init(&g, 2.0, 1000.0);
    park_gov_update(&g, 5, 1000000, S);          /* 1 ms attached: too little to judge */
    assert_true(isnan(g.rate));
    assert_int_equal(g.state, PARK_GOV_ON);
}

/* ---- histogram views ------------------------------------------------------------------ */

static void test_edges(void **st)
{
    (void)st;
    assert_int_equal(park_slot_lower_ns(0), 0);
    assert_int_equal(park_slot_lower_ns(21), 1250000);
    assert_int_equal(park_slot_le_ns(21), 2500000);
    assert_int_equal(park_slot_le_ns(19), 625000);
    assert_int_equal(park_slot_le_ns(18), 312500);
    assert_int_equal(park_slot_le_ns(17), 156250);
    assert_true(park_slot_le_ns(SNAPSHOT_PARK_SLOTS - 1) == PARK_HIST_INF);
    for (size_t i = 1; i + 1 < SNAPSHOT_PARK_SLOTS; i++)
        assert_true(park_slot_le_ns(i) == park_slot_lower_ns(i + 1));
}

static void test_delta_quantiles(void **st)
{
    (void)st;
    struct park_hist_sample a, b, d;
    memset(&a, 0, sizeof(a));
    a.count = 10; a.sum_ns = 10 * 2000000; a.max_ns = 2400000;
    a.slots[21] = 10;
    b = a;
    b.count = 110; b.sum_ns += 100 * 400000; b.slots[19] += 99; b.slots[21] += 1;
    assert_int_equal(park_hist_delta(&a, &b, &d), 0);
    assert_int_equal(d.count, 100);
    assert_int_equal(d.slots[19], 99);
    assert_int_equal(park_hist_fullest(&d), 19);
    assert_int_equal(park_hist_quantile_ns(&d, 500), 625000);
    /* p99 is the 99th event: still in slot 19; p100 in slot 21, capped by the max. */
    assert_int_equal(park_hist_quantile_ns(&d, 990), 625000);
    assert_int_equal(park_hist_quantile_ns(&d, 1000), 2400000);
    /* The maximum did not grow in the interval: the top slot's edge, capped at it. */
    assert_int_equal(d.max_ns, 2400000);
    b.max_ns = 3000000;
    b.slots[22] = 1; b.count++;
    assert_int_equal(park_hist_delta(&a, &b, &d), 0);
    assert_int_equal(d.max_ns, 3000000);
    /* Counters going down (maps restarted) are refused, never negative. */
    assert_int_equal(park_hist_delta(&b, &a, &d), -1);
    assert_int_equal(d.count, 0);
    memset(&d, 0, sizeof(d));
    assert_int_equal(park_hist_quantile_ns(&d, 500), 0);
    assert_int_equal(park_hist_fullest(&d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_first),
        cmocka_unit_test(test_go119_casgstatus),
        cmocka_unit_test(test_stack_check_small),
        cmocka_unit_test(test_go119_gopark),
        cmocka_unit_test(test_stack_check_big),
        cmocka_unit_test(test_stack_check_huge),
        cmocka_unit_test(test_not_fooled),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_entry_check),
        cmocka_unit_test(test_gov_under_budget),
        cmocka_unit_test(test_gov_sampling),
        cmocka_unit_test(test_gov_off),
        cmocka_unit_test(test_gov_off_window_factor),
        cmocka_unit_test(test_gov_small_windows),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_delta_quantiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
