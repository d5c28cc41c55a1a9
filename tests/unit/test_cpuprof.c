/* test_cpuprof: the on-CPU profiler's pure parts: sample records as the kernel writes them
 * (context markers, truncation, a ring whose records wrap its end, lost records, torn
 * sizes), the window figures (self, total with recursion counted once, kinds of work,
 * hottest stacks) and the pprof encoding (field by field with a small protobuf reader). */
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
#include <cmocka.h>
#include <linux/perf_event.h>

#include "base/pprof_write.h"
#include "collectors/cpuprof_attr.h"
#include "collectors/cpuprof_int.h"
#include "collectors/cpuprof_perf.h"
#include "model/cpuprof_agg.h"

/* ---- records ---------------------------------------------------------------------- */

struct rec {
    uint8_t b[2048];
    size_t n;
};

static void put64(struct rec *r, uint64_t v) { memcpy(r->b + r->n, &v, 8); r->n += 8; }

/* A sample as the sampler asks for it: ip, pid/tid, time, cpu, chain, regs, 8-byte stack. */
static void make_sample(struct rec *r, uint16_t misc, const uint64_t *chain, size_t nchain,
                        bool regs, bool stack)
{
    r->n = 8;
    put64(r, 0x401000);
    put64(r, (uint64_t)101 << 32 | 100);
    put64(r, 123456789);
    put64(r, 1);
    put64(r, nchain);
    for (size_t i = 0; i < nchain; i++)
        put64(r, chain[i]);
    put64(r, regs ? PERF_SAMPLE_REGS_ABI_64 : PERF_SAMPLE_REGS_ABI_NONE);
    if (regs) {
        put64(r, 0xc000012340);     /* sp */
        put64(r, 0xc000002000);     /* r14 */
    }
    put64(r, stack ? 8 : 0);
    if (stack) {
        put64(r, 0x405555);
        put64(r, 8);
    }
    struct perf_event_header h = { PERF_RECORD_SAMPLE, misc, (uint16_t)r->n };
    memcpy(r->b, &h, sizeof(h));
}

static void test_parse_sample(void **state)
{
    (void)state;
    uint64_t chain[] = { (uint64_t)PERF_CONTEXT_USER, 0x401000, 0x402000, 0x403000 };
    struct rec r;
    make_sample(&r, PERF_RECORD_MISC_USER, chain, 4, true, true);
    struct cpuprof_raw raw;
    assert_int_equal(cpuprof_perf_parse(r.b, r.n, &raw), 0);
    assert_int_equal(raw.pid, 100);
    assert_int_equal(raw.tid, 101);
    assert_int_equal(raw.cpu, 1);
    assert_false(raw.in_kernel);
    assert_int_equal(raw.nips, 3);
    assert_int_equal(raw.ips[0], 0x401000);
    assert_int_equal(raw.ips[2], 0x403000);
    assert_true(raw.have_regs);
    assert_int_equal(raw.sp, 0xc000012340);
    assert_int_equal(raw.r14, 0xc000002000);
    assert_true(raw.have_ret);
    assert_int_equal(raw.ret, 0x405555);
    assert_false(raw.truncated);
}

/* Kernel frames (if any came) are not the program's: only what follows the user marker. */
static void test_parse_kernel_context(void **state)
{
    (void)state;
    uint64_t chain[] = { (uint64_t)PERF_CONTEXT_KERNEL, 0xffffffff81000000ULL,
                         (uint64_t)PERF_CONTEXT_USER, 0x401000 };
    struct rec r;
    make_sample(&r, PERF_RECORD_MISC_KERNEL, chain, 4, false, false);
    struct cpuprof_raw raw;
    assert_int_equal(cpuprof_perf_parse(r.b, r.n, &raw), 0);
    assert_true(raw.in_kernel);
    assert_int_equal(raw.nips, 1);
    assert_int_equal(raw.ips[0], 0x401000);
    assert_false(raw.have_regs);
    assert_false(raw.have_ret);
}

