/* test_perf_backend: the cores collector on the fixture backend (fixtures of raw readings
 * under tests/fixtures/perf): rates, scaling, colours and why-texts for a normal run,
 * multiplexing, running = 0, ENOENT for one event, EACCES, EMFILE, a CPU going offline,
 * implausible values, AMD's per-L3 uncore and a VM without a PMU; plus the encoders. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "collectors/cores.h"
#include "collectors/pmu.h"
#include "collectors/pmu_encode.h"
#include "model/cores_metrics.h"
#include "export/json_sections.h"

#ifndef PERF_FIXTURES
#define PERF_FIXTURES "tests/fixtures/perf"
#endif

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-9 + 1e-6 * fabs(b))

struct run {
    struct perf_backend *b;
    void *st;
    struct collector_config cfg;   /* the session's, as the collector sees it */
    struct snapshot *prev, *cur;
    struct cores_metrics m[16];
    int rc;
    char reason[SNAPSHOT_REASON_LEN];
};

static const char *fixture(const char *name)
{
    static char path[512];
    const char *top = getenv("top_srcdir");
    if (top && *top) {
        snprintf(path, sizeof(path), "%s/tests/fixtures/perf/%s", top, name);
        return path;
    }
    /* Run by hand: next to this source file (automake compiles it by its srcdir path). */
    const char *src = __FILE__, *slash = strrchr(src, '/');
    if (slash)
        snprintf(path, sizeof(path), "%.*s/../fixtures/perf/%s", (int)(slash - src), src, name);
    else
        snprintf(path, sizeof(path), "%s/%s", PERF_FIXTURES, name);
    return path;
}

static void run_open(struct run *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    char reason[256] = "";
    r->b = perf_fixture_open(fixture(name), reason, sizeof(reason));
    if (!r->b)
        fail_msg("replay %s: %s", name, reason);
    r->st = cores_open_backend(r->b, NULL, &r->cfg, reason, sizeof(reason));
    if (!r->st)
        fail_msg("open %s: %s", name, reason);
}

/* One collector sample into a new snapshot, threads given as tids (0-terminated). */
static void run_tick(struct run *r, const pid_t *tids)
{
    snapshot_free(r->prev);
    r->prev = r->cur;
    r->cur = snapshot_new();
    assert_non_null(r->cur);
    for (size_t i = 0; tids && tids[i]; i++)
        snapshot_add_thread(r->cur)->tid = tids[i];
    r->reason[0] = '\0';
    r->rc = cores_collector.sample(r->st, NULL, r->cur, r->reason, sizeof(r->reason));
    r->cur->meta.mono_ns = perf_fixture_time_ns(r->b);
    assert_true(r->cur->cores.valid);
    assert_true(r->cur->cores.ncpus <= 16);
    cores_metrics_cpus(r->prev, r->cur, r->m);
}

static void run_close(struct run *r)
{
    cores_collector.close(r->st);
    perf_fixture_free(r->b);
    snapshot_free(r->prev);
    snapshot_free(r->cur);
}

static const struct cores_thresholds defaults = CORES_THRESHOLDS_DEFAULT;

static void test_normal(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "normal.txt");
    run_tick(&r, NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cur->cores.ncpus, 4);
    assert_string_equal(r.cur->cores.headline, "");
    assert_int_equal(r.cur->cores.fds, 4 * 7);
    assert_true(isnan(r.m[0].ipc));           /* rates need two samples */
    assert_non_null(strstr(r.m[0].why, "first sample"));
    assert_true(r.m[0].available);
    run_tick(&r, NULL);
    const struct cores_metrics *m = r.m;
    NEAR(m[0].ipc, 2.0);
    NEAR(m[0].l3_miss_ratio, 0.5);
    NEAR(m[0].l3_mpki, 0.5);
    NEAR(m[0].dtlb_mpki, 0.25);
    NEAR(m[0].dtlb_per_cycle, 0.0005);
    NEAR(m[0].ctx_switches_per_s, 1000.0);
    NEAR(m[0].migrations_per_s, 10.0);
    assert_false(m[0].multiplexed);
    assert_string_equal(m[0].why, "");
    assert_int_equal(cores_level_l3(m[0].l3_miss_ratio, &defaults), CORES_LEVEL_CRIT);
    assert_int_equal(cores_level_dtlb(m[0].dtlb_per_cycle, &defaults), CORES_LEVEL_OK);
    NEAR(m[1].l3_miss_ratio, 0.15);
    assert_int_equal(cores_level_l3(m[1].l3_miss_ratio, &defaults), CORES_LEVEL_WARN);
    NEAR(m[1].dtlb_per_cycle, 0.002);
    assert_int_equal(cores_level_dtlb(m[1].dtlb_per_cycle, &defaults), CORES_LEVEL_CRIT);
    NEAR(m[2].l3_miss_ratio, 0.05);
    assert_int_equal(cores_level_l3(m[2].l3_miss_ratio, &defaults), CORES_LEVEL_OK);
    /* An idle CPU: no cycles, no accesses: ratios unknown, switches a true 0. */
    assert_true(isnan(m[3].ipc));
    assert_true(isnan(m[3].l3_miss_ratio));
    assert_int_equal(cores_level_l3(m[3].l3_miss_ratio, &defaults), CORES_LEVEL_NONE);
    NEAR(m[3].ctx_switches_per_s, 0.0);
    assert_int_equal(r.cur->cores.cpus[2].l3_domain, 0);
    assert_int_equal(r.cur->cores.cpus[2].node, 0);
    run_close(&r);
}

