/* test_goroutines_read: the goroutine-group reader over forged memory, with a real
 * fixture's pcln table. Well-formed goroutines group by stack; hostile ones (return
 * addresses looping back, pcs outside the text, sp outside the stack, huge stacks,
 * garbage statuses, unmapped gs) are counted as unreadable or skipped, never shown;
 * thousands of random stacks (with inline trees of random bytes) and a corrupted pcln
 * table finish within a bounded time
 * and never read outside the image (ASan in CI). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "collectors/goroutines_read.h"
#include "collectors/gr_symbols.h"
#include "target/go_offsets.h"
#include "target/go_pclntab.h"
#include "tests/unit/go_fixtures.h"

#define BASE 0x10000000ull
#define IMAGE (4u << 20)
#define GS_AT 0x10000u          /* g structs, 1 KB apart */
#define STACKS_AT 0x100000u     /* stacks, 8 KB each */
#define STACK 0x2000u
#define MAXG 256

struct world {
    struct go_offsets off;
    struct sched_layout l;
    uint8_t *tab;
    size_t tablen;
    uint64_t text;
    uint8_t *mem;
    struct mem_image img;
    struct mem_reader rd;
    uint64_t recv, goexit, bgsweep;  /* link-time function entries */
    int32_t recv_delta;             /* frame size at recv + 0x10 */
    const char *version;
    uint64_t gofunc;                /* where inline trees are read: random bytes here */
};

static struct world W;

