/* test_sched_read: the scheduler decoder on synthetic and hostile memory images, through
 * the same mem_reader interface the live path uses. Nothing read may be shown as real
 * unless it passes the checks; garbage must be dropped, never crash. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collectors/sched_read.h"

#define BASE 0x100000ULL
#define SIZE (1u << 20)
/* Where things live in the image. */
#define A_ALLP   (BASE + 0x100)   /* slice header */
#define A_GMP    (BASE + 0x200)   /* gomaxprocs */
#define A_ARR    (BASE + 0x300)   /* allp array */
#define A_ALLGS  (BASE + 0x400)   /* allgs slice header */
#define A_GARR   (BASE + 0x500)
#define A_SCHED  (BASE + 0x1000)
#define A_P(i)   (BASE + 0x10000 + (uint64_t)(i) * 0x4000)
#define A_M      (BASE + 0x40000)
#define A_G(i)   (BASE + 0x50000 + (uint64_t)(i) * 0x400)

struct fixture {
    struct go_offsets off;
    struct sched_layout layout;
    struct sched_scratch scratch;
    uint8_t *mem;
    struct mem_image img;
    struct mem_reader reader;
};

static void put(struct fixture *f, uint64_t addr, uint64_t v, int width)
{
    memcpy(f->mem + (addr - BASE), &v, (size_t)width);
}

static void putf(struct fixture *f, uint64_t base, enum go_field fl, uint64_t v)
{
    put(f, base + (uint64_t)f->off.field[fl], v, f->off.width[fl] ? f->off.width[fl] : 8);
}

/* Two Ps: P0 running on M 3 (thread 1234) with goroutine 42; P1 idle, 5 queued and a
 * runnext. Global queue 7; 1 idle P; 5 Ms made, 1 idle. allgs: running, waiting
 * (reason 2), dead. */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->mem = calloc(1, SIZE);
    assert_int_equal(go_offsets_from_table("go1.23.5", &f->off), 0);
    f->img = (struct mem_image){ .base = BASE, .data = f->mem, .len = SIZE };
    f->reader = target_mem_image(&f->img);
    f->layout = (struct sched_layout){ .off = &f->off, .allp = A_ALLP, .sched = A_SCHED,
                                       .gomaxprocs = A_GMP, .allgs = A_ALLGS };
    put(f, A_ALLP, A_ARR, 8); put(f, A_ALLP + 8, 2, 8); put(f, A_ALLP + 16, 2, 8);
    put(f, A_GMP, 2, 4);
    put(f, A_ARR, A_P(0), 8); put(f, A_ARR + 8, A_P(1), 8);
    putf(f, A_SCHED, GO_SCHED_RUNQSIZE, 7);
    putf(f, A_SCHED, GO_SCHED_NPIDLE, 1);
    putf(f, A_SCHED, GO_SCHED_NMSPINNING, 0);
    putf(f, A_SCHED, GO_SCHED_MNEXT, 5);
    putf(f, A_SCHED, GO_SCHED_NMFREED, 0);
    putf(f, A_SCHED, GO_SCHED_NMIDLE, 1);
    for (int i = 0; i < 2; i++) {
        putf(f, A_P(i), GO_P_ID, (uint64_t)i);
        putf(f, A_P(i), GO_P_STATUS, i == 0 ? GO_P_RUNNING : GO_P_IDLE);
        putf(f, A_P(i), GO_P_SCHEDTICK, 100 + (uint64_t)i);
    }
    putf(f, A_P(0), GO_P_M, A_M);
    put(f, A_P(1) + (uint64_t)f->off.field[GO_P_RUNQHEAD], 10, 4);
    put(f, A_P(1) + (uint64_t)f->off.field[GO_P_RUNQTAIL], 15, 4);
    putf(f, A_P(1), GO_P_RUNNEXT, A_G(1));
    putf(f, A_M, GO_M_ID, 3);
    putf(f, A_M, GO_M_PROCID, 1234);
    putf(f, A_M, GO_M_CURG, A_G(0));
    putf(f, A_G(0), GO_G_GOID, 42);
    put(f, A_ALLGS, A_GARR, 8); put(f, A_ALLGS + 8, 3, 8); put(f, A_ALLGS + 16, 4, 8);
    uint32_t status[3] = { 2, 4, 6 };
    for (int i = 0; i < 3; i++) {
        put(f, A_GARR + 8 * (uint64_t)i, A_G(i), 8);
        putf(f, A_G(i), GO_G_ATOMICSTATUS, status[i]);
    }
    putf(f, A_G(1), GO_G_WAITREASON, 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sched_scratch_free(&f->scratch);
    free(f->mem);
    free(f);
    return 0;
}

static int run(struct fixture *f, struct sched_sample *out, char *why)
{
    return sched_read(&f->reader, &f->layout, &f->scratch, out, why, 160);
}

