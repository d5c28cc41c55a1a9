/* demo: the table of bundled Go workloads, and starting/stopping one of them. */
#include "config.h"

#include "src/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GMPTOP_LIBEXECDIR
#define GMPTOP_LIBEXECDIR "/usr/local/libexec/gmptop"
#endif

/* Must match the scenarios in demo/scenarios.go (tests/live/demos.sh checks the names). */
static const struct demo_info demos[] = {
    { "pingpong", "token bounced over unbuffered channels",
      "high schedule rate; chan send/receive parks", NULL },
    { "mutex", "4 x GOMAXPROCS goroutines on one sync.Mutex",
      "sync.Mutex.Lock (semacquire) waits, park latency", NULL },
    { "runnable", "64 CPU-bound goroutines, GOMAXPROCS Ps",
      "long local runqueues, steals, sched latency", NULL },
    { "frozen", "unpreemptible loops hold every P",
      "runqueues stuck at constant lengths, 0 idle Ps", "asyncpreemptoff=1" },
    { "syscall", "goroutines blocked in raw read/nanosleep",
      "threads >> GOMAXPROCS, Ms in syscalls, handoffs", NULL },
    { "gc", "churn of short-lived pointerful objects",
      "GC cycles/s, mark assists, GC workers on Ps", NULL },
    { "timers", "many short time.Sleep / Ticker loops",
      "sleep wait reason, frequent timer wakeups", NULL },
    { "idle", "healthy idle HTTP server (control case)",
      "idle Ps, empty queues, no findings", NULL },
    { "pinned", "LockOSThread + sched_setaffinity to one CPU",
      "its P's thread always on that CPU, no migrations", NULL },
    { "churn", "goroutines and threads come and go, GC runs",
      "thread list changing every tick; for soak tests", NULL },
    { "sysbusy", "back-to-back 20 us nanosleep syscalls",
      "Ps in syscall with their threads (Go 1.26+: from G status)", NULL },
    { "leak", "goroutines blocked on unreachable channels",
      "Go 1.26+: census class leaked (goroutineleak profile)", NULL },
    { "pileup", "goroutines leaked at a steady rate (-n per second)",
      "goroutine count climbing: the goroutine_pileup finding after 3 min", NULL },
};

#define DEMO_MISSING_MSG \
    "demo workloads not built: configure found no Go toolchain (install golang-go)"

size_t demo_count(void)
{
    return sizeof(demos) / sizeof(demos[0]);
}

const struct demo_info *demo_at(size_t i)
{
    return i < demo_count() ? &demos[i] : NULL;
}

const struct demo_info *demo_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < demo_count(); i++)
        if (strcmp(demos[i].name, name) == 0)
            return &demos[i];
    return NULL;
}

void demo_list_print(FILE *out)
{
    int wname = 0, wpath = 0;

    for (size_t i = 0; i < demo_count(); i++) {
        int n = (int)strlen(demos[i].name), p = (int)strlen(demos[i].pathology);
        if (n > wname)
            wname = n;
        if (p > wpath)
            wpath = p;
    }
    for (size_t i = 0; i < demo_count(); i++)
        fprintf(out, "%-*s  %-*s  %s\n", wname, demos[i].name, wpath, demos[i].pathology,
                demos[i].look_for);
}

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;

    if (!msg || msglen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

static int copy_path(char *buf, size_t len, const char *path)
{
    int n = snprintf(buf, len, "%s", path);

    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int demo_binary_path(char *buf, size_t len)
{
    const char *env = getenv("GMPTOP_DEMO_BIN");
    char exe[PATH_MAX];
    ssize_t n;

    if (!buf || len == 0)
        return -EINVAL;
    if (env && *env)
        return copy_path(buf, len, env);
    /* Run from the build tree: the demo sits in demo/ next to the gmptop binary. */
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;

        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            int m;

            *slash = '\0';
            m = snprintf(buf, len, "%s/demo/gmptop-demo", exe);
            if (m > 0 && (size_t)m < len && access(buf, X_OK) == 0)
                return 0;
        }
    }
    return copy_path(buf, len, GMPTOP_LIBEXECDIR "/gmptop-demo");
}

/* environ with GODEBUG extended by the scenario's settings (later keys win in Go).
 * Returns a malloc'd array whose only malloc'd string is *owned (may be NULL). */
