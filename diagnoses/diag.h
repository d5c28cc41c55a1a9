/* diag: diagnosis rules over the snapshot history, and the engine that runs them. Each
 * rule is one file (diagnoses/rule_*.c) and one line in diagnoses/registry.c. */
#ifndef GMPTOP_DIAG_H
#define GMPTOP_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/history.h"
#include "model/snapshot.h"

/* A tunable of a rule; its value lives in the config as diag.<rule>.<name>. */
struct diag_threshold {
    const char *name;          /* "queue_len" */
    double def;                /* default; the setup screen (F2) changes it */
    const char *unit;          /* "goroutines", "s", "%" */
    const char *help;          /* one line */
};

enum diag_verdict { DIAG_QUIET = 0, DIAG_FIRE, DIAG_UNAVAILABLE };

/* What a rule's check gets: the history (newest at age 0) and its thresholds. */
struct diag_ctx {
    const struct history *h;
    const double *thr;         /* values, in the order of the rule's thresholds */
    struct diag_rule_status *out; /* where diag_figure() puts the figures it judged */
};

struct diag_rule {
    const char *id;            /* short, stable: used in config, JSON and --fail-on output */
    const char *title;         /* a few words for lists */
    const char *pane;          /* where the evidence is: "sched", "threads", "latency", ... */
    const char *explain;       /* plain words for a class: what it means and what helps (F1) */
    struct diag_threshold thresholds[DIAG_MAX_THRESHOLDS];
    size_t nthresholds;
    /* Fill f (severity, message, evidence) and return DIAG_FIRE; or DIAG_QUIET; or
     * DIAG_UNAVAILABLE with why (its inputs are missing: no PMU, no BPF, ...). */
    enum diag_verdict (*check)(const struct diag_ctx *c, struct diag_finding *f,
                               char *why, size_t len);
};

/* The static registry. */
size_t diag_rule_count(void);
const struct diag_rule *diag_rule_at(size_t i);
const struct diag_rule *diag_rule_find(const char *id);

/* ---- engine ------------------------------------------------------------------------ */

struct settings;
struct diag_engine;

/* Thresholds and enable flags from cfg (NULL: defaults). */
struct diag_engine *diag_engine_new(const struct settings *cfg);
void diag_engine_free(struct diag_engine *e);
/* Run every enabled rule over h and attach the findings to the newest snapshot (which
 * the caller owns through h). A finding keeps the time it first fired as since. */
void diag_engine_run(struct diag_engine *e, struct history *h);
/* Forget active findings (new target). */
void diag_engine_reset(struct diag_engine *e);

/* Findings that started and ended, newest first, for the pane's "recent" list. */
struct diag_past {
    struct diag_finding f;
    int64_t ended_ns;
};
size_t diag_engine_past_count(const struct diag_engine *e);
const struct diag_past *diag_engine_past_at(const struct diag_engine *e, size_t i);

/* Per-rule settings (the setup screen edits them; settings_save persists them). */
bool diag_engine_enabled(const struct diag_engine *e, size_t rule);
void diag_engine_set_enabled(struct diag_engine *e, size_t rule, bool on);
double diag_engine_threshold(const struct diag_engine *e, size_t rule, size_t thr);
void diag_engine_set_threshold(struct diag_engine *e, size_t rule, size_t thr, double v);
/* Write the settings into cfg as diag.<rule>.enabled / diag.<rule>.<threshold>. */
void diag_engine_store(const struct diag_engine *e, struct settings *cfg);

/* Parse "info", "warn", "crit" (also "warning", "critical"); DIAG_NONE if unknown. */
enum diag_severity diag_severity_parse(const char *s);

#endif