static void test_parse_truncated_and_bad(void **state)
{
    (void)state;
    uint64_t chain[CPUPROF_MAX_DEPTH + 11];
    chain[0] = (uint64_t)PERF_CONTEXT_USER;
    for (size_t i = 1; i < CPUPROF_MAX_DEPTH + 11; i++)
        chain[i] = 0x401000 + i;
    struct rec r;
    make_sample(&r, PERF_RECORD_MISC_USER, chain, CPUPROF_MAX_DEPTH + 11, true, true);
    struct cpuprof_raw raw;
    assert_int_equal(cpuprof_perf_parse(r.b, r.n, &raw), 0);
    assert_int_equal(raw.nips, CPUPROF_MAX_DEPTH);
    assert_true(raw.truncated);
    /* Every shorter length of the record is refused, never read past. */
    for (size_t n = 0; n < r.n; n++) {
        struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, (uint16_t)n };
        memcpy(r.b, &h, sizeof(h));
        assert_int_equal(cpuprof_perf_parse(r.b, n, &raw), -EINVAL);
    }
    /* A call chain count past the record's end. */
    make_sample(&r, PERF_RECORD_MISC_USER, chain, 2, true, true);
    uint64_t huge = 1ULL << 40;
    memcpy(r.b + 8 + 32, &huge, 8);
    assert_int_equal(cpuprof_perf_parse(r.b, r.n, &raw), -EINVAL);
}

static long seen;
static void count_sample(void *arg, const struct cpuprof_raw *r)
{
    (void)arg;
    assert_int_equal(r->ips[0], 0x401000);
    seen++;
}

/* A ring with a lost record, a sample that wraps the end, and a torn tail. */
static void test_ring_walk(void **state)
{
    (void)state;
    static uint8_t ring[4096], scratch[65536];
    uint64_t chain[] = { (uint64_t)PERF_CONTEXT_USER, 0x401000, 0x402000 };
    struct rec s;
    make_sample(&s, PERF_RECORD_MISC_USER, chain, 3, true, true);
    uint64_t start = 4096 * 3 - 48;             /* the sample wraps the end */
    uint8_t lost[24];
    struct perf_event_header lh = { PERF_RECORD_LOST, 0, 24 };
    uint64_t id = 7, n = 5;
    memcpy(lost, &lh, 8);
    memcpy(lost + 8, &id, 8);
    memcpy(lost + 16, &n, 8);
    uint64_t pos = start;
    memcpy(ring + pos % 4096, lost, 24);
    pos += 24;
    for (size_t i = 0; i < s.n; i++)
        ring[(pos + i) % 4096] = s.b[i];
    pos += s.n;
    struct cpuprof_raw raw;
    uint64_t lost_n = 0;
    seen = 0;
    assert_int_equal(cpuprof_ring_walk(ring, 4096, start, pos, scratch, count_sample, NULL,
                                       &lost_n, &raw), 1);
    assert_int_equal(seen, 1);
    assert_int_equal(lost_n, 5);
    /* head past what holds a whole record: stops at the torn one. */
    seen = 0;
    assert_int_equal(cpuprof_ring_walk(ring, 4096, start, pos - 8, scratch, count_sample,
                                       NULL, &lost_n, &raw), 0);
    /* Not a ring the kernel makes. */
    assert_int_equal(cpuprof_ring_walk(ring, 4095, start, pos, scratch, count_sample, NULL,
                                       &lost_n, &raw), 0);
    assert_int_equal(cpuprof_ring_walk(ring, 4096, 0, 8192, scratch, count_sample, NULL,
                                       &lost_n, &raw), 0);
}

/* ---- the sampler's rate ----------------------------------------------------------- */

