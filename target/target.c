/* target: the process gmptop watches, resolved and checked once at attach time. */
#include "target/target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "target/go_binary.h"
#include "proc/proc_parse.h"
#include "base/util.h"

static void permission_hint_for(pid_t pid, bool attach, char *hint, size_t len);

int target_read_stat(pid_t pid, struct proc_stat *st)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    long n = proc_read_file(path, buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    return proc_parse_stat(buf, (size_t)n, st) == 0 ? 0 : -EINVAL;
}

static enum target_error check_exe(pid_t pid, struct target *t, char *msg, size_t len)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(link, t->exe, sizeof(t->exe) - 1);
    if (n < 0) {
        int e = errno;
        if (e == EACCES || e == EPERM) {
            char hint[320];
            permission_hint_for(pid, false, hint, sizeof(hint));
            snprintf(msg, len, "cannot read %s: %s (%s)", link, strerror(e), hint);
            return TARGET_NO_PERMISSION;
        }
        if (e == ENOENT) {
            struct proc_stat st;
            if (target_read_stat(pid, &st) != 0) {
                snprintf(msg, len, "no process with pid %d", (int)pid);
                return TARGET_NO_SUCH_PID;
            }
            snprintf(msg, len, "pid %d (%s) has no executable (kernel thread or zombie): "
                     "not a Go program", (int)pid, t->comm);
            return TARGET_NOT_GO;
        }
        snprintf(msg, len, "readlink %s: %s", link, strerror(e));
        return TARGET_BAD_BINARY;
    }
    t->exe[n] = '\0';

    /* Parse through /proc/PID/exe, not the path: it still works when the file was
     * deleted or replaced after the process started. */
    char why[512];
    int rc = go_binary_open(link, &t->bin, why, sizeof(why));
    switch (rc) {
    case GO_BINARY_OK:
        return TARGET_OK;
    case GO_BINARY_ERR_NOT_GO:
        snprintf(msg, len, "pid %d (%s) is not a Go program: %s has no .go.buildinfo section",
                 (int)pid, t->comm, t->exe);
        return TARGET_NOT_GO;
    case GO_BINARY_ERR_NOT_ELF:
        snprintf(msg, len, "pid %d (%s) is not a Go program: %s is not an ELF executable",
                 (int)pid, t->comm, t->exe);
        return TARGET_NOT_GO;
    case GO_BINARY_ERR_OPEN:
        if (strstr(why, strerror(EACCES)) || strstr(why, strerror(EPERM))) {
            char hint[320];
            permission_hint_for(pid, false, hint, sizeof(hint));
            snprintf(msg, len, "%s (%s)", why, hint);
            return TARGET_NO_PERMISSION;
        }
        snprintf(msg, len, "%s", why);
        return TARGET_BAD_BINARY;
    default:
        snprintf(msg, len, "pid %d (%s): %s", (int)pid, t->comm, why);
        return TARGET_BAD_BINARY;
    }
}

int target_ptrace_scope(const char *procfs)
{
    char path[4200], buf[32];
    snprintf(path, sizeof(path), "%s/sys/kernel/yama/ptrace_scope", procfs);
    long n = proc_read_file(path, buf, sizeof(buf));
    if (n <= 0)
        return -1;
    buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    return end != buf && v >= 0 && v <= 3 ? (int)v : -1;
}

void target_permission_hint(int ptrace_scope, bool same_user, bool have_ptrace_cap,
                            char *buf, size_t len)
{
    /* Yama restricts ptrace-level access (PTRACE_MODE_ATTACH: /proc/PID/mem,
     * process_vm_readv) beyond the uid check, which is what a user watching their own
     * program on Ubuntu (scope 1) runs into. */
    if (have_ptrace_cap && ptrace_scope != 3)
        /* The kernel's uid and capability rules pass with CAP_SYS_PTRACE in the target's
         * user namespace; what is left is that namespace, or an LSM. */
        snprintf(buf, len, "gmptop already has CAP_SYS_PTRACE: the target is in a user "
                 "namespace where gmptop has no privilege (gmptop in a container or "
                 "sandbox, the target outside), or a security module (AppArmor, SELinux) "
                 "refuses");
    else if (same_user && ptrace_scope == 1)
        snprintf(buf, len, "kernel.yama.ptrace_scope is 1: only a parent process may read "
                 "a program's memory; run gmptop as root or with CAP_SYS_PTRACE, or set "
                 "the sysctl to 0");
    else if (ptrace_scope == 2)
        snprintf(buf, len, "kernel.yama.ptrace_scope is 2: only root or CAP_SYS_PTRACE "
                 "may read a program's memory");
    else if (ptrace_scope == 3)
        snprintf(buf, len, "kernel.yama.ptrace_scope is 3: no process may read another's "
                 "memory until reboot");
    else
        snprintf(buf, len, "needs root, CAP_SYS_PTRACE, or the same user as the target");
}

/* attach: the access reads memory (PTRACE_MODE_ATTACH, which Yama restricts), not just
 * /proc/PID/exe (PTRACE_MODE_READ, which it does not). */
static void permission_hint_for(pid_t pid, bool attach, char *hint, size_t len)
{
    struct stat st;
    char dir[32];
    snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
    bool same_user = stat(dir, &st) == 0 && st.st_uid == geteuid();
    target_permission_hint(attach ? target_ptrace_scope("/proc") : -1, same_user,
                           util_has_cap(CAP_SYS_PTRACE), hint, len);
}

/* Reading the target's memory (process_vm_readv, later panes) needs the same ptrace
 * access as opening /proc/PID/mem; opening it read-only changes nothing in the target. */
