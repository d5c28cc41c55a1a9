/* Unit tests for target: the Yama ptrace_scope reading and the permission hint that a
 * refused memory read gets, the errors of target_open on this very process, and
 * target_state watching a real process exec itself hundreds of times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target.h"
#include "proc/proc_parse.h"

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

/* The exec chain's images: this program run again as "exec-chain N FD" execs itself
 * N more times, then writes to FD and waits to be killed. */
static char self_exe[PATH_MAX];

static int exec_chain(int left, int fd)
{
    if (left > 0) {
        char n[16], f[16];
        snprintf(n, sizeof(n), "%d", left - 1);
        snprintf(f, sizeof(f), "%d", fd);
        execl(self_exe, self_exe, "exec-chain", n, f, (char *)NULL);
        return 127;
    }
    if (write(fd, "x", 1) != 1)
        return 1;
    for (;;)
        pause();
}

static void take_image(struct target *t, pid_t pid)
{
    struct proc_stat st;
    assert_int_equal(target_read_stat(pid, &st), 0);
    t->start_code = st.startcode;
    t->start_stack = st.startstack;
    char link[64];
    struct stat xs;
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
    if (stat(link, &xs) == 0) {
        t->exe_dev = xs.st_dev;
        t->exe_ino = xs.st_ino;
    }
}

/* An exec is never an exit: a process that execs itself 300 times while target_state
 * is asked in a tight loop is seen running or exec'd, every time, until it is killed. */
static void test_state_through_exec(void **state)
{
    (void)state;
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        _exit(exec_chain(300, pfd[1]));
    }
    close(pfd[1]);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    struct target t = { .pid = pid };
    struct proc_stat st;
    assert_int_equal(target_read_stat(pid, &st), 0);
    t.start_ticks = st.starttime;
    take_image(&t, pid);
    int execs = 0, exited = 0;
    char c;
    for (;;) {
        ssize_t r = read(pfd[0], &c, 1);
        if (r == 1 || (r == 0))
            break;
        char now[PATH_MAX] = "";
        enum target_state s = target_state(&t, now, sizeof(now));
        if (s == TARGET_EXITED)
            exited++;
        else if (s == TARGET_EXECED) {
            execs++;
            take_image(&t, pid);
        }
        if (exited)
            break;
    }
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(pfd[0]);
    assert_int_equal(exited, 0);
    print_message("saw %d of 300 execs\n", execs);
    /* ...and each exec once: an image taken half-loaded would show a second change. */
    assert_true(execs > 0 && execs <= 300);
    /* Killed and reaped: now it has exited. */
    assert_int_equal(target_state(&t, NULL, 0), TARGET_EXITED);
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
    if (n > 0)
        self_exe[n] = '\0';
    if (argc == 4 && strcmp(argv[1], "exec-chain") == 0)
        return exec_chain(atoi(argv[2]), atoi(argv[3]));

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptrace_scope),
        cmocka_unit_test(test_permission_hint),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_state_through_exec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