static void test_gov_rate(void **state)
{
    (void)state;
    /* 1% budget, the rest of gmptop takes 0.45%: 0.55% left; 99 Hz costs 0.8%. */
    double hz = cpuprof_gov_hz(99, 99, 9, 0.8, 0.55, true);
    assert_true(hz < 99 * 0.55 / 0.8 && hz >= 55);
    /* At that rate (cost in proportion) it stays: under the room, not a third under. */
    double cost = 0.8 * hz / 99;
    assert_true(cpuprof_gov_hz(hz, 99, 9, cost, 0.55, true) == hz);
    /* Nothing left (the rest of gmptop is over the budget): the floor, not 0. */
    assert_true(cpuprof_gov_hz(99, 99, 9, 0.8, -0.2, true) == 9);
    assert_true(cpuprof_gov_hz(9, 99, 9, 0.1, -0.2, true) == 9);
    /* The room grows (the park probe went off): back up, doubling, to the rate asked. */
    assert_true(cpuprof_gov_hz(40, 99, 9, 0.3, 1.5, true) == 80);
    assert_true(cpuprof_gov_hz(80, 99, 9, 0.4, 1.5, true) == 99);
    /* --bpf-budget 0: no limit. */
    assert_true(cpuprof_gov_hz(99, 99, 9, 5.0, -1, false) == 99);
    assert_true(cpuprof_gov_hz(20, 99, 9, 5.0, -1, false) == 40);
    /* Unknown cost: unchanged. */
    assert_true(cpuprof_gov_hz(50, 99, 9, NAN, 1, true) == 50);
}

/* ---- window figures --------------------------------------------------------------- */

static const struct gstack *stack_of(const char *const *funcs, size_t n)
{
    struct gframe fr[8], none = { "", "", 0, false };
    for (size_t i = 0; i < n; i++)
        fr[i] = (struct gframe){ funcs[i], "/a.go", (int32_t)i + 1, false };
    return gstack_intern(fr, n, false, &none, &none);
}

static const struct cpuprof_func *find(const struct cpuprof_func *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].func, name) == 0)
            return &f[i];
    return NULL;
}

static void test_top_funcs(void **state)
{
    (void)state;
    const char *spin[] = { "main.spin", "main.main", "runtime.main", "runtime.goexit" };
    /* recursion: main.walk twice on one stack counts once in total */
    const char *walk[] = { "main.leaf", "main.walk", "main.walk", "runtime.goexit" };
    const char *gc[] = { "runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker" };
    struct cpuprof_weighted w[] = {
        { stack_of(spin, 4), 60 }, { stack_of(walk, 4), 30 }, { stack_of(gc, 3), 10 },
    };
    struct cpuprof_func out[24];
    size_t n = cpuprof_top_funcs(w, 3, out, 24);
    assert_true(n >= 8);
    assert_string_equal(out[0].func, "main.spin");
    assert_int_equal(out[0].self, 60);
    const struct cpuprof_func *f = find(out, n, "main.walk");
    assert_non_null(f);
    assert_int_equal(f->self, 0);
    assert_int_equal(f->total, 30);
    f = find(out, n, "runtime.goexit");
    assert_int_equal(f->total, 90);
    f = find(out, n, "runtime.scanobject");
    assert_int_equal(f->kind, CPUPROF_KIND_GC);
    /* Fewer places than functions: the self ones first, then the largest totals. */
    n = cpuprof_top_funcs(w, 3, out, 3);
    assert_int_equal(n, 3);
    assert_non_null(find(out, n, "main.spin"));
    assert_non_null(find(out, n, "main.leaf"));

    /* More distinct functions than the table starts with (512 slots): it grows, and
     * every count survives the moves. 1,200 stacks, each its own leaf under two shared
     * callers; leaf i has i+1 samples. */
    enum { NLEAF = 1200 };
    static char names[NLEAF][24];
    static struct cpuprof_weighted many[NLEAF];
    for (int i = 0; i < NLEAF; i++) {
        snprintf(names[i], sizeof(names[i]), "main.leaf%04d", i);
        const char *st[] = { gstack_str(names[i]), "main.loop", "runtime.goexit" };
        many[i] = (struct cpuprof_weighted){ stack_of(st, 3), i + 1 };
    }
    n = cpuprof_top_funcs(many, NLEAF, out, 24);
    assert_int_equal(n, 24);
    assert_string_equal(out[0].func, "main.leaf1199");
    assert_int_equal(out[0].self, NLEAF);
    f = find(out, n, "main.loop");
    assert_non_null(f);
    assert_int_equal(f->total, NLEAF * (NLEAF + 1) / 2);

    struct cpuprof_hot hot[2];
    assert_int_equal(cpuprof_hot_stacks(w, 3, hot, 2), 2);
    assert_int_equal(hot[0].samples, 60);
    assert_int_equal(hot[1].samples, 30);
}