static char **demo_env(const char *godebug, char **owned)
{
    extern char **environ;
    const char *old = getenv("GODEBUG");
    size_t n = 0, j = 0;
    char **env;

    *owned = NULL;
    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof(*env));
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!godebug || strncmp(environ[i], "GODEBUG=", 8) != 0)
            env[j++] = environ[i];
    if (godebug) {
        size_t sz = strlen("GODEBUG=") + (old ? strlen(old) + 1 : 0) + strlen(godebug) + 1;

        *owned = malloc(sz);
        if (!*owned) {
            free(env);
            return NULL;
        }
        snprintf(*owned, sz, "GODEBUG=%s%s%s", old && *old ? old : "", old && *old ? "," : "",
                 godebug);
        env[j++] = *owned;
    }
    env[j] = NULL;
    return env;
}

/* In the child: only async-signal-safe calls. Reports errno on errfd if exec fails. */
static _Noreturn void demo_child(const char *path, char *const argv[], char *const envp[],
                                 int errfd, pid_t parent)
{
    sigset_t all;
    int err, devnull;

    setpgid(0, 0);
    /* A demo that outlives a crashed gmptop would burn CPU forever. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(127);
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    devnull = open("/dev/null", O_RDWR);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0)
        goto fail;
    /* gmptop's own descriptors (perf, /proc, BPF) must not leak into the workload. */
#ifdef CLOSE_RANGE_CLOEXEC
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
#endif
        for (int fd = 3; fd < 1024; fd++)
            if (fd != errfd)
                close(fd);
    execve(path, argv, envp);
fail:
    err = errno;
    if (write(errfd, &err, sizeof(err)) < 0)
        _exit(126);
    _exit(127);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Parent side after fork: exec errors from the pipe, then an early exit within 200 ms. */
static pid_t demo_watch_start(pid_t pid, int errfd, const char *path, const char *name,
                              char *msg, size_t msglen)
{
    int child_err = 0, status;
    ssize_t n;

    do
        n = read(errfd, &child_err, sizeof(child_err));
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(child_err)) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        set_msg(msg, msglen, "execve %s: %s", path, strerror(child_err));
        return -child_err;
    }
    for (int waited = 0; waited < 200; waited += 10) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r < 0 && errno != EINTR) {
            int e = errno;
            set_msg(msg, msglen, "waitpid %d: %s", (int)pid, strerror(e));
            return -e;
        }
        if (r == pid) {
            if (WIFEXITED(status))
                set_msg(msg, msglen, "demo %s exited at once with status %d", name,
                        WEXITSTATUS(status));
            else
                set_msg(msg, msglen, "demo %s was killed at once by signal %d", name,
                        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            return -ECHILD;
        }
        sleep_ms(10);
    }
    return pid;
}

pid_t demo_start(const char *name, char *msg, size_t msglen)
{
    const struct demo_info *d = demo_find(name);
    char path[PATH_MAX], *owned, **env;
    int pfd[2], err;
    pid_t pid;

    if (!d) {
        set_msg(msg, msglen, "unknown demo scenario '%s' (gmptop --demo list shows them)",
                name ? name : "");
        return -EINVAL;
    }
    err = demo_binary_path(path, sizeof(path));
    if (err < 0) {
        set_msg(msg, msglen, "demo binary path: %s", strerror(-err));
        return err;
    }
    if (access(path, X_OK) < 0) {
        set_msg(msg, msglen, "%s", DEMO_MISSING_MSG);
        return -ENOENT;
    }
    env = demo_env(d->godebug, &owned);
    if (!env) {
        set_msg(msg, msglen, "malloc: %s", strerror(ENOMEM));
        return -ENOMEM;
    }
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        err = errno;
        set_msg(msg, msglen, "pipe2: %s", strerror(err));
        free(owned);
        free(env);
        return -err;
    }
    char *argv[] = { path, (char *)d->name, NULL };
    pid_t self = getpid();
    pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        demo_child(path, argv, env, pfd[1], self);
    }
    err = errno;
    close(pfd[1]);
    free(owned);
    free(env);
    if (pid < 0) {
        close(pfd[0]);
        set_msg(msg, msglen, "fork: %s", strerror(err));
        return -err;
    }
    /* Also from here, so the group exists before demo_stop could signal it. */
    setpgid(pid, pid);
    pid = demo_watch_start(pid, pfd[0], path, d->name, msg, msglen);
    close(pfd[0]);
    return pid;
}

void demo_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    if (kill(-pid, SIGTERM) < 0)
        kill(pid, SIGTERM);
    for (int waited = 0; waited <= 1000; waited += 10) {
        pid_t r = waitpid(pid, NULL, WNOHANG);

        if (r == pid || (r < 0 && errno == ECHILD))
            return;
        sleep_ms(10);
    }
    if (kill(-pid, SIGKILL) < 0)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}