static void test_multiplexed(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "multiplexed.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    NEAR(r.m[0].ipc, 2.0);
    NEAR(r.m[0].dtlb_mpki, 0.25);
    NEAR(r.m[0].l3_mpki, 0.1);      /* 1e5 raw x 2 over 2e9 scaled instructions */
    NEAR(r.m[0].l3_miss_ratio, 0.1);
    assert_true(r.m[0].multiplexed);
    NEAR(r.m[0].running_pct, 50.0);
    NEAR(r.m[0].ctx_switches_per_s, 200.0);   /* software: never scaled */
    /* JSON says so too. */
    json_object *a = json_cores(r.prev, r.cur);
    json_object *o = json_object_array_get_idx(a, 0);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "multiplexed", &v));
    assert_true(json_object_get_boolean(v));
    json_object_put(a);
    run_close(&r);
}

static void test_running_zero(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "running0.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_true(isnan(r.m[0].ipc));
    assert_true(isnan(r.m[0].l3_miss_ratio));
    assert_true(isnan(r.m[0].dtlb_per_cycle));
    assert_non_null(strstr(r.m[0].why, "running = 0"));
    NEAR(r.m[0].ctx_switches_per_s, 10.0);
    NEAR(r.m[1].ipc, 1.0);
    run_close(&r);
}

static void test_enoent_one(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "enoent_one.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.cur->cores.headline, "dtlb_miss"));
    assert_non_null(strstr(r.cur->cores.headline, "ENOENT"));
    assert_null(strstr(r.cur->cores.headline, "permission"));
    for (int c = 0; c < 2; c++) {
        assert_true(isnan(r.m[c].dtlb_mpki));
        assert_true(isnan(r.m[c].dtlb_per_cycle));
        NEAR(r.m[c].ipc, 1.0);
        NEAR(r.m[c].l3_miss_ratio, 0.1);
        assert_false(r.m[c].available);
        assert_non_null(strstr(r.m[c].why, "ENOENT"));
    }
    run_close(&r);
}

static void test_sw_enoent(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "sw_enoent.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_int_equal(r.rc, 0);
    const char *h = r.cur->cores.headline;
    assert_non_null(strstr(h, "context_switches: perf_event_open returned ENOENT: this "
                              "kernel does not offer the software event"));
    for (int c = 0; c < 2; c++) {
        assert_true(isnan(r.m[c].ctx_switches_per_s));
        NEAR(r.m[c].migrations_per_s, 1.0);
        NEAR(r.m[c].ipc, 1.0);
    }
    run_close(&r);
}

/* Hybrid Intel: L3 counts on the cpu_atom CPUs too, and per-thread counts say they see
 * only the cpu_core time. */