static void test_kinds(void **state)
{
    (void)state;
    const char *idle[] = { "runtime.futex", "runtime.futexsleep", "runtime.notesleep",
                           "runtime.stopm", "runtime.findRunnable", "runtime.schedule" };
    const char *assist[] = { "runtime.memmove", "runtime.gcDrainN", "runtime.gcAssistAlloc",
                             "runtime.mallocgc", "main.build" };
    const char *alloc[] = { "runtime.memclrNoHeapPointers", "runtime.mallocgc", "main.build" };
    const char *sys[] = { "internal/runtime/syscall.Syscall6", "syscall.read", "os.(*File).Read",
                          "main.load" };
    const char *user[] = { "main.hash", "main.main" };
    assert_int_equal(cpuprof_stack_kind(stack_of(idle, 6), 1), CPUPROF_KIND_SCHED);
    assert_int_equal(cpuprof_stack_kind(stack_of(assist, 5), 0), CPUPROF_KIND_GC);
    assert_int_equal(cpuprof_stack_kind(stack_of(alloc, 3), 0), CPUPROF_KIND_RUNTIME);
    assert_int_equal(cpuprof_stack_kind(stack_of(sys, 4), 1), CPUPROF_KIND_SYSCALL);
    assert_int_equal(cpuprof_stack_kind(stack_of(user, 2), 0), CPUPROF_KIND_USER);
    assert_int_equal(cpuprof_stack_kind(stack_of(user, 2), 1), CPUPROF_KIND_USER);
    assert_int_equal(cpuprof_stack_kind(NULL, 1), CPUPROF_KIND_SYSCALL);
    assert_int_equal(cpuprof_func_kind("runtime.mallocgc"), CPUPROF_KIND_RUNTIME);
    assert_int_equal(cpuprof_func_kind("main.gcHelper"), CPUPROF_KIND_USER);
}

/* ---- pprof ------------------------------------------------------------------------ */

/* A protobuf message's top-level fields, counted by number (wire types 0 and 2). */
static void pb_fields(const uint8_t *p, size_t n, int *count, size_t ncount)
{
    size_t i = 0;
    while (i < n) {
        uint64_t key = 0;
        int shift = 0;
        while (i < n) {
            key |= (uint64_t)(p[i] & 0x7f) << shift;
            shift += 7;
            if (!(p[i++] & 0x80))
                break;
        }
        unsigned field = (unsigned)(key >> 3), wire = key & 7;
        uint64_t v = 0;
        shift = 0;
        while (i < n) {
            v |= (uint64_t)(p[i] & 0x7f) << shift;
            shift += 7;
            if (!(p[i++] & 0x80))
                break;
        }
        if (wire == 2)
            i += v;
        else
            assert_int_equal(wire, 0);
        assert_true(i <= n);
        if (field < ncount)
            count[field]++;
    }
}

static void test_pprof_encode(void **state)
{
    (void)state;
    struct pprof *p = pprof_new(10101010);
    assert_non_null(p);
    struct pprof_line spin[] = { { "main.spin", "/a.go", 12 } };
    struct pprof_line inl[] = { { "main.inner", "/a.go", 3 }, { "main.outer", "/a.go", 9 } };
    uint64_t a = pprof_location(p, 0x401000, spin, 1);
    uint64_t b = pprof_location(p, 0x402000, inl, 2);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(pprof_location(p, 0x401000, spin, 1), a);    /* one id per address */
    uint64_t locs[] = { a, b };
    struct pprof_label lab[] = { { "goroutine", NULL, 42 }, { "goroutine", "system stack", 0 } };
    assert_int_equal(pprof_sample(p, locs, 2, 7, -1, lab, 1), 0);
    assert_int_equal(pprof_sample(p, locs + 1, 1, 3, 30000000, lab + 1, 1), 0);
    pprof_set_mapping(p, 0x400000, 0x500000, "/bin/app", "");
    size_t len = 0;
    uint8_t *enc = pprof_encode(p, 1700000000000000000LL, 5000000000LL, &len);
    assert_non_null(enc);
    int count[16] = { 0 };
    pb_fields(enc, len, count, 16);
    assert_int_equal(count[1], 2);     /* sample_type: samples/count, cpu/nanoseconds */
    assert_int_equal(count[2], 2);     /* samples */
    assert_int_equal(count[3], 1);     /* mapping */
    assert_int_equal(count[4], 2);     /* locations */
    assert_int_equal(count[5], 3);     /* functions: spin, inner, outer */
    assert_true(count[6] >= 10);       /* strings */
    assert_int_equal(count[9], 1);
    assert_int_equal(count[10], 1);
    assert_int_equal(count[11], 1);
    assert_int_equal(count[12], 1);
    assert_non_null(memmem(enc, len, "system stack", 12));
    free(enc);
    pprof_free(p);
}