static void test_valid(void **state)
{
    struct fixture *f = *state;
    struct sched_sample s = { 0 };
    char why[160] = "";
    assert_int_equal(sched_layout_check(&f->off, why, sizeof(why)), 0);
    assert_int_equal(run(f, &s, why), 0);
    assert_true(s.valid);
    assert_int_equal(s.gomaxprocs, 2);
    assert_int_equal(s.runq_global, 7);
    assert_int_equal(s.idle_p, 1);
    assert_int_equal(s.threads, 5);
    assert_int_equal(s.idle_threads, 1);
    assert_int_equal(s.nps, 2);
    assert_int_equal(s.ps[0].status, GO_P_RUNNING);
    assert_int_equal(s.ps[0].m_id, 3);
    assert_int_equal(s.ps[0].m_tid, 1234);
    assert_int_equal(s.ps[0].curg_goid, 42);
    assert_int_equal(s.ps[0].runq, 0);
    assert_false(s.ps[0].runnext);
    assert_int_equal(s.ps[1].runq, 5);
    assert_true(s.ps[1].runnext);
    assert_int_equal(s.ps[1].m_id, -1);
    assert_int_equal(s.ps[1].schedtick, 101);

    assert_int_equal(sched_read_census(&f->reader, &f->layout, &f->scratch, 5000000, &s,
                                       why, sizeof(why)), 0);
    assert_true(s.census_valid);
    assert_int_equal(s.g_total, 2);                 /* the dead one is not counted */
    assert_int_equal(s.g_by_class[GO_G_RUNNING], 1);
    assert_int_equal(s.g_by_class[GO_G_WAITING], 1);
    assert_int_equal(s.nreasons, 1);
    assert_string_equal(s.by_reason[0].name, "reason 2");   /* no names table loaded */

    uint32_t runq[2];
    assert_int_equal(sched_read_runqs(&f->reader, &f->off, f->scratch.pptrs, 2, runq), 0);
    assert_int_equal(runq[0], 0);
    assert_int_equal(runq[1], 5);
    free(s.ps);
}

/* Each forgery must be refused with -EAGAIN and a reason, never decoded as real. */
static void expect_dropped(struct fixture *f, const char *want)
{
    struct sched_sample s = { 0 };
    char why[160] = "";
    assert_int_equal(run(f, &s, why), -EAGAIN);
    assert_false(s.valid);
    if (!strstr(why, want))
        fail_msg("reason '%s' does not mention '%s'", why, want);
    free(s.ps);
}

static void test_forged_p_id(void **state)
{
    struct fixture *f = *state;
    putf(f, A_P(1), GO_P_ID, 7);
    expect_dropped(f, "implausible P 1");
}

static void test_forged_runq(void **state)
{
    struct fixture *f = *state;
    put(f, A_P(1) + (uint64_t)f->off.field[GO_P_RUNQTAIL], 10 + 257, 4);
    expect_dropped(f, "runq 257");
}

static void test_forged_status(void **state)
{
    struct fixture *f = *state;
    putf(f, A_P(0), GO_P_STATUS, 9);
    expect_dropped(f, "status 9");
}

static void test_forged_allp_len(void **state)
{
    struct fixture *f = *state;
    put(f, A_ALLP + 8, 1ULL << 40, 8);              /* must not allocate 8 TB */
    put(f, A_ALLP + 16, 1ULL << 40, 8);
    expect_dropped(f, "implausible allp");
    put(f, A_ALLP + 8, 3, 8);                       /* len != gomaxprocs */
    put(f, A_ALLP + 16, 3, 8);
    expect_dropped(f, "implausible allp");
}

static void test_unmapped_p(void **state)
{
    struct fixture *f = *state;
    put(f, A_ARR + 8, 0xdead0000ULL, 8);
    expect_dropped(f, "partial read");
}

static void test_forged_schedt(void **state)
{
    struct fixture *f = *state;
    putf(f, A_SCHED, GO_SCHED_NPIDLE, 77);          /* more idle Ps than Ps */
    expect_dropped(f, "implausible schedt");
}

static void test_census_garbage(void **state)
{
    struct fixture *f = *state;
    struct sched_sample s = { 0 };
    char why[160] = "";
    for (int i = 0; i < 3; i++)
        putf(f, A_G(i), GO_G_ATOMICSTATUS, 0x7777);
    assert_int_equal(sched_read_census(&f->reader, &f->layout, &f->scratch, 5000000, &s,
                                       why, sizeof(why)), -EAGAIN);
    assert_false(s.census_valid);
    put(f, A_ALLGS + 8, 1ULL << 50, 8);
    assert_int_equal(sched_read_census(&f->reader, &f->layout, &f->scratch, 5000000, &s,
                                       why, sizeof(why)), -EAGAIN);
}

/* Random corruption of the image: whatever is accepted satisfies every invariant. */
static void test_random_corruption(void **state)
{
    struct fixture *f = *state;
    srand(12345);
    uint8_t *orig = malloc(SIZE);
    memcpy(orig, f->mem, SIZE);
    uint64_t hot[] = { A_ALLP, A_GMP, A_ARR, A_SCHED, A_P(0), A_P(1), A_M, A_G(0) };
    int accepted = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(f->mem, orig, SIZE);
        for (int k = 0; k < 4; k++) {
            uint64_t at = hot[rand() % 8] + (uint64_t)(rand() % 512);
            f->mem[at - BASE] = (uint8_t)rand();
        }
        struct sched_sample s = { 0 };
        char why[160];
        if (run(f, &s, why) == 0) {
            accepted++;
            assert_true(s.gomaxprocs >= 1 && (size_t)s.gomaxprocs == s.nps);
            for (size_t i = 0; i < s.nps; i++) {
                assert_int_equal(s.ps[i].id, (int32_t)i);
                assert_true(s.ps[i].status <= GO_P_DEAD);
                assert_true(s.ps[i].runq <= SCHED_MAX_RUNQ);
            }
            assert_true(s.idle_p >= 0 && s.idle_p <= s.gomaxprocs);
        }
        sched_read_census(&f->reader, &f->layout, &f->scratch, 1000000, &s, why, sizeof(why));
        free(s.ps);
    }
    assert_true(accepted > 0);
    memcpy(f->mem, orig, SIZE);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_p_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_runq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_allp_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmapped_p, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_schedt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_census_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_corruption, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
