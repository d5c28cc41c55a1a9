/* Unit tests for target: the Yama ptrace_scope reading and the permission hint that a
 * refused memory read gets, and the errors of target_open on this very process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/target.h"

static char root[] = "/tmp/gmptop-target-XXXXXX";

static void write_scope(const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/sys/kernel/yama/ptrace_scope", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_ptrace_scope(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(root));
    assert_int_equal(target_ptrace_scope(root), -1);       /* no Yama */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "mkdir -p %s/sys/kernel/yama", root);
    assert_int_equal(system(dir), 0);
    static const struct { const char *text; int want; } cases[] = {
        { "0\n", 0 }, { "1\n", 1 }, { "2", 2 }, { "3\n", 3 }, { "4\n", -1 }, { "-1\n", -1 },
        { "x\n", -1 }, { "", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_scope(cases[i].text);
        assert_int_equal(target_ptrace_scope(root), cases[i].want);
    }
    snprintf(dir, sizeof(dir), "rm -rf %s", root);
    assert_int_equal(system(dir), 0);
}

static void test_permission_hint(void **state)
{
    (void)state;
    char buf[256];
    /* No Yama, or scope 0: the uid rule is all there is. */
    target_permission_hint(-1, true, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "CAP_SYS_PTRACE"));
    assert_non_null(strstr(buf, "same user"));
    target_permission_hint(0, false, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "same user"));
    /* Scope 1 refuses one's own program unless it is a child: say so, not "same user". */
    target_permission_hint(1, true, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "kernel.yama.ptrace_scope is 1"));
    assert_null(strstr(buf, "same user"));
    /* Scope 1 and another user's program: the uid rule is what refused it. */
    target_permission_hint(1, false, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "same user"));
    target_permission_hint(2, true, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "ptrace_scope is 2"));
    target_permission_hint(3, false, false, buf, sizeof(buf));
    assert_non_null(strstr(buf, "ptrace_scope is 3"));
    /* gmptop holds CAP_SYS_PTRACE and was refused anyway: not "run as root". */
    target_permission_hint(-1, true, true, buf, sizeof(buf));
    assert_non_null(strstr(buf, "already has CAP_SYS_PTRACE"));
    assert_non_null(strstr(buf, "user namespace"));
    assert_null(strstr(buf, "needs root"));
    target_permission_hint(1, false, true, buf, sizeof(buf));
    assert_non_null(strstr(buf, "already has CAP_SYS_PTRACE"));
    target_permission_hint(3, true, true, buf, sizeof(buf));     /* Yama 3 binds root too */
    assert_non_null(strstr(buf, "ptrace_scope is 3"));
    /* Truncation stays a string. */
    char small[8];
    target_permission_hint(1, true, false, small, sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct target t;
    char msg[512];
    assert_int_equal(target_open(0, &t, msg, sizeof(msg)), TARGET_NO_SUCH_PID);
    assert_int_equal(target_open(INT_MAX, &t, msg, sizeof(msg)), TARGET_NO_SUCH_PID);
    assert_non_null(strstr(msg, "no process with pid"));
    /* This test program is C, not Go. */
    assert_int_equal(target_open(getpid(), &t, msg, sizeof(msg)), TARGET_NOT_GO);
    assert_non_null(strstr(msg, "not a Go program"));
    assert_null(strchr(msg, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptrace_scope),
        cmocka_unit_test(test_permission_hint),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
