/* proc_parse: pure parsers for /proc text files (no I/O; fuzzed and unit-tested). */
#ifndef GMPTOP_PROC_PARSE_H
#define GMPTOP_PROC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* /proc/PID/task/TID/stat. comm may contain spaces and ')' : parse from the last ')'. */
struct proc_stat {
    int pid;
    char comm[16];
    char state;
    int ppid;
    uint64_t utime, stime;      /* clock ticks */
    int64_t num_threads;
    uint64_t starttime;         /* clock ticks since boot */
    uint64_t vsize;             /* bytes */
    int64_t rss_pages;
    /* Where the program image and its stack start: new on every exec under ASLR (0
     * when the reader may not ptrace-read the process). */
    uint64_t startcode, startstack;
    int processor;              /* last CPU */
};
int proc_parse_stat(const char *buf, size_t len, struct proc_stat *out);

/* /proc/PID/task/TID/sched ("key : value" lines). Fields absent stay at have=false. */
struct proc_sched {
    uint64_t nr_migrations;   bool have_migrations;
    uint64_t nr_switches;     bool have_switches;
    uint64_t nr_voluntary;    bool have_voluntary;
    uint64_t nr_involuntary;  bool have_involuntary;
    double sum_exec_runtime_ms; bool have_exec_runtime;
};
int proc_parse_sched(const char *buf, size_t len, struct proc_sched *out);

/* /proc/PID/task/TID/schedstat: "run_ns delay_ns timeslices". */
struct proc_schedstat {
    uint64_t run_ns, run_delay_ns, timeslices;
};
int proc_parse_schedstat(const char *buf, size_t len, struct proc_schedstat *out);

/* /proc/PID/task/TID/status: the fields gmptop uses. */
struct proc_status {
    char name[16];
    char state;
    unsigned uid_real, uid_effective; bool have_uid;
    uint64_t vol_ctxt, nonvol_ctxt;   bool have_ctxt;
    char cpus_allowed_list[64];       bool have_cpus_allowed;
    char mems_allowed_list[64];       bool have_mems_allowed;
    int64_t threads;                  bool have_threads;
    uint64_t vm_rss_kb;               bool have_rss;
};
int proc_parse_status(const char *buf, size_t len, struct proc_status *out);

/* A kernel CPU list ("0-3,8,10-11") -> bitmap of up to nbits CPUs.
 * Returns number of CPUs set, or -EINVAL on malformed input. */
int proc_parse_cpulist(const char *list, uint64_t *bits, size_t nbits);

/* One "cpuN ..." line set from /proc/stat: fills busy/total jiffies per CPU.
 * Calls cb for each cpuN line (not the aggregate "cpu" line). Returns count or -EINVAL. */
int proc_parse_cpu_stat(const char *buf, size_t len,
                        void (*cb)(void *ctx, int cpu, uint64_t busy, uint64_t total),
                        void *ctx);

/* Read a whole small file into buf (NUL-terminated). Returns length or -errno. */
long proc_read_file(const char *path, char *buf, size_t size);

#endif
