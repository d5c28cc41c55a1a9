/* options: the command line, parsed into one plain struct. */
#ifndef GMPTOP_OPTIONS_H
#define GMPTOP_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum output_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROM };

struct options {
    pid_t pid;                 /* 0 = pick */
    double delay_s;            /* -d, refresh interval */
    bool batch;                /* -b */
    long count;                /* -n, 0 = forever */
    enum output_format format; /* --format */
    const char *theme;         /* --theme, NULL = default */
    const char *demo;          /* --demo NAME|list */
    const char *collectors;    /* --collectors LIST, NULL = all */
    bool list_collectors;      /* --list-collectors */
    bool no_color;             /* NO_COLOR set or --no-color */
    double sched_hz;           /* --sched-hz, runqueue samples per second */
    double bpf_budget_pct;     /* --bpf-budget, BPF probe cost allowed (% of a core) */
    double stacks_budget_ms;   /* --stacks-budget: goroutine stack reading per refresh */
    bool bpf_budget_given;     /* ...given on the command line (not the default) */
    bool diagnose_only;        /* --diagnose-only: batch prints findings as they start/end */
    int fail_on;               /* --fail-on: enum diag_severity, 0 = never fail */
    const char *record;        /* --record FILE: append every snapshot to a recording */
    const char *replay;        /* --replay FILE: show a recording instead of a process */
    const char *listen;        /* --listen [ADDR]:PORT: serve Prometheus /metrics */
    long history;              /* --history N snapshots kept; 0 = gmptoprc's, or 600 */
    long rewind;               /* --rewind N snapshots to step back through; -1 unset */
    double profile_hz;         /* --profile-hz: on-CPU samples/s per thread, 0 off */
    const char *profile;       /* --profile FILE: write a pprof profile and exit */
    const char *profile_folded;/* --profile-folded FILE: the same as folded stacks */
    double profile_seconds;    /* --profile-seconds: how long they sample */
    bool help, version;
};

/* Parse argv. Returns 0, or 2 on a usage error after printing the message and usage
 * to err. */
int options_parse(int argc, char **argv, struct options *o, FILE *err);
/* The range --history and gmptoprc's `history` accept (the usage text and message in
 * options.c spell them out). */
#define OPTIONS_HISTORY_MIN 10
#define OPTIONS_HISTORY_MAX 36000

struct settings;
/* Snapshots to keep: --history, else the settings' `history` (a bad value is reported on
 * err and ignored, as every settings problem is), else 0 (the session's default). */
size_t options_history(const struct options *o, const struct settings *settings, FILE *err);
/* Snapshots the TUI keeps compressed for rewinding: --rewind, else gmptoprc's `rewind`,
 * else OPTIONS_REWIND_DEFAULT; 0 = none. */
#define OPTIONS_REWIND_MIN 10
#define OPTIONS_REWIND_DEFAULT 3600
size_t options_rewind(const struct options *o, const struct settings *settings, FILE *err);
/* Seconds the screen's on-CPU profiler samples on after its panes close: gmptoprc's
 * `profile_linger` (0: it never pauses), else OPTIONS_PROFILE_LINGER_DEFAULT. */
#define OPTIONS_PROFILE_LINGER_DEFAULT 60
#define OPTIONS_PROFILE_LINGER_MAX 86400
size_t options_profile_linger(const struct settings *settings, FILE *err);
void options_usage(FILE *out);

#endif