static void test_hybrid(void **state)
{
    (void)state;
    struct pmu_info p;
    pmu_detect(fixture("root-hybrid"), &p);
    assert_true(p.hybrid);
    assert_string_equal(p.core_pmu, "cpu_core");
    assert_int_equal(p.ev[CORES_EV_L3_MISS].type, PERF_TYPE_HARDWARE);
    assert_int_equal(p.ev[CORES_EV_L3_ACCESS].type, PERF_TYPE_HARDWARE);
    pmu_detect(fixture("root-intel"), &p);
    assert_false(p.hybrid);

    struct run r;
    run_open(&r, "hybrid.txt");
    /* The backend refuses a cpu_core-typed event on a cpu_atom CPU, like the kernel. */
    struct perf_event_attr a;
    perf_attr_init(&a, 4, 0x412e, 0);
    assert_int_equal(r.b->open(r.b->ctx, &a, "l3_miss", 0, 2, -1), -ENOENT);
    int fd = r.b->open(r.b->ctx, &a, "l3_miss", 0, 1, -1);
    assert_true(fd >= 0);
    r.b->close(r.b->ctx, fd);

    const pid_t tids[] = { 101, 0 };
    r.cfg.cores_per_thread = true;
    run_tick(&r, tids);
    run_tick(&r, tids);
    r.cfg.cores_per_thread = false;
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.cur->cores.headline, "");
    for (int c = 0; c < 4; c++) {
        assert_true(r.m[c].available);
        NEAR(r.m[c].l3_miss_ratio, 0.1);
        NEAR(r.m[c].ipc, 1.0);
    }
    assert_non_null(strstr(r.cur->cores.thread_note,
                           "hybrid CPU: per-thread hardware counts cover the cpu_core"));
    run_close(&r);
}

static void test_eacces(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "eacces.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_int_equal(r.rc, -EACCES);
    const char *h = r.cur->cores.headline;
    assert_non_null(strstr(h, "EACCES"));
    assert_non_null(strstr(h, "perf_event_paranoid is 2"));
    assert_non_null(strstr(h, "CAP_PERFMON"));
    assert_null(strstr(h, "not exposed"));    /* permission is not "unsupported" */
    assert_int_equal(r.cur->cores.ncpus, 2);
    for (int c = 0; c < 2; c++) {
        assert_string_equal(r.m[c].why, h);
        assert_true(isnan(r.m[c].ipc));
        assert_true(isnan(r.m[c].ctx_switches_per_s));
        assert_false(r.m[c].available);
    }
    assert_int_equal(r.cur->cores.fds, 0);
    run_close(&r);
}

static void test_emfile(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "emfile.txt");
    const pid_t tids[] = { 101, 102, 0 };
    r.cfg.cores_per_thread = true;
    run_tick(&r, tids);
    run_tick(&r, tids);
    run_tick(&r, tids);
    r.cfg.cores_per_thread = false;
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cur->cores.ncpus, 4);
    assert_non_null(strstr(r.m[3].why, "EMFILE"));
    assert_non_null(strstr(r.m[3].why, "RLIMIT_NOFILE"));
    assert_true(isnan(r.m[3].ctx_switches_per_s));
    NEAR(r.m[0].ipc, 1.0);
    NEAR(r.m[0].ctx_switches_per_s, 10.0);
    /* Per-thread: 101 fits the 30 fds, 102 runs out of them: EMFILE, named as such. */
    const struct cores_sample *s = &r.cur->cores;
    assert_true(s->per_thread);
    assert_int_equal(s->nthreads, 2);
    assert_non_null(strstr(s->thread_note, "EMFILE"));
    struct cores_metrics tm;
    assert_int_equal(s->threads[0].tid, 101);
    cores_metrics_thread(r.prev, r.cur, 0, &tm);
    NEAR(tm.ipc, 2.0);
    NEAR(tm.util_pct, 50.0);
    NEAR(tm.ctx_switches_per_s, 10.0);
    cores_metrics_thread(r.prev, r.cur, 1, &tm);
    assert_true(isnan(tm.ctx_switches_per_s));
    assert_non_null(strstr(tm.why, "EMFILE"));
    run_close(&r);
}

static void test_offline(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "offline.txt");
    run_tick(&r, NULL);
    assert_int_equal(r.cur->cores.ncpus, 4);
    assert_int_equal(r.cur->cores.fds, 28);
    run_tick(&r, NULL);
    assert_int_equal(r.cur->cores.ncpus, 3);    /* one entry per online CPU */
    assert_int_equal(r.cur->cores.cpus[1].cpu, 2);
    assert_int_equal(r.cur->cores.fds, 21);     /* its counters were closed */
    NEAR(r.m[1].ipc, 1.0);
    run_tick(&r, NULL);
    assert_int_equal(r.cur->cores.ncpus, 4);
    assert_int_equal(r.cur->cores.cpus[1].cpu, 1);
    assert_true(isnan(r.m[1].ipc));             /* new counters: no rate yet */
    assert_non_null(strstr(r.m[1].why, "came online"));
    run_tick(&r, NULL);
    NEAR(r.m[1].ipc, 2.0);
    NEAR(r.m[0].ipc, 1.0);
    run_close(&r);
}

