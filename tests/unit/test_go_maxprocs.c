/* test_go_maxprocs: the Go runtime's own GOMAXPROCS rule (a table of cases checked
 * against runtime/cgroup_linux.go of 1.25-1.27), GODEBUG parsing as the runtime does it,
 * the DefaultGODEBUG build setting, and the collector's view of a process (environment,
 * the cgroup file its runtime holds open) on a fixture /proc tree. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "collectors/sched_quota.h"
#include "model/go_maxprocs.h"
#include "target/go_binary.h"
#include "target/go_buildinfo.h"
#include "tests/unit/go_fixtures.h"

struct maxprocs_case {
    const char *what;
    int minor;
    int32_t cpus;
    double quota;
    int container;
    int32_t env;
    int32_t want;
};

static void test_default_table(void **state)
{
    (void)state;
    static const struct maxprocs_case cases[] = {
        { "0.5 CPU on 8, 1.25: the floor of 2", 25, 8, 0.5, -1, 0, 2 },
        { "1 CPU on 8, 1.25: the floor of 2", 25, 8, 1.0, -1, 0, 2 },
        { "1.5 CPUs on 8: rounded up", 25, 8, 1.5, -1, 0, 2 },
        { "2.0 CPUs on 8: exact", 25, 8, 2.0, -1, 0, 2 },
        { "2.01 CPUs on 8: rounded up", 25, 8, 2.01, -1, 0, 3 },
        { "3.5 CPUs on 8", 26, 8, 3.5, -1, 0, 4 },
        { "16 CPUs on 8: the mask caps", 27, 8, 16.0, -1, 0, 8 },
        { "0.5 CPU on a 1-CPU mask: the mask, under the floor", 25, 1, 0.5, -1, 0, 1 },
        { "no quota on 8", 25, 8, NAN, -1, 0, 8 },
        { "0.5 CPU, containermaxprocs=0", 25, 8, 0.5, 0, 0, 8 },
        { "0.5 CPU, containermaxprocs=1 said outright", 25, 8, 0.5, 1, 0, 2 },
        { "0.5 CPU on 8, 1.24 ignores the quota", 24, 8, 0.5, -1, 0, 8 },
        { "0.5 CPU on 8, 1.24 even with containermaxprocs=1", 24, 8, 0.5, 1, 0, 8 },
        { "0.5 CPU on 8, version unknown: as before 1.25", 0, 8, 0.5, -1, 0, 8 },
        { "GOMAXPROCS=4 wins on 1.25", 25, 8, 0.5, -1, 4, 4 },
        { "GOMAXPROCS=16 wins over the mask", 24, 8, NAN, -1, 16, 16 },
        { "mask unknown", 25, 0, 0.5, -1, 0, -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct maxprocs_case *c = &cases[i];
        struct go_maxprocs_in in = { .go_minor = c->minor, .cpus = c->cpus,
                                     .quota = c->quota, .containermaxprocs = c->container,
                                     .env_gomaxprocs = c->env };
        int32_t got = go_maxprocs_default(&in);
        if (got != c->want)
            fail_msg("%s: got %d, want %d", c->what, (int)got, (int)c->want);
    }
}

static void test_godebug_parse(void **state)
{
    (void)state;
    int32_t v = 7;
    assert_int_equal(go_maxprocs_godebug("", "containermaxprocs", &v), 0);
    assert_int_equal(go_maxprocs_godebug(NULL, "containermaxprocs", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(go_maxprocs_godebug("asynctimerchan=1,containermaxprocs=0,"
                                         "decoratemappings=0", "containermaxprocs", &v), 1);
    assert_int_equal(v, 0);
    /* Later settings win, as in the runtime's start-up parse. */
    assert_int_equal(go_maxprocs_godebug("containermaxprocs=0,containermaxprocs=1",
                                         "containermaxprocs", &v), 1);
    assert_int_equal(v, 1);
    /* A value the runtime cannot parse leaves the earlier one. */
    v = 0;
    assert_int_equal(go_maxprocs_godebug("containermaxprocs=0,containermaxprocs=yes",
                                         "containermaxprocs", &v), 1);
    assert_int_equal(v, 0);
    /* A key that only ends like the one asked for is another key. */
    v = 5;
    assert_int_equal(go_maxprocs_godebug("xcontainermaxprocs=0,updatemaxprocs=0",
                                         "containermaxprocs", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(go_maxprocs_godebug("updatemaxprocs=+2", "updatemaxprocs", &v), 1);
    assert_int_equal(v, 2);
}

static void test_buildinfo_setting(void **state)
{
    (void)state;
    uint8_t buf[1024];
    char val[128];
    size_t n = go_fixtures_buildinfo(buf, "go1.25.12",
                              "path\tgmptop/demo\nmod\tgmptop/demo\t(devel)\t\n"
                              "build\t-buildmode=exe\nbuild\tDefaultGODEBUG=containermaxprocs=0,"
                              "updatemaxprocs=0\nbuild\tGOARCH=amd64\n");
    assert_int_equal(go_buildinfo_setting(buf, n, NULL, NULL, "DefaultGODEBUG", val,
                                          sizeof(val)), 1);
    assert_string_equal(val, "containermaxprocs=0,updatemaxprocs=0");
    assert_int_equal(go_buildinfo_setting(buf, n, NULL, NULL, "GOARCH", val, sizeof(val)), 1);
    assert_string_equal(val, "amd64");
    assert_int_equal(go_buildinfo_setting(buf, n, NULL, NULL, "CGO_ENABLED", val,
                                          sizeof(val)), 0);
    assert_string_equal(val, "");
    /* Too long for the caller's buffer: refused, not cut to a different setting. */
    assert_int_equal(go_buildinfo_setting(buf, n, NULL, NULL, "DefaultGODEBUG", val, 10),
                     GO_BINARY_ERR_CORRUPT);
    /* Not a buildinfo, or one cut short. */
    assert_int_equal(go_buildinfo_setting(buf + 1, n - 1, NULL, NULL, "GOARCH", val,
                                          sizeof(val)), GO_BINARY_ERR_NOT_GO);
    assert_int_equal(go_buildinfo_setting(buf, 40, NULL, NULL, "GOARCH", val, sizeof(val)),
                     GO_BINARY_ERR_CORRUPT);
    /* Go 1.20 and older record no DefaultGODEBUG. */
    n = go_fixtures_buildinfo(buf, "go1.20.1", "path\tx\nmod\tx\t(devel)\t\nbuild\tGOOS=linux\n");
    assert_int_equal(go_buildinfo_setting(buf, n, NULL, NULL, "DefaultGODEBUG", val,
                                          sizeof(val)), 0);
}

/* ---- the collector on a fixture tree: ROOT/proc/PID/{environ,fd/N}, ROOT/cg/... ---- */

static char root[128];

static void write_file(const char *rel, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_text(const char *rel, const char *text) { write_file(rel, text, strlen(text)); }

/* A fixture process 42 with this environment (NUL-separated) and, when cg_file is set,
 * fd 3 open on ROOT/cg/<cg_file> holding contents. */
static void fixture(const char *env, size_t envlen, const char *cg_file, const char *contents)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s/proc/42/fd' '%s/cg'", root, root,
             root);
    assert_int_equal(system(cmd), 0);
    write_file("proc/42/environ", env, envlen);
    if (cg_file) {
        char rel[128], target[512], link[512];
        snprintf(rel, sizeof(rel), "cg/%s", cg_file);
        write_file(rel, contents, strlen(contents));
        snprintf(target, sizeof(target), "%s/%s", root, rel);
        snprintf(link, sizeof(link), "%s/proc/42/fd/3", root);
        assert_int_equal(symlink(target, link), 0);
    }
    /* An unrelated open file, as any process has. */
    char target[512], link[512];
    snprintf(target, sizeof(target), "%s/proc/42/environ", root);
    snprintf(link, sizeof(link), "%s/proc/42/fd/0", root);
    assert_int_equal(symlink(target, link), 0);
}