/* ---- the sample store ------------------------------------------------------------ */

static void append_at(struct cpuprof_store *s, int64_t t_ms, uint32_t stack)
{
    struct cpuprof_ent e = { .t_ns = t_ms * 1000000LL, .stack = stack, .goid = -2, .p = -1 };
    cpuprof_store_append(s, &e);
}

/* Samples older than the window leave, so the ring grows to what the window holds at
 * the rate they come, not to its cap; growing after the ring wrapped keeps them in
 * order; the newest is always at 0. */
static void test_store_window(void **state)
{
    (void)state;
    struct cpuprof_store s = { .keep_ns = 1000LL * 1000000 };     /* 1 s */
    for (int t = 0; t < 10000; t++)                  /* 10 s at 1 kHz: ~1,000 kept */
        append_at(&s, t, (uint32_t)t);
    assert_int_equal(s.ring_total, 10000);
    assert_true(s.ring_len >= 1000 && s.ring_len <= 1001);
    assert_int_equal(s.ring_cap, 1024);
    for (size_t i = 0; i < s.ring_len; i++)
        assert_int_equal(cpuprof_store_nth(&s, i)->stack, 9999 - i);
    /* The rate quadruples: the ring grows from a wrapped state, in order. */
    for (int k = 0; k < 8000; k++)
        append_at(&s, 10000 + k / 4, (uint32_t)(10000 + k));
    assert_true(s.ring_len > 3000 && s.ring_len <= 4096);
    assert_true(s.ring_cap == 4096);
    for (size_t i = 0; i < s.ring_len; i++)
        assert_int_equal(cpuprof_store_nth(&s, i)->stack, 17999 - i);
    assert_true(cpuprof_store_nth(&s, s.ring_len - 1)->t_ns >= (11999 - 1000) * 1000000LL);
    /* A pause longer than the window: only the new sample is left. */
    append_at(&s, 20000, 1);
    assert_int_equal(s.ring_len, 1);
    assert_int_equal(cpuprof_store_nth(&s, 0)->stack, 1);
    free(s.ring);
}

/* A stack of n pcs, each base + i; its index in s. */
static uint32_t add_stack(struct cpuprof_store *s, uint64_t base, size_t n)
{
    uint64_t pcs[16];
    for (size_t i = 0; i < n; i++)
        pcs[i] = base + i;
    uint64_t h = cpuprof_store_hash(pcs, n, false);
    uint32_t k = cpuprof_store_find(s, h, pcs, n, false);
    if (k != UINT32_MAX)
        return k;
    assert_int_equal(cpuprof_store_reserve(s, n), 0);
    struct cpuprof_rstack r = { .hash = h, .n = (uint32_t)n, .kind = { (uint8_t)(base % 5) } };
    return cpuprof_store_add(s, &r, pcs);
}

static bool has_stack(const struct cpuprof_store *s, uint64_t base, size_t n, uint32_t *k)
{
    uint64_t pcs[16];
    for (size_t i = 0; i < n; i++)
        pcs[i] = base + i;
    *k = cpuprof_store_find(s, cpuprof_store_hash(pcs, n, false), pcs, n, false);
    return *k != UINT32_MAX;
}

/* The stack table keeps stack 0 and what the kept samples point at, renumbers those
 * samples to the same pcs, finds kept stacks again and not the others, and gives
 * memory back when it was mostly stacks no sample points at any more. */
