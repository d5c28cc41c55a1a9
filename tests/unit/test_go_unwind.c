/* test_go_unwind: go_unwind on real goroutines. Each toolchain's plain fixture runs with
 * its main goroutine asleep in `time.Sleep(50 * time.Millisecond)` (tests/gofixture/
 * main.go line 45); from runtime.allgs and the g offsets of the table, that goroutine's
 * saved pc/sp unwind through runtime.gopark and time.Sleep to main.main at main.go:45
 * and end at runtime.goexit. Every goroutine's walk ends cleanly or with an error: never
 * frames outside its stack. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/go_binary.h"
#include "target/go_offsets.h"
#include "target/go_unwind.h"
#include "tests/unit/go_fixtures.h"

#define MAX_VERSIONS 16
#define MAX_FRAMES 64

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    pid_t pid = *(pid_t *)ctx;
    struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

static uint64_t word(pid_t pid, uint64_t addr)
{
    uint64_t v = 0;
    assert_int_equal(read_mem(&pid, addr, &v, sizeof(v)), 0);
    return v;
}

static int has_frame(const struct go_frame *f, int n, const char *func)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i].func, func) == 0)
            return i;
    return -1;
}

static void check_version(const char *dir, const char *v)
{
    char path[4096], nm[4096];
    snprintf(path, sizeof(path), "%s/%s-plain", dir, v);
    snprintf(nm, sizeof(nm), "%s/%s-plain.nm", dir, v);
    struct go_offsets off;
    assert_int_equal(go_offsets_from_table(v, &off), 0);
    struct go_binary *b = NULL;
    char msg[256];
    assert_int_equal(go_binary_open(path, &b, msg, sizeof(msg)), GO_BINARY_OK);
    uint64_t allgs = 0;
    assert_int_equal(go_binary_lookup(b, "runtime.allgs", &allgs, NULL), 0);
    size_t len = 0;
    uint8_t *tab = go_fixtures_pclntab(path, &len);
    uint64_t text = go_fixtures_nm_addr(nm, "runtime.text");

    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pfd[1], 1);
        execl(path, path, "30", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    /* Its workers finish in a few ms; then main sleeps in 50 ms steps. */
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    nanosleep(&ts, NULL);

    uint64_t arr = word(pid, allgs), nallg = word(pid, allgs + 8);
    assert_true(nallg > 0 && nallg < 10000);
    int main_ok = 0, walked = 0;
    for (uint64_t i = 0; i < nallg; i++) {
        uint64_t g = word(pid, arr + 8 * i);
        uint32_t status = 0;
        assert_int_equal(read_mem(&pid, g + (uint64_t)off.field[GO_G_ATOMICSTATUS], &status,
                                  4), 0);
        if ((status & ~0x1000u) != 4)            /* waiting: its sched is saved */
            continue;
        struct go_unwind_in in = {
            .pcln = tab, .pcln_len = len, .text_start = text, .bias = 0,
            .pc = word(pid, g + (uint64_t)off.field[GO_G_SCHED_PC]),
            .sp = word(pid, g + (uint64_t)off.field[GO_G_SCHED_SP]),
            .stack_lo = word(pid, g + (uint64_t)off.field[GO_G_STACK_LO]),
            .stack_hi = word(pid, g + (uint64_t)off.field[GO_G_STACK_HI]),
            .read = read_mem, .ctx = &pid,
        };
        struct go_frame f[MAX_FRAMES];
        int n = 0, rc = go_unwind(&in, f, MAX_FRAMES, &n);
        walked++;
        assert_true(n >= 1);
        if (rc != GO_UNWIND_DONE)
            continue;                            /* moved under the read: allowed */
        assert_string_equal(f[n - 1].func, "runtime.goexit");
        int m = has_frame(f, n, "main.main"), s = has_frame(f, n, "time.Sleep");
        if (m < 0)
            continue;
        /* main.main -> time.Sleep -> ... -> runtime.gopark, innermost first. */
        assert_true(has_frame(f, n, "runtime.gopark") >= 0 && s >= 0 && s < m);
        assert_non_null(f[m].file);
        assert_non_null(strstr(f[m].file, "tests/gofixture/main.go"));
        assert_int_equal(f[m].line, 45);
        main_ok++;
        print_message("%s: main goroutine: %d frames, %s ... main.main at %s:%d\n", v, n,
                      f[0].func, f[m].file, (int)f[m].line);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(pfd[0]);
    free(tab);
    go_binary_free(b);
    print_message("%s: %d waiting goroutines walked\n", v, walked);
    assert_int_equal(main_ok, 1);
}

static void test_live_fixtures(void **state)
{
    (void)state;
    const char *dir = getenv("GOBIN_DIR");
    if (!dir)
        skip();
    char versions[MAX_VERSIONS][64];
    int nv = go_fixtures_versions(dir, versions, MAX_VERSIONS);
    assert_true(nv > 0);
    for (int i = 0; i < nv; i++)
        check_version(dir, versions[i]);
}

/* A hostile stack: a return address pointing back down, or out of the stack, or to no
 * function, ends the walk with an error after a bounded number of frames. */
static int read_loop(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)addr;
    memcpy(buf, ctx, len);
    return 0;
}

static void test_hostile(void **state)
{
    (void)state;
    const char *dir = getenv("GOBIN_DIR");
    if (!dir)
        skip();
    char versions[MAX_VERSIONS][64], path[4096], nm[4096];
    int nv = go_fixtures_versions(dir, versions, MAX_VERSIONS);
    assert_true(nv > 0);
    snprintf(path, sizeof(path), "%s/%s-plain", dir, versions[0]);
    snprintf(nm, sizeof(nm), "%s/%s-plain.nm", dir, versions[0]);
    size_t len = 0;
    uint8_t *tab = go_fixtures_pclntab(path, &len);
    uint64_t text = go_fixtures_nm_addr(nm, "runtime.text");
    uint64_t worker = go_fixtures_nm_addr(nm, "main.worker") + 9;
    /* Every return address is main.worker again: the walk must stop (the stack ends,
     * or max frames), never loop. */
    struct go_unwind_in in = { .pcln = tab, .pcln_len = len, .text_start = text,
                               .pc = worker, .sp = 0x10000, .stack_lo = 0x10000,
                               .stack_hi = 0x10000 + 1024 * 1024, .read = read_loop,
                               .ctx = &worker };
    struct go_frame f[MAX_FRAMES];
    int n = 0;
    int rc = go_unwind(&in, f, MAX_FRAMES, &n);
    assert_true(rc == GO_UNWIND_TRUNCATED || rc == GO_UNWIND_BAD_SP);
    assert_true(n <= MAX_FRAMES);
    uint64_t zero = 0;                            /* a return address of 0: no function */
    in.ctx = &zero;
    assert_int_equal(go_unwind(&in, f, MAX_FRAMES, &n), GO_UNWIND_BAD_PC);
    assert_int_equal(n, 1);
    in.sp = 0x8000;                               /* below the stack */
    assert_int_equal(go_unwind(&in, f, MAX_FRAMES, &n), GO_UNWIND_BAD_SP);
    assert_int_equal(n, 0);
    free(tab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_fixtures),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
