/* test_numa_collect: the numa collector on fixture procfs/sysfs trees with two nodes
 * (tests/fixtures/numa): pages per node and kind, policy, threads, Ps, local share. */
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

#include "collectors/numa.h"
#include "export/json_sections.h"

static void roots(struct numa_roots *r, const char *proc, const char *sys)
{
    const char *top = getenv("top_srcdir");
    if (!top || !*top)
        top = ".";
    snprintf(r->procfs, sizeof(r->procfs), "%s/tests/fixtures/numa/%s", top, proc);
    snprintf(r->sysfs, sizeof(r->sysfs), "%s/tests/fixtures/numa/%s", top, sys);
}

static void add_thread(struct snapshot *s, pid_t tid, int cpu)
{
    struct thread_sample *t = snapshot_add_thread(s);
    assert_non_null(t);
    t->tid = tid;
    t->cpu = cpu;
    t->have = THREAD_HAVE_CPU;
}

static struct snapshot *fixture_snapshot(void)
{
    struct snapshot *s = snapshot_new();
    assert_non_null(s);
    add_thread(s, 4242, 0);
    add_thread(s, 4243, 0);
    add_thread(s, 4244, 0);
    add_thread(s, 4245, 1);
    struct thread_sample *t = snapshot_add_thread(s);   /* CPU unknown: not counted */
    t->tid = 4246;
    return s;
}

/* Worked out by hand from tests/fixtures/numa/proc/4242/numa_maps and maps: the
 * anonymous mapping right above a one-page guard is a thread stack, hugetlb pages are
 * 512 base pages each. */
static const int64_t want[2][NUMA_KIND_COUNT] = {
    /* heap  stack anon  file  huge */
    { 1000, 3,    0,    76,   512 },
    { 2000, 8,    50,   40,   512 },
};

static void test_two_nodes(void **state)
{
    (void)state;
    struct numa_roots r;
    roots(&r, "proc", "sys");
    struct snapshot *s = fixture_snapshot();
    char reason[256] = "";
    assert_int_equal(numa_collect_once(&r, 4242, s, reason, sizeof(reason)), 0);
    const struct numa_sample *ns = &s->numa;
    assert_true(ns->valid);
    assert_int_equal(ns->nnodes, 2);
    for (int n = 0; n < 2; n++) {
        const struct numa_node_sample *row = &ns->nodes[n];
        assert_int_equal(row->node, n);
        int64_t total = 0;
        for (int k = 0; k < NUMA_KIND_COUNT; k++) {
            assert_int_equal(row->pages[k], want[n][k]);
            total += want[n][k];
        }
        assert_int_equal(row->pages_total, total);
        assert_string_equal(row->cpus, n == 0 ? "0" : "1");
        assert_int_equal(row->threads, n == 0 ? 3 : 1);
        assert_int_equal(row->ps, 0);
        assert_true(isnan(row->heap_sampled_pct));
    }
    assert_int_equal(ns->nodes[0].mem_total_kb, 8388608);
    assert_int_equal(ns->nodes[0].mem_free_kb, 4194304);
    assert_int_equal(ns->nodes[1].mem_total_kb, 4194304);
    assert_int_equal(ns->nodes[1].mem_free_kb, 1048576);
    assert_int_equal(ns->distance[0], 10);
    assert_int_equal(ns->distance[1], 21);
    assert_int_equal(ns->distance[2], 21);
    assert_int_equal(ns->distance[3], 10);
    assert_string_equal(ns->policy, "interleave:0-1");
    assert_string_equal(ns->policy_mode, "interleave");
    assert_int_equal(ns->policy_count, 2);
    assert_string_equal(ns->mems_allowed, "0-1");
    assert_string_equal(ns->cpus_allowed, "0-1");
    assert_string_equal(ns->cpuset, "/app.slice");
    assert_int_equal(ns->scan_vmas, 9);
    assert_string_equal(ns->local_basis, "threads");
    /* 3 of 4 threads on node 0 (1591 of 4201 pages), 1 on node 1 (2610). */
    double local = 100.0 * (0.75 * 1591 + 0.25 * 2610) / 4201;
    assert_true(fabs(ns->local_pct - local) < 1e-6);
    assert_int_equal(ns->sampled_pages, -1);
    assert_false(isnan(ns->scan_age_s));

    /* JSON carries the contract keys. */
    json_object *j = json_numa(NULL, s);
    assert_non_null(j);
    const char *txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(txt, "\"policy\":\"interleave\""));
    assert_non_null(strstr(txt, "\"pages\":{\"total\":1591,\"heap\":1000,\"stack\":3,"
                                "\"anon\":0,\"file\":76,\"huge\":512}"));
    assert_non_null(strstr(txt, "\"sampled_pages\":null"));
    assert_non_null(strstr(txt, "\"distance\":[21,10]"));
    json_object_put(j);
    snapshot_free(s);
}

static void test_ps_weight(void **state)
{
    (void)state;
    struct numa_roots r;
    roots(&r, "proc", "sys");
    struct snapshot *s = fixture_snapshot();
    /* Two Ps whose threads last ran on CPU 1: the Go code runs on node 1. */
    s->sched.valid = true;
    s->sched.nps = 3;
    s->sched.ps = calloc(3, sizeof(*s->sched.ps));
    s->sched.ps[0].m_tid = 4245;
    s->sched.ps[1].m_tid = 4245;
    s->sched.ps[2].m_tid = 0;        /* idle P, no M */
    char reason[256] = "";
    assert_int_equal(numa_collect_once(&r, 4242, s, reason, sizeof(reason)), 0);
    assert_string_equal(s->numa.local_basis, "ps");
    assert_int_equal(s->numa.nodes[1].ps, 2);
    assert_int_equal(s->numa.nodes[0].ps, 0);
    assert_true(fabs(s->numa.local_pct - 100.0 * 2610 / 4201) < 1e-6);
    snapshot_free(s);
}

