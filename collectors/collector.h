/* collector: the one small interface every data source implements. */
#ifndef GMPTOP_COLLECTOR_H
#define GMPTOP_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/snapshot.h"
#include "target/target.h"

#define COLLECTOR_REASON_LEN SNAPSHOT_REASON_LEN

/* Settings from the command line that collectors may use. */
struct collector_config {
    double sched_hz;              /* --sched-hz: runqueue sampling rate */
    int64_t census_budget_ns;     /* time allowed for the goroutine census per tick */
    /* Time allowed for reading goroutine stacks per refresh (once a second); 0 off. */
    int64_t groups_budget_ns;
    double bpf_budget_pct;        /* --bpf-budget: BPF probe cost allowed, % of one core */
    /* Why the budget is not what the user set or the default, said next to it; NULL
     * when it is (static string). */
    const char *bpf_budget_note;
    /* Count hardware events per target thread too (tiptop style; the cores pane's t
     * key). Collectors keep a pointer to the session's config and read this at every
     * sample; the cores collector does it while the file-descriptor budget allows and
     * says in the snapshot (cores.per_thread, cores.thread_note) what it managed. */
    bool cores_per_thread;
    /* --profile-hz: on-CPU samples per second of each target thread; 0 off. */
    double profile_hz;
    /* On-CPU samples kept at least this long (s): a --profile run's seconds; 0 for the
     * minute the CPU pane's window covers (the TUI's W writes 30 s of it). */
    double profile_keep_s;
    /* On demand (the TUI without --record): > 0 samples only while a pane that shows
     * the profile is on screen (profile_shown_ns, CLOCK_MONOTONIC, bumped by the TUI at
     * each refresh; 0 never) and this many seconds after; the rest of the time its
     * events are closed and its samples dropped, so neither the target nor gmptop pays
     * for a profile nobody reads. 0: always (batch, --listen, --profile, --record). */
    double profile_linger_s;
    int64_t profile_shown_ns;
    /* A request to write the last profile_req_seconds of on-CPU samples to files: the
     * TUI's key and --profile bump profile_req_seq; the cpuprof collector writes at its
     * next sample and answers in cpuprof.export_msg. "" skips a format. */
    unsigned profile_req_seq;
    double profile_req_seconds;
    char profile_req_pprof[1024];
    char profile_req_folded[1024];
};
#define COLLECTOR_CONFIG_DEFAULT { .sched_hz = 10.0, .census_budget_ns = 5000000, \
                                   .groups_budget_ns = 20000000, \
                                   .bpf_budget_pct = 2.0, .profile_hz = 99.0 }

/* A collector: open for a target -> sample into a snapshot each tick -> close.
 * It never draws and never exits the program; what it cannot do it reports as a
 * reason ("needs CAP_BPF", "no hardware PMU in this VM"). */
struct collector_ops {
    const char *name;        /* short, used by --collectors */
    const char *summary;     /* one line for --list-collectors */
    const char *pane;        /* which pane shows it */
    /* Can it work on this machine at all (no target)? true or false + reason. */
    bool (*probe)(char *reason, size_t len);
    /* Prepare for a target; return private state (non-NULL) or NULL + reason. cfg is
     * the session's and outlives the state; it may change between samples. */
    void *(*open)(const struct target *t, const struct collector_config *cfg,
                  char *reason, size_t len);
    /* Add this tick's data to s. Return 0, or -errno with reason filled; -ESRCH means
     * the target is gone. */
    int (*sample)(void *state, const struct target *t, struct snapshot *s,
                  char *reason, size_t len);
    void (*close)(void *state);
};

/* The static registry (collectors/registry.c). */
size_t collector_count(void);
const struct collector_ops *collector_at(size_t i);
const struct collector_ops *collector_find(const char *name);

/* Check a --collectors list before anything is opened: 0, or -EINVAL + message. */
int collector_names_check(const char *names, char *msg, size_t msglen);

/* A set of opened collectors for one target. */
struct collector_set;

/* names: comma-separated list, or NULL for all. Unknown name -> NULL + message. */
struct collector_set *collector_set_open(const char *names, const struct target *t,
                                         const struct collector_config *cfg,
                                         char *msg, size_t msglen);
/* Run every collector once into s (status entries included). Returns -ESRCH when the
 * target went away, else 0. */
int collector_set_sample(struct collector_set *cs, struct snapshot *s);
void collector_set_close(struct collector_set *cs);
/* Print every collector with its availability on this machine (--list-collectors). */
void collector_list_print(FILE *out);

#endif