static void test_implausible(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "implausible.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_true(isnan(r.m[0].ipc));             /* instructions went backwards */
    assert_true(r.m[0].implausible);
    assert_true(isnan(r.m[1].ipc));             /* IPC 50 */
    assert_true(r.m[1].implausible);
    assert_non_null(strstr(r.m[1].why, "IPC"));
    assert_true(isnan(r.m[2].ipc));             /* running > enabled */
    assert_non_null(strstr(r.m[2].why, "implausible"));
    assert_true(isnan(r.m[3].l3_miss_ratio));   /* misses > accesses */
    assert_true(isnan(r.m[3].l3_mpki));
    assert_true(r.m[3].implausible);
    NEAR(r.m[3].ipc, 1.0);
    for (int c = 0; c < 4; c++)
        assert_false(isinf(r.m[c].ipc) || isinf(r.m[c].l3_mpki));
    run_close(&r);
}

static void test_amd(void **state)
{
    (void)state;
    struct pmu_info p;
    pmu_detect(fixture("root-amd"), &p);
    assert_int_equal(p.vendor, PMU_VENDOR_AMD);
    assert_true(p.ev[CORES_EV_L3_MISS].uncore);
    assert_int_equal(p.ev[CORES_EV_L3_MISS].type, 11);
    assert_int_equal(p.ev[CORES_EV_L3_MISS].config, 0x0104);
    assert_int_equal(p.ev[CORES_EV_L3_ACCESS].config, 0xff04);
    assert_int_equal(p.ev[CORES_EV_DTLB_MISS].type, 4);
    assert_int_equal(p.ev[CORES_EV_DTLB_MISS].config, 0xf045);

    struct run r;
    run_open(&r, "amd.txt");
    run_tick(&r, NULL);
    assert_int_equal(r.cur->cores.fds, 8 * 5 + 2 * 2);
    run_tick(&r, NULL);
    const struct cores_sample *s = &r.cur->cores;
    assert_true(s->l3_per_domain);
    assert_int_equal(s->ncpus, 8);
    assert_int_equal(s->cpus[5].l3_reader, 4);
    assert_int_equal(s->cpus[5].l3_domain, 1);
    assert_int_equal(s->cpus[5].node, 1);
    for (int c = 0; c < 4; c++) {
        NEAR(r.m[c].l3_miss_ratio, 0.4);
        NEAR(r.m[c].l3_mpki, 1.0);
        assert_true(r.m[c].available);
    }
    for (int c = 4; c < 8; c++) {
        NEAR(r.m[c].l3_miss_ratio, 0.01);
        NEAR(r.m[c].l3_mpki, 0.05);
        NEAR(r.m[c].ipc, 0.5);
    }
    run_close(&r);
}

static void test_vm(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, "vm.txt");
    run_tick(&r, NULL);
    run_tick(&r, NULL);
    assert_int_equal(r.rc, 0);                  /* software events still count */
    const char *h = r.cur->cores.headline;
    assert_non_null(strstr(h, "no `cpu` PMU under /sys/bus/event_source/devices"));
    assert_non_null(strstr(h, "ENOENT"));
    assert_non_null(strstr(h, "not exposed to this VM"));
    NEAR(r.m[0].ctx_switches_per_s, 500.0);
    NEAR(r.m[1].ctx_switches_per_s, 1000.0);
    NEAR(r.m[1].migrations_per_s, 10.0);
    assert_string_equal(r.m[0].why, h);
    json_object *a = json_cores(r.prev, r.cur);
    assert_int_equal(json_object_array_length(a), 2);
    json_object *o = json_object_array_get_idx(a, 1), *v;
    static const char *const keys[] = { "cpu", "node", "l3_domain", "available", "why",
        "util_pct", "ipc", "l3_miss_ratio", "l3_mpki", "dtlb_mpki", "dtlb_per_cycle",
        "ctx_switches_per_s", "migrations_per_s", "multiplexed" };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        assert_true(json_object_object_get_ex(o, keys[k], &v));
    json_object_object_get_ex(o, "ipc", &v);
    assert_null(v);
    json_object_object_get_ex(o, "ctx_switches_per_s", &v);
    assert_true(json_object_is_type(v, json_type_double));
    json_object_object_get_ex(o, "available", &v);
    assert_false(json_object_get_boolean(v));
    json_object_object_get_ex(o, "why", &v);
    assert_non_null(strstr(json_object_get_string(v), "not exposed to this VM"));
    json_object_put(a);
    run_close(&r);
}