static void put(uint64_t addr, uint64_t v, int w)
{
    assert_true(addr >= BASE && addr + (uint64_t)w <= BASE + IMAGE);
    for (int i = 0; i < w; i++)
        W.mem[addr - BASE + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

static uint64_t g_at(int i) { return BASE + GS_AT + (uint64_t)i * 1024; }
static uint64_t stack_lo(int i) { return BASE + STACKS_AT + (uint64_t)i * STACK; }

static void gset(int i, enum go_field f, uint64_t v, int w)
{
    put(g_at(i) + (uint64_t)W.off.field[f], v, w);
}

/* A parked goroutine i: status, wait reason, stack bounds, saved pc/sp, creator. */
static void forge(int i, uint32_t status, uint64_t pc, uint64_t sp_off, uint64_t startpc)
{
    gset(i, GO_G_ATOMICSTATUS, status, 4);
    gset(i, GO_G_WAITREASON, 2, 1);
    gset(i, GO_G_GOID, 100 + (uint64_t)i, 8);
    gset(i, GO_G_STACK_LO, stack_lo(i), 8);
    gset(i, GO_G_STACK_HI, stack_lo(i) + STACK, 8);
    gset(i, GO_G_SCHED_PC, pc, 8);
    gset(i, GO_G_SCHED_SP, stack_lo(i) + sp_off, 8);
    gset(i, GO_G_GOPC, W.recv + 4, 8);
    gset(i, GO_G_STARTPC, startpc, 8);
}

static void set_allgs(int n)
{
    put(BASE, BASE + 0x100, 8);
    put(BASE + 8, (uint64_t)n, 8);
    put(BASE + 16, (uint64_t)n, 8);
    for (int i = 0; i < n; i++)
        put(BASE + 0x100 + 8 * (uint64_t)i, g_at(i), 8);
}

/* A well-formed goroutine: in recv, whose caller is runtime.goexit. */
static void forge_good(int i)
{
    uint64_t sp_off = STACK - 0x200;
    forge(i, 4, W.recv + 0x10, sp_off, W.recv);
    put(stack_lo(i) + sp_off + (uint64_t)W.recv_delta, W.goexit + 1, 8);
}

static int read_all(const uint8_t *tab, size_t len, int64_t budget,
                    struct goroutines_sample *out)
{
    char why[160] = "";
    struct gr_symbols *sym = gr_symbols_new(tab, len, W.text, W.gofunc, 0, W.version, &W.rd);
    assert_non_null(sym);
    struct gr_reader *r = gr_reader_new(sym, &W.rd, &W.l, why, sizeof(why));
    assert_non_null(r);
    memset(out, 0, sizeof(*out));
    int rc = gr_reader_read(r, budget, NULL, out, why, sizeof(why));
    gr_reader_close(r);
    return rc;
}

static int64_t grouped(const struct goroutines_sample *s)
{
    int64_t n = s->other_count;
    for (size_t i = 0; i < s->ngroups; i++)
        n += s->groups[i].count;
    return n;
}

static void test_good_and_hostile(void **state)
{
    (void)state;
    memset(W.mem, 0, IMAGE);
    int n = 0;
    for (; n < 40; n++)
        forge_good(n);
    forge(n++, 4, 0xdeadbeef, STACK - 0x200, W.recv);           /* pc outside the text */
    forge(n++, 4, W.recv + 0x10, STACK + 0x100, W.recv);        /* sp above the stack */
    forge(n, 4, W.recv + 0x10, STACK - 0x200, W.recv);          /* return address loops */
    for (uint64_t a = stack_lo(n); a < stack_lo(n) + STACK; a += 8)
        put(a, W.recv + 0x10, 8);
    n++;
    forge(n++, 0x77, W.recv + 0x10, STACK - 0x200, W.recv);     /* not a status: skipped */
    forge(n++, 4, W.recv + 0x10, STACK - 0x200, W.bgsweep);     /* the runtime's own */
    forge(n, 4, W.recv + 0x10, STACK - 0x200, W.recv);          /* a 4 GB stack */
    gset(n, GO_G_STACK_HI, stack_lo(n) + (4ull << 30), 8);
    n++;
    forge(n++, 2, W.recv + 0x10, STACK - 0x200, W.recv);        /* running: no frames */
    set_allgs(n + 1);
    put(BASE + 0x100 + 8 * (uint64_t)n, 0x7000000000ull, 8);    /* unmapped g */

    struct goroutines_sample s;
    assert_int_equal(read_all(W.tab, W.tablen, 1000000000, &s), 0);
    assert_true(s.valid);
    assert_false(s.sampled);
    assert_int_equal(s.stacks_unreadable, 4);                   /* pc, sp, loop, 4 GB */
    assert_int_equal(s.read, 40 + 4 + 1);
    assert_int_equal(grouped(&s), 41);
    assert_int_equal(s.ngroups, 2);
    const struct goroutine_group *g = &s.groups[0];
    assert_int_equal(g->count, 40);
    assert_int_equal(g->stack->nframes, 2);
    assert_string_equal(g->stack->frames[0].func, "main.blockedRecv");
    assert_string_equal(g->stack->frames[1].func, "runtime.goexit");
    assert_true(isnan(g->max_wait_s));
    assert_int_equal(s.groups[1].count, 1);                      /* the running one */
    assert_int_equal(s.groups[1].stack->nframes, 0);
    assert_string_equal(s.groups[1].stack->start.func, "main.blockedRecv");
    goroutines_sample_free(&s);

    /* allgs that cannot be right: refused, nothing shown. */
    put(BASE + 8, 1ull << 40, 8);
    assert_int_equal(read_all(W.tab, W.tablen, 1000000000, &s), -EAGAIN);
    assert_false(s.valid);
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random stacks of plausible pcs (function entries plus small offsets, return
 * addresses scattered over the stack) and random sp: every walk ends within its
 * frame limit, and the counts add up. */
static void test_random_stacks(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint64_t pcs[] = { W.recv, W.goexit, W.bgsweep, W.text, W.text + 0x40 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t walked = 0;
    for (int round = 0; round < 40; round++) {
        memset(W.mem, 0, IMAGE);
        for (int i = 0; i < MAXG; i++) {
            uint64_t pc = pcs[rnd(&x) % 5] + rnd(&x) % 0x80;
            forge(i, rnd(&x) % 3 ? 4 : (uint32_t)(rnd(&x) % 12), pc, rnd(&x) % (STACK + 64),
                  W.recv);
            for (uint64_t a = stack_lo(i); a < stack_lo(i) + STACK; a += 8)
                put(a, rnd(&x) % 4 ? pcs[rnd(&x) % 5] + rnd(&x) % 0x80 : rnd(&x), 8);
        }
        set_allgs(MAXG);
        /* Inline trees of random bytes: hostile names and call offsets. */
        W.gofunc = BASE + 0x300000 - W.text;
        for (uint64_t a = BASE + 0x300000; a < BASE + IMAGE; a += 8)
            put(a, rnd(&x), 8);
        struct goroutines_sample s;
        assert_int_equal(read_all(W.tab, W.tablen, 1000000000, &s), 0);
        W.gofunc = 0;
        assert_true(grouped(&s) + s.stacks_unreadable + s.stacks_dropped == s.read);
        for (size_t i = 0; i < s.ngroups; i++)
            assert_true(s.groups[i].stack->nframes <= GSTACK_MAX_FRAMES);
        walked += s.read;
        goroutines_sample_free(&s);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("%lld random goroutines in %.2f s\n", (long long)walked, secs);
    assert_true(secs < 30);
}

/* A pcln table with random bytes changed: lookups fail or give other functions, never
 * read outside the table (the copy is exact-size for ASan) nor loop. */
static void test_corrupt_pcln(void **state)
{
    (void)state;
    uint64_t x = 12345;
    memset(W.mem, 0, IMAGE);
    for (int i = 0; i < 64; i++)
        forge_good(i);
    set_allgs(64);
    for (int round = 0; round < 200; round++) {
        uint8_t *bad = malloc(W.tablen);
        assert_non_null(bad);
        memcpy(bad, W.tab, W.tablen);
        for (int k = 0; k < 64; k++)
            bad[rnd(&x) % W.tablen] = (uint8_t)rnd(&x);
        struct goroutines_sample s;
        assert_int_equal(read_all(bad, W.tablen, 1000000000, &s), 0);
        /* A corrupted name can make a goroutine look like the runtime's own (skipped):
         * what is read is grouped or counted, never lost. */
        assert_true(s.read <= 64);
        assert_true(grouped(&s) + s.stacks_unreadable + s.stacks_dropped == s.read);
        goroutines_sample_free(&s);
        free(bad);
    }
}

/* The lookup caches grow from a few pages as pcs replace one another: across the
 * growth (thousands of distinct pcs, looked up three times over) each answer is the one
 * a fresh, empty cache gives. */
static void test_cache_growth(void **state)
{
    (void)state;
    enum { NPC = 6000 };
    struct gr_symbols *s = gr_symbols_new(W.tab, W.tablen, W.text, 0, 0, W.version, &W.rd);
    assert_non_null(s);
    for (int pass = 0; pass < 3; pass++) {
        for (int k = 0; k < NPC; k++) {
            uint64_t pc = W.text + 0x20 + (uint64_t)k * 7;
            struct gr_symbols *fresh = gr_symbols_new(W.tab, W.tablen, W.text, 0, 0,
                                                      W.version, &W.rd);
            assert_non_null(fresh);
            int32_t d1, d2;
            bool r1, r2;
            assert_int_equal(gr_symbols_frame(s, pc, &d1, &r1),
                             gr_symbols_frame(fresh, pc, &d2, &r2));
            assert_int_equal(d1, d2);
            assert_int_equal(r1, r2);
            struct gframe f1[GSTACK_MAX_FRAMES], f2[GSTACK_MAX_FRAMES];
            int n1 = gr_symbols_expand(s, pc, k & 1, f1, GSTACK_MAX_FRAMES);
            int n2 = gr_symbols_expand(fresh, pc, k & 1, f2, GSTACK_MAX_FRAMES);
            assert_int_equal(n1, n2);
            for (int i = 0; i < n1; i++) {
                assert_ptr_equal(f1[i].func, f2[i].func);   /* interned */
                assert_int_equal(f1[i].line, f2[i].line);
            }
            assert_ptr_equal(gr_symbols_func(s, pc), gr_symbols_func(fresh, pc));
            gr_symbols_close(fresh);
        }
    }
    gr_symbols_close(s);
}

static uint64_t entry_of(const char *name, const char *nm)
{
    uint64_t a = go_fixtures_nm_addr(nm, name);
    assert_true(a != 0);
    return a;
}

int main(void)
{
    const char *dir = getenv("GOBIN_DIR");
    if (!dir) {
        printf("test_goroutines_read: SKIP: GOBIN_DIR unset (run through its .sh)\n");
        return 77;
    }
    char versions[16][64], path[4096], nm[4096];
    int nv = go_fixtures_versions(dir, versions, 16);
    if (nv <= 0)
        return 1;
    const char *v = versions[nv - 1];
    W.version = v;
    snprintf(path, sizeof(path), "%s/%s-plain", dir, v);
    snprintf(nm, sizeof(nm), "%s/%s-plain.nm", dir, v);
    if (go_offsets_from_table(v, &W.off) != 0)
        return 1;
    W.tab = go_fixtures_pclntab(path, &W.tablen);
    W.text = go_fixtures_nm_addr(nm, "runtime.text");
    W.recv = entry_of("main.blockedRecv", nm);
    W.goexit = entry_of("runtime.goexit.abi0", nm);   /* assembly: an ABI0 symbol */
    W.bgsweep = entry_of("runtime.bgsweep", nm);
    struct go_pcln_pos at;
    if (go_pclntab_pc_lookup(W.tab, W.tablen, W.text, W.recv + 0x10, &at) != 0)
        return 1;
    W.recv_delta = at.sp_delta;
    W.mem = calloc(1, IMAGE);
    W.img = (struct mem_image){ BASE, W.mem, IMAGE };
    W.rd = target_mem_image(&W.img);
    W.l.off = &W.off;
    W.l.allgs = BASE;
    printf("test_goroutines_read: %s, frame of main.blockedRecv+0x10: %d bytes\n", v,
           (int)W.recv_delta);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_and_hostile),
        cmocka_unit_test(test_random_stacks),
        cmocka_unit_test(test_corrupt_pcln),
        cmocka_unit_test(test_cache_growth),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(W.mem);
    free(W.tab);
    return rc;
}