static void test_missing_process(void **state)
{
    (void)state;
    struct numa_roots r;
    roots(&r, "proc", "sys");
    struct snapshot *s = snapshot_new();
    char reason[256] = "";
    /* No such pid in the fixture: the topology is still there, the reason names the
     * file and the errno, and no page count is made up. */
    assert_int_equal(numa_collect_once(&r, 999999, s, reason, sizeof(reason)), -ENOENT);
    assert_non_null(strstr(reason, "numa_maps"));
    assert_non_null(strstr(reason, strerror(ENOENT)));
    assert_int_equal(s->numa.nnodes, 2);
    assert_int_equal(s->numa.nodes[0].pages_total, -1);
    assert_true(isnan(s->numa.local_pct));
    assert_true(isnan(s->numa.scan_age_s));
    snapshot_free(s);

    /* A procfs root as long as the field allows: the message loses the path's head,
     * never the file name or the errno. */
    memset(r.procfs, 0, sizeof(r.procfs));
    for (size_t i = 0; i + 2 < sizeof(r.procfs); i += 2)
        memcpy(r.procfs + i, "/.", 2);
    s = snapshot_new();
    reason[0] = '\0';
    assert_int_equal(numa_collect_once(&r, 999999, s, reason, sizeof(reason)), -ENOENT);
    assert_non_null(strstr(reason, "/999999/numa_maps: "));
    assert_non_null(strstr(reason, strerror(ENOENT)));
    snapshot_free(s);
}

static void test_no_sysfs_nodes(void **state)
{
    (void)state;
    struct numa_roots r;
    /* A kernel without NUMA: no node directories. Memory found on nodes 0 and 1 in
     * numa_maps still gets rows, with unknown meminfo and CPUs. */
    roots(&r, "proc", "no-such-sys");
    struct snapshot *s = fixture_snapshot();
    char reason[256] = "";
    assert_int_equal(numa_collect_once(&r, 4242, s, reason, sizeof(reason)), 0);
    assert_int_equal(s->numa.nnodes, 2);
    assert_int_equal(s->numa.nodes[1].mem_total_kb, -1);
    assert_string_equal(s->numa.nodes[1].cpus, "");
    assert_int_equal(s->numa.distance[1], -1);
    assert_int_equal(s->numa.nodes[1].pages[NUMA_KIND_HEAP], 2000);
    snapshot_free(s);
}

/* Go 1.26+: the heap at a randomised base (pid 4343 in the fixture). Go 1.25+'s own
 * "[anon: Go: heap]" names are heap without help; an unnamed arena is found from an
 * address known to be in the heap (a P struct), cut to its whole 64 MiB; Go's other
 * named mappings and unrelated anonymous memory stay anon. */
static void test_randomised_heap(void **state)
{
    (void)state;
    struct numa_roots r;
    roots(&r, "proc", "sys");
    struct numa_scan_result *out = calloc(1, sizeof(*out));
    assert_non_null(out);
    assert_int_equal(numa_scan_once(&r, 4343, 4, NULL, out), 0);
    assert_int_equal(out->pages[0][NUMA_KIND_HEAP], 600);   /* the Go-named heap only */
    assert_int_equal(out->pages[1][NUMA_KIND_HEAP], 400);
    assert_int_equal(out->pages[1][NUMA_KIND_ANON], 300);   /* unnamed arena: unknown yet */
    assert_int_equal(out->pages[0][NUMA_KIND_ANON], 70);
    assert_int_equal(out->pages[0][NUMA_KIND_FILE], 100);

    struct numa_heap_anchors a = { .addr = { 0x2a0003c01000ULL }, .n = 1 };
    assert_int_equal(numa_scan_once(&r, 4343, 4, &a, out), 0);
    assert_int_equal(out->pages[0][NUMA_KIND_HEAP], 600);
    assert_int_equal(out->pages[1][NUMA_KIND_HEAP], 700);
    assert_int_equal(out->pages[1][NUMA_KIND_ANON], 0);
    assert_int_equal(out->pages[0][NUMA_KIND_ANON], 70);    /* metadata, other anon */

    /* An anchor outside any anonymous run (the text) changes nothing. */
    struct numa_heap_anchors b = { .addr = { 0x401000ULL }, .n = 1 };
    assert_int_equal(numa_scan_once(&r, 4343, 4, &b, out), 0);
    assert_int_equal(out->pages[1][NUMA_KIND_ANON], 300);
    free(out);
}

static void test_go_arena(void **state)
{
    (void)state;
    assert_true(numa_is_go_arena(0xc000000000ULL));
    assert_true(numa_is_go_arena(0xc004000000ULL));
    assert_true(numa_is_go_arena(0x1c000000000ULL));
    assert_false(numa_is_go_arena(0x400000ULL));
    assert_false(numa_is_go_arena(0x7f0000000000ULL));
    assert_false(numa_is_go_arena(0x800000000000ULL));
    assert_false(numa_is_go_arena(0x7fff65d06000ULL));   /* a main-thread stack */
    assert_false(numa_is_go_arena(0x7fc000000000ULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_nodes),
        cmocka_unit_test(test_ps_weight),
        cmocka_unit_test(test_missing_process),
        cmocka_unit_test(test_no_sysfs_nodes),
        cmocka_unit_test(test_go_arena),
        cmocka_unit_test(test_randomised_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