static void test_encoders(void **state)
{
    (void)state;
    struct pmu_info p;
    pmu_detect(fixture("root-intel"), &p);
    assert_int_equal(p.vendor, PMU_VENDOR_INTEL);
    assert_string_equal(p.core_pmu, "cpu");
    assert_int_equal(p.ev[CORES_EV_L3_MISS].type, 4);
    assert_int_equal(p.ev[CORES_EV_L3_MISS].config, 0x412e);
    assert_int_equal(p.ev[CORES_EV_L3_ACCESS].config, 0x4f2e);
    assert_non_null(strstr(p.ev[CORES_EV_L3_MISS].source, "sysfs"));
    assert_false(p.hypervisor);
    /* event bits beyond 8 go to config:32-35 on AMD's core PMU. */
    struct pmu_event ev;
    assert_int_equal(pmu_encode(fixture("root-amd"), "cpu", "event=0x1c0,umask=0x2", &ev), 0);
    assert_int_equal(ev.config, 0xc0ULL | 0x200ULL | (1ULL << 32));
    assert_int_equal(pmu_encode(fixture("root-amd"), "cpu", "bogus=1", &ev), -EINVAL);
    assert_int_equal(pmu_encode(fixture("root-amd"), "nosuchpmu", "event=1", &ev), -ENOENT);
    pmu_detect(fixture("root-vm"), &p);
    assert_true(p.hypervisor);
    assert_string_equal(p.core_pmu, "");

    /* Scaling on its own: x enabled/running, NAN when it did not run or went back. */
    struct perf_reading a = { 100, 1000, 500 }, b = { 300, 2000, 1000 };
    NEAR(perf_scaled_delta(&a, &b), 400.0);
    b.running = 500;
    assert_true(isnan(perf_scaled_delta(&a, &b)));
    b = (struct perf_reading){ 50, 2000, 1500 };
    assert_true(isnan(perf_scaled_delta(&a, &b)));
    assert_int_equal(perf_err_classify(EACCES), PERF_ERR_PERMISSION);
    assert_int_equal(perf_err_classify(-ENOENT), PERF_ERR_UNSUPPORTED);
    assert_int_equal(perf_err_classify(EMFILE), PERF_ERR_FD_LIMIT);
}

static void test_thresholds(void **state)
{
    (void)state;
    struct cores_thresholds t = { 40.0, 20.0, 0.01 };
    assert_int_equal(cores_level_l3(0.5, &t), CORES_LEVEL_CRIT);
    assert_int_equal(cores_level_l3(0.3, &t), CORES_LEVEL_WARN);
    assert_int_equal(cores_level_l3(0.2, &t), CORES_LEVEL_OK);    /* not above */
    assert_int_equal(cores_level_dtlb(0.002, &t), CORES_LEVEL_OK);
    assert_int_equal(cores_level_dtlb(NAN, &t), CORES_LEVEL_NONE);
    assert_int_equal(cores_level_l3(0.26, &defaults), CORES_LEVEL_CRIT);
    assert_int_equal(cores_level_l3(0.25, &defaults), CORES_LEVEL_WARN);
    assert_int_equal(cores_level_l3(0.10, &defaults), CORES_LEVEL_OK);
    assert_int_equal(cores_level_dtlb(0.0011, &defaults), CORES_LEVEL_CRIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_multiplexed),
        cmocka_unit_test(test_running_zero),
        cmocka_unit_test(test_enoent_one),
        cmocka_unit_test(test_sw_enoent),
        cmocka_unit_test(test_hybrid),
        cmocka_unit_test(test_eacces),
        cmocka_unit_test(test_emfile),
        cmocka_unit_test(test_offline),
        cmocka_unit_test(test_implausible),
        cmocka_unit_test(test_amd),
        cmocka_unit_test(test_vm),
        cmocka_unit_test(test_encoders),
        cmocka_unit_test(test_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