static void test_store_compact(void **state)
{
    (void)state;
    struct cpuprof_store s = { .keep_ns = 1000LL * 1000000, .compact_at = 64 };
    assert_true(cpuprof_store_index_grow(&s));
    add_stack(&s, 0, 0);                                  /* the "full" stand-in */
    /* 3,000 distinct stacks, one sample each, 1 ms apart: the last 1,001 are kept. */
    for (int t = 0; t < 3000; t++) {
        if (t % 50 == 0 && cpuprof_store_maybe_compact(&s))
            assert_true(s.nstacks <= 1002 + 64);
        uint32_t k = add_stack(&s, 1000 * (uint64_t)(t + 1), 1 + t % 16);
        append_at(&s, t, k);
    }
    s.compact_at = 1;
    assert_true(cpuprof_store_maybe_compact(&s));
    assert_true(s.compacted >= 2);
    assert_int_equal(s.nstacks, s.ring_len + 1);
    assert_true(s.pcs_cap < 4 * s.npcs + 4096);
    for (size_t i = 0; i < s.ring_len; i++) {
        int t = 2999 - (int)i;
        uint32_t k;
        assert_true(has_stack(&s, 1000 * (uint64_t)(t + 1), 1 + t % 16, &k));
        assert_int_equal(cpuprof_store_nth(&s, i)->stack, k);
        assert_int_equal(s.stacks[k].kind[0], (1000 * (uint64_t)(t + 1)) % 5);
    }
    uint32_t k;
    assert_false(has_stack(&s, 1000, 1, &k));             /* t = 0: gone */
    assert_true(has_stack(&s, 0, 0, &k));
    assert_int_equal(k, 0);
    /* New stacks after it are found and counted as before. */
    uint32_t n = add_stack(&s, 7, 3);
    assert_int_equal(n, s.nstacks - 1);
    assert_true(has_stack(&s, 7, 3, &k) && k == n);
    free(s.ring);
    free(s.stacks);
    free(s.pcs);
    free(s.index);
}

/* Paused (no pane shows the profile): every sample and every stack but 0 go, the
 * count of samples ever taken stays, and sampling resumes from an empty ring. */
static void test_store_clear(void **state)
{
    (void)state;
    struct cpuprof_store s = { .keep_ns = 1000LL * 1000000 };
    assert_true(cpuprof_store_index_grow(&s));
    add_stack(&s, 0, 0);
    for (int t = 0; t < 300; t++)
        append_at(&s, t, add_stack(&s, 1000 * (uint64_t)(t + 1), 1 + t % 8));
    uint64_t total = s.ring_total;
    cpuprof_store_clear(&s);
    assert_null(s.ring);
    assert_int_equal(s.ring_len, 0);
    assert_int_equal(s.ring_total, total);
    assert_int_equal(s.nstacks, 1);
    assert_null(cpuprof_store_nth(&s, 0));
    uint32_t k;
    assert_true(has_stack(&s, 0, 0, &k) && k == 0);
    assert_false(has_stack(&s, 1000, 1, &k));
    cpuprof_store_clear(&s);                              /* twice: nothing left to drop */
    assert_int_equal(s.nstacks, 1);
    uint32_t n = add_stack(&s, 5, 2);
    append_at(&s, 400, n);
    assert_int_equal(s.ring_len, 1);
    assert_int_equal(cpuprof_store_nth(&s, 0)->stack, n);
    assert_int_equal(s.ring_total, total + 1);
    free(s.ring);
    free(s.stacks);
    free(s.pcs);
    free(s.index);
}

/* ---- goroutine attribution ---------------------------------------------------------- */

#define MEM_BASE 0x10000ULL

static void put_at(uint8_t *mem, uint64_t addr, uint64_t v, size_t len)
{
    memcpy(mem + (addr - MEM_BASE), &v, len);
}

/* A g at addr: stack [lo, hi), goid, start pc, M. */
static void put_g(uint8_t *mem, uint64_t addr, uint64_t lo, uint64_t hi, uint64_t goid,
                  uint64_t m)
{
    put_at(mem, addr + 0, lo, 8);
    put_at(mem, addr + 8, hi, 8);
    put_at(mem, addr + 16, goid, 8);
    put_at(mem, addr + 24, 0x4010 + goid, 8);
    put_at(mem, addr + 32, m, 8);
}

/* The gs of a drain read in batches: a g that cannot be read (R14 held no g) leaves the
 * others read; a sample whose sp is outside its g's stack is not attributed; the P comes
 * through the M, or from the drain before when the g has let its M go. */
