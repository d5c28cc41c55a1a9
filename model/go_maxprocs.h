/* go_maxprocs: the GOMAXPROCS a Go runtime picks by itself, by its own rule, so that
 * gmptop never advises what the runtime already does. */
#ifndef GMPTOP_GO_MAXPROCS_H
#define GMPTOP_GO_MAXPROCS_H

#include <stdint.h>

/* What decides the runtime's default (runtime/cgroup_linux.go, schedinit, Go 1.25+):
 * GOMAXPROCS=n in the environment (n > 0) wins and is never updated; otherwise the CPUs
 * of the affinity mask, capped by the CPU limit of the cgroup the runtime opened at start
 * (quota/period rounded up, never below 2) when GODEBUG containermaxprocs is on. Before
 * Go 1.25 the cgroup plays no part. */
struct go_maxprocs_in {
    int go_minor;             /* 25 for go1.25.x; 0 unknown (taken as before 1.25) */
    int32_t cpus;             /* CPUs in the affinity mask; <= 0 unknown */
    double quota;             /* CPU limit of the runtime's own cgroup; NAN none */
    int containermaxprocs;    /* 1 on, 0 off, -1 the version's default (on from 1.25) */
    int32_t env_gomaxprocs;   /* GOMAXPROCS=n in its environment; 0 none or invalid */
};

/* The runtime's default GOMAXPROCS for in; -1 when cpus is unknown. */
int32_t go_maxprocs_default(const struct go_maxprocs_in *in);

/* The integer value of key in a GODEBUG-style "k=v,k=v" list, the last one winning as
 * in the runtime's start-up parse; returns 1 and *value when set to an integer, else 0
 * (absent, or a value the runtime's Atoi32 would also ignore). */
int go_maxprocs_godebug(const char *list, const char *key, int32_t *value);

/* How the runtime's GOMAXPROCS policy was found, for the snapshot (0 = unknown, so an
 * old recording replays as unknown). */
enum go_maxprocs_flags {
    GO_MAXPROCS_KNOWN = 1,        /* the flags below were determined */
    GO_MAXPROCS_CONTAINER = 2,    /* containermaxprocs on: the default follows the quota */
    GO_MAXPROCS_UPDATE = 4,       /* updatemaxprocs on: sysmon re-applies it each second */
    GO_MAXPROCS_OFF_BY_ENV = 8,   /* the target's GODEBUG environment turned it off */
    GO_MAXPROCS_OFF_BY_BUILD = 16,/* the binary's DefaultGODEBUG (go.mod < 1.25, or a
                                   * //go:debug line) turned it off */
    GO_MAXPROCS_CGROUP_OPEN = 32, /* the runtime holds its cgroup's CPU limit file open */
};

#endif
