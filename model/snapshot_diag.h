/* snapshot_diag: the findings the diagnosis rules attached to a snapshot. */
#ifndef GMPTOP_SNAPSHOT_DIAG_H
#define GMPTOP_SNAPSHOT_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

enum diag_severity { DIAG_NONE = 0, DIAG_INFO, DIAG_WARN, DIAG_CRIT };

#define DIAG_MAX_EVIDENCE 6
#define DIAG_MESSAGE_LEN 400

struct diag_evidence {
    char key[32];              /* "runq_global", "gc_per_s" */
    double value;
};

struct diag_finding {
    char id[32];               /* rule id, e.g. "runq_backlog" */
    enum diag_severity severity;
    int64_t since_ns;          /* CLOCK_REALTIME when it started */
    char message[DIAG_MESSAGE_LEN];
    const char *pane;          /* where to look: "sched", "threads", ... (static) */
    struct diag_evidence evidence[DIAG_MAX_EVIDENCE];
    int nevidence;
};

/* What each rule concluded this tick; "unavailable" rules say why, never guess. */
enum diag_rule_state { DIAG_RULE_QUIET, DIAG_RULE_ACTIVE, DIAG_RULE_UNAVAILABLE,
                       DIAG_RULE_DISABLED };

#define DIAG_MAX_THRESHOLDS 4
#define DIAG_MAX_FIGURES 4

/* A figure a rule compared with its thresholds this tick ("queued_per_p" = 31.5), in the
 * unit of the threshold of the same name where there is one. Exported as metrics so a
 * fleet's alert rules judge the same numbers (prometheus/gmptop-alerts.yml). */
struct diag_figure {
    char name[24];
    double value;              /* NAN: not measurable this tick */
};

struct diag_rule_status {
    const char *id;            /* static, from the registry */
    enum diag_rule_state state;
    char why[120];             /* for UNAVAILABLE */
    struct diag_figure figures[DIAG_MAX_FIGURES];
    int nfigures;
    double thr[DIAG_MAX_THRESHOLDS]; /* the thresholds in force, in the registry's order */
};

struct diag_sample {
    struct diag_finding *findings;    /* owned: active findings, most severe first */
    size_t nfindings;
    struct diag_rule_status *rules;   /* owned: one per registered rule */
    size_t nrules;
};

static inline void diag_sample_free(struct diag_sample *d)
{
    free(d->findings);
    free(d->rules);
}

const char *diag_severity_name(enum diag_severity s);

#endif