static struct sched_sample policy(const char *version, const char *defgodebug)
{
    struct sched_sample s;
    memset(&s, 0, sizeof(s));
    s.cpus_allowed = 8;
    sched_quota_read_policy(root, 42, version, defgodebug, &s);
    return s;
}

#define ENV(lit) lit, sizeof(lit)

static void test_policy_fixture(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/gmptop-maxprocs-%d", (int)getpid());
    /* Go 1.25, go.mod 1.25: the runtime holds cpu.max open, 0.5 CPU -> 2. */
    fixture(ENV("HOME=/\0PATH=/bin"), "cpu.max", "50000 100000\n");
    struct sched_sample s = policy("go1.25.12", "tlssha1=1");
    assert_int_equal(s.gomaxprocs_auto, 2);
    assert_int_equal(s.gomaxprocs_policy, GO_MAXPROCS_KNOWN | GO_MAXPROCS_CONTAINER |
                                          GO_MAXPROCS_UPDATE | GO_MAXPROCS_CGROUP_OPEN);
    /* No limit in its cgroup: the mask. */
    fixture(ENV("HOME=/"), "cpu.max", "max 100000\n");
    assert_int_equal(policy("go1.26.11", "").gomaxprocs_auto, 8);
    /* cgroup v1: quota and period files. */
    fixture(ENV("HOME=/"), "cpu.cfs_quota_us", "250000\n");
    char target[512], link[512];
    snprintf(target, sizeof(target), "%s/cg/cpu.cfs_period_us", root);
    write_file("cg/cpu.cfs_period_us", "100000\n", 7);
    snprintf(link, sizeof(link), "%s/proc/42/fd/4", root);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(policy("go1.27.4", "").gomaxprocs_auto, 3);
    /* No cgroup file open although container-aware: the runtime found no cgroup. */
    fixture(ENV("HOME=/"), NULL, NULL);
    s = policy("go1.25.12", "");
    assert_int_equal(s.gomaxprocs_auto, 8);
    assert_int_equal(s.gomaxprocs_policy & GO_MAXPROCS_CGROUP_OPEN, 0);
    /* go.mod older than 1.25: DefaultGODEBUG turns it off; the CPU count. */
    fixture(ENV("HOME=/"), NULL, NULL);
    s = policy("go1.25.12", "asynctimerchan=1,containermaxprocs=0,updatemaxprocs=0");
    assert_int_equal(s.gomaxprocs_auto, 8);
    assert_int_equal(s.gomaxprocs_policy, GO_MAXPROCS_KNOWN | GO_MAXPROCS_OFF_BY_BUILD);
    /* ... and the environment's GODEBUG turns it back on. */
    fixture(ENV("GODEBUG=containermaxprocs=1,updatemaxprocs=1\0HOME=/"), "cpu.max",
            "50000 100000\n");
    s = policy("go1.25.12", "containermaxprocs=0,updatemaxprocs=0");
    assert_int_equal(s.gomaxprocs_auto, 2);
    assert_int_equal(s.gomaxprocs_policy, GO_MAXPROCS_KNOWN | GO_MAXPROCS_CONTAINER |
                                          GO_MAXPROCS_UPDATE | GO_MAXPROCS_CGROUP_OPEN);
    /* The environment turns it off over a go.mod of 1.25. */
    fixture(ENV("GODEBUG=containermaxprocs=0"), NULL, NULL);
    s = policy("go1.25.12", "");
    assert_int_equal(s.gomaxprocs_auto, 8);
    assert_int_equal(s.gomaxprocs_policy, GO_MAXPROCS_KNOWN | GO_MAXPROCS_OFF_BY_ENV |
                                          GO_MAXPROCS_UPDATE);
    /* Before 1.25 neither the GODEBUG nor an open cgroup file matters. */
    fixture(ENV("GODEBUG=containermaxprocs=1"), "cpu.max", "50000 100000\n");
    s = policy("go1.24.4", "");
    assert_int_equal(s.gomaxprocs_auto, 8);
    assert_int_equal(s.gomaxprocs_policy, GO_MAXPROCS_KNOWN);
    /* Unknown version or mask: unknown, never a guess. */
    assert_int_equal(policy("devel +abc", "").gomaxprocs_auto, 0);
    assert_int_equal(policy(NULL, "").gomaxprocs_policy, 0);
    /* Its fds cannot be listed: unknown. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/42/fd'", root);
    assert_int_equal(system(cmd), 0);
    s = policy("go1.25.12", "");
    assert_int_equal(s.gomaxprocs_auto, 0);
    assert_int_equal(s.gomaxprocs_policy, 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

/* Between full reads only cpu.stat is read again: a new limit shows at the next full
 * read (SCHED_QUOTA_REREAD_NS later), a new affinity mask at once, throttling each tick. */
static void test_quota_cache(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/gmptop-quota-%d", (int)getpid());
    fixture(ENV("HOME=/"), NULL, NULL);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/fs/cgroup/app'", root);
    assert_int_equal(system(cmd), 0);
    write_text("proc/42/cgroup", "0::/app\n");
    write_text("proc/42/status", "Name:\tx\nCpus_allowed_list:\t0-3\n");
    write_text("sys/fs/cgroup/app/cpu.max", "50000 100000\n");
    write_text("sys/fs/cgroup/app/cpu.stat", "nr_throttled 3\nthrottled_usec 7\n");
    struct sched_quota_cache qc;
    memset(&qc, 0, sizeof(qc));
    struct sched_sample s;
    memset(&s, 0, sizeof(s));
    int64_t t0 = 1000000000LL;
    sched_quota_read_cached(root, 42, "go1.25.12", "", &qc, t0, &s);
    assert_true(fabs(s.cpu_quota - 0.5) < 1e-9);
    assert_int_equal(s.nr_throttled, 3);
    assert_int_equal(s.throttled_ns, 7000);
    assert_int_equal(s.cpus_allowed, 4);
    assert_int_equal(s.gomaxprocs_auto, 4);     /* no cgroup file open: the mask */
    /* The limit rises and throttling goes on: the counters move, the limit waits. */
    write_text("sys/fs/cgroup/app/cpu.max", "200000 100000\n");
    write_text("sys/fs/cgroup/app/cpu.stat", "nr_throttled 5\nthrottled_usec 9\n");
    memset(&s, 0, sizeof(s));
    sched_quota_read_cached(root, 42, "go1.25.12", "", &qc, t0 + 1000000000LL, &s);
    assert_true(fabs(s.cpu_quota - 0.5) < 1e-9);
    assert_int_equal(s.nr_throttled, 5);
    assert_int_equal(s.throttled_ns, 9000);
    assert_int_equal(s.gomaxprocs_auto, 4);
    memset(&s, 0, sizeof(s));
    sched_quota_read_cached(root, 42, "go1.25.12", "", &qc, t0 + SCHED_QUOTA_REREAD_NS, &s);
    assert_true(fabs(s.cpu_quota - 2.0) < 1e-9);
    assert_int_equal(s.cpus_allowed, 4);
    /* A new affinity mask is a full read at once. */
    write_text("sys/fs/cgroup/app/cpu.max", "max 100000\n");
    write_text("proc/42/status", "Name:\tx\nCpus_allowed_list:\t0-1\n");
    memset(&s, 0, sizeof(s));
    sched_quota_read_cached(root, 42, "go1.25.12", "", &qc,
                            t0 + SCHED_QUOTA_REREAD_NS + 1000000LL, &s);
    assert_true(isnan(s.cpu_quota));
    assert_int_equal(s.cpus_allowed, 2);
    assert_int_equal(s.gomaxprocs_auto, 2);
    sched_quota_cache_close(&qc);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_table),
        cmocka_unit_test(test_godebug_parse),
        cmocka_unit_test(test_buildinfo_setting),
        cmocka_unit_test(test_policy_fixture),
        cmocka_unit_test(test_quota_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