static enum target_error check_memory_access(pid_t pid, char *msg, size_t len)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return TARGET_OK;
    }
    int e = errno;
    if (e == EACCES || e == EPERM) {
        char hint[320];
        permission_hint_for(pid, true, hint, sizeof(hint));
        snprintf(msg, len, "cannot read the memory of pid %d: open %s: %s (%s)", (int)pid,
                 path, strerror(e), hint);
        return TARGET_NO_PERMISSION;
    }
    if (e == ENOENT || e == ESRCH) {
        snprintf(msg, len, "no process with pid %d", (int)pid);
        return TARGET_NO_SUCH_PID;
    }
    snprintf(msg, len, "open %s: %s", path, strerror(e));
    return TARGET_BAD_BINARY;
}

enum target_error target_open(pid_t pid, struct target *t, char *msg, size_t msglen)
{
    memset(t, 0, sizeof(*t));
    t->pid = pid;
    if (pid <= 0) {
        snprintf(msg, msglen, "no process with pid %d", (int)pid);
        return TARGET_NO_SUCH_PID;
    }
    struct proc_stat st;
    int rc = target_read_stat(pid, &st);
    if (rc == -ENOENT || rc == -ESRCH) {
        snprintf(msg, msglen, "no process with pid %d", (int)pid);
        return TARGET_NO_SUCH_PID;
    }
    if (rc < 0) {
        snprintf(msg, msglen, "read /proc/%d/stat: %s", (int)pid, strerror(-rc));
        return TARGET_BAD_BINARY;
    }
    if (st.pid != pid) {
        /* A thread id that is not a thread-group leader: point at the process. */
        snprintf(msg, msglen, "no process with pid %d", (int)pid);
        return TARGET_NO_SUCH_PID;
    }
    util_strlcpy(t->comm, st.comm, sizeof(t->comm));
    t->start_ticks = st.starttime;
    t->start_code = st.startcode;
    t->start_stack = st.startstack;

    enum target_error e = check_exe(pid, t, msg, msglen);
    struct stat xs;
    char exe[64];
    snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
    if (e == TARGET_OK && stat(exe, &xs) == 0) {
        t->exe_dev = xs.st_dev;
        t->exe_ino = xs.st_ino;
    }
    if (e == TARGET_OK)
        e = check_memory_access(pid, msg, msglen);
    if (e != TARGET_OK)
        target_close(t);
    return e;
}

void target_close(struct target *t)
{
    go_binary_free(t->bin);
    t->bin = NULL;
}

/* /proc/PID/stat prints 0 for startcode and startstack while the process has no memory
 * map of its own to show. That is so on the way out (its memory dropped, not yet a
 * zombie) and also inside an exec, between the new, empty map and the new image's
 * addresses (start_code is set before start_stack): wait for the one or the other to settle, up to ~200 ms, rather than call
 * an exec an exit. 0: settled (or still empty after the wait: then an exit). */
static int read_settled_stat(const struct target *t, struct proc_stat *st)
{
    int rc = target_read_stat(t->pid, st);
    for (int tries = 0; rc == 0 && tries < 100; tries++) {
        bool empty = st->startcode == 0 || st->startstack == 0;   /* half set: mid-exec */
        if (!empty || !(t->start_code || t->start_stack) || st->state == 'Z' ||
            st->state == 'X')
            break;
        struct timespec ts = { 0, 2 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        rc = target_read_stat(t->pid, st);
    }
    return rc;
}

enum target_state target_state(const struct target *t, char *now_exe, size_t len)
{
    struct proc_stat st;
    if (read_settled_stat(t, &st) != 0 || st.starttime != t->start_ticks ||
        st.state == 'Z' || st.state == 'X')
        return TARGET_EXITED;
    /* Still no memory map after the wait: a process on its way out, not an exec. */
    if (st.startcode == 0 && st.startstack == 0 && (t->start_code || t->start_stack))
        return TARGET_EXITED;
    struct stat xs;
    char link[64], exe[4096];
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)t->pid);
    bool execed = st.startcode != t->start_code || st.startstack != t->start_stack ||
                  (t->exe_ino && stat(link, &xs) == 0 &&
                   (xs.st_dev != t->exe_dev || xs.st_ino != t->exe_ino));
    if (!execed)
        return TARGET_RUNNING;
    ssize_t n = readlink(link, exe, sizeof(exe) - 1);
    if (n < 0 && errno == ENOENT)
        return TARGET_EXITED;         /* gone between the two reads */
    exe[n < 0 ? 0 : n] = '\0';
    if (now_exe && len)
        util_strlcpy(now_exe, n < 0 ? "?" : exe, len);
    return TARGET_EXECED;
}

enum target_state target_settle_state(const struct target *t, bool looks_gone,
                                      char *now_exe, size_t len)
{
    enum target_state st = target_state(t, now_exe, len);
    /* An exec kills the other threads before it switches the memory map: a reader can
     * fail in that moment while the old image still shows. Give it ~300 ms to show. */
    for (int tries = 0; looks_gone && st == TARGET_RUNNING && tries < 30; tries++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        st = target_state(t, now_exe, len);
    }
    return st;
}

bool target_alive(const struct target *t)
{
    return target_state(t, NULL, 0) != TARGET_EXITED;
}

double target_uptime_s(const struct target *t)
{
    /* CLOCK_BOOTTIME is /proc/uptime's clock (a time namespace shifts both, and the
     * start time in /proc/PID/stat with them) without a file to open every refresh. */
    struct timespec ts;
    long hz = sysconf(_SC_CLK_TCK);
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0 || hz <= 0)
        return -1.0;
    double up = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double age = up - (double)t->start_ticks / (double)hz;
    return age >= 0.0 ? age : -1.0;
}