static void test_attr_batch(void **state)
{
    (void)state;
    static uint8_t mem[4096];
    memset(mem, 0, sizeof(mem));
    struct mem_image img = { .base = MEM_BASE, .data = mem, .len = sizeof(mem) };
    struct mem_reader rd = target_mem_image(&img);
    const uint64_t g1 = MEM_BASE, g2 = MEM_BASE + 0x100, g4 = MEM_BASE + 0x200,
                   m1 = MEM_BASE + 0x400, m2 = MEM_BASE + 0x500, p1 = MEM_BASE + 0x600,
                   nowhere = 0xdead0000;
    put_g(mem, g1, 0x1000, 0x2000, 7, m1);
    put_g(mem, g2, 0x3000, 0x4000, 0, m1);
    put_g(mem, g4, 0x5000, 0x6000, 9, m2);
    put_at(mem, m1 + 8, p1, 8);
    put_at(mem, m2 + 8, 0, 8);                     /* an M without a P */
    put_at(mem, p1 + 4, 3, 4);

    struct cpuprof_attr a = { .off = { .g_stack_lo = 0, .g_stack_hi = 8, .g_goid = 16,
                                       .g_startpc = 24, .g_m = 32, .m_p = 8, .p_id = 4 } };
    cpuprof_attr_begin(&a);
    cpuprof_attr_note(&a, 10, g2, 0x3800);
    cpuprof_attr_resolve(&a, &rd);
    const struct cpuprof_gres *r = cpuprof_attr_of(&a, 0);
    assert_non_null(r);
    assert_int_equal(r->goid, -1);                 /* goid 0: a system stack */
    assert_int_equal(r->p, 3);

    put_at(mem, g2 + 32, 0, 8);                    /* g2 has let its M go since */
    cpuprof_attr_begin(&a);
    cpuprof_attr_note(&a, 11, g1, 0x1800);
    cpuprof_attr_note(&a, 12, nowhere, 0x1800);
    cpuprof_attr_note(&a, 13, g2, 0x3800);
    cpuprof_attr_note(&a, 14, g1, 0x5000);         /* R14 was not this sample's g */
    cpuprof_attr_note(&a, 15, g4, 0x5800);
    cpuprof_attr_resolve(&a, &rd);
    assert_int_equal(a.ngs, 4);
    r = cpuprof_attr_of(&a, 0);
    assert_non_null(r);
    assert_int_equal(r->goid, 7);
    assert_int_equal(r->startpc, 0x4010 + 7);
    assert_int_equal(r->p, 3);
    assert_null(cpuprof_attr_of(&a, 1));
    r = cpuprof_attr_of(&a, 2);
    assert_non_null(r);
    assert_int_equal(r->p, 3);                     /* from the drain before */
    assert_null(cpuprof_attr_of(&a, 3));
    r = cpuprof_attr_of(&a, 4);
    assert_non_null(r);
    assert_int_equal(r->goid, 9);
    assert_int_equal(r->p, -1);
    assert_null(cpuprof_attr_of(&a, 5));
    assert_int_equal(a.notes[4].seq, 15);

    /* More distinct gs than a drain resolves: the rest stay unattributed. */
    cpuprof_attr_begin(&a);
    for (uint64_t i = 0; i < CPUPROF_ATTR_GS + 3; i++)
        cpuprof_attr_note(&a, i, i < CPUPROF_ATTR_GS ? nowhere + 0x100 * i : g1, 0x1800);
    cpuprof_attr_resolve(&a, &rd);
    assert_int_equal(a.ngs, CPUPROF_ATTR_GS);
    assert_null(cpuprof_attr_of(&a, CPUPROF_ATTR_GS));
    cpuprof_attr_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_sample),
        cmocka_unit_test(test_parse_kernel_context),
        cmocka_unit_test(test_parse_truncated_and_bad),
        cmocka_unit_test(test_ring_walk),
        cmocka_unit_test(test_gov_rate),
        cmocka_unit_test(test_top_funcs),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_pprof_encode),
        cmocka_unit_test(test_store_window),
        cmocka_unit_test(test_store_compact),
        cmocka_unit_test(test_store_clear),
        cmocka_unit_test(test_attr_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
