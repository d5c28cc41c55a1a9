/* target: the process gmptop watches, resolved and checked once at attach time. */
#ifndef GMPTOP_TARGET_H
#define GMPTOP_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct go_binary;

/* Why an attach failed; each maps to a documented exit status (see main.c). */
enum target_error {
    TARGET_OK = 0,
    TARGET_NO_SUCH_PID,   /* exit 1 */
    TARGET_NOT_GO,        /* exit 2 */
    TARGET_NO_PERMISSION, /* exit 1, message names root / CAP_SYS_PTRACE / same user */
    TARGET_BAD_BINARY,    /* exit 1: exe unreadable or corrupt */
};

struct target {
    pid_t pid;
    char comm[64];
    char exe[4096];                /* readlink of /proc/PID/exe */
    uint64_t start_ticks;          /* starttime from /proc/PID/stat: detects pid reuse */
    /* The program image attached to: an exec keeps pid and start time but changes the
     * file, or (ASLR) where code and stack start. */
    dev_t exe_dev;
    ino_t exe_ino;
    uint64_t start_code, start_stack;
    struct go_binary *bin;         /* owned */
};

/* Resolve pid into t. On failure returns the error and writes a one-line message. */
enum target_error target_open(pid_t pid, struct target *t, char *msg, size_t msglen);
/* kernel.yama.ptrace_scope under PROCFS (0..3), or -1 without Yama. */
int target_ptrace_scope(const char *procfs);
/* What to do about a refused read of the target (-1 for ptrace_scope where Yama does
 * not apply), in words, given whether the target runs as gmptop's own user and whether
 * gmptop already holds CAP_SYS_PTRACE (then the refusal comes from a user namespace or a
 * security module, and "run as root" would be wrong advice). */
void target_permission_hint(int ptrace_scope, bool same_user, bool have_ptrace_cap,
                            char *buf, size_t len);
void target_close(struct target *t);
enum target_state {
    TARGET_RUNNING,
    TARGET_EXITED,        /* gone, a zombie, or its pid reused (start time differs) */
    TARGET_EXECED,        /* the same process now runs another program image */
};
/* Where the process stands. After an exec the layouts, symbols and probe file gmptop
 * took from the old image no longer apply; what it runs now goes to now_exe ("?" when
 * unreadable). */
enum target_state target_state(const struct target *t, char *now_exe, size_t len);
/* target_state, looked at again for up to ~300 ms while it says TARGET_RUNNING though a
 * reader found the process gone (looks_gone): inside an exec the two disagree briefly. */
enum target_state target_settle_state(const struct target *t, bool looks_gone,
                                      char *now_exe, size_t len);
/* true while the same process (pid and start time) still exists, exec'd or not. */
bool target_alive(const struct target *t);
/* /proc/PID/stat of pid, parsed: 0, or -errno (unreadable) or -EINVAL (unparsable). */
struct proc_stat;
int target_read_stat(pid_t pid, struct proc_stat *st);
/* Seconds since the target started; < 0 when unknown. */
double target_uptime_s(const struct target *t);

#endif
