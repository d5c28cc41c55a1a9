/* export_prom: a snapshot pair as Prometheus text exposition (format 0.0.4); pure, no
 * I/O, so it is unit-tested on synthetic snapshots. */
#ifndef GMPTOP_EXPORT_PROM_H
#define GMPTOP_EXPORT_PROM_H

#include <stddef.h>
#include <stdio.h>
#include "model/snapshot.h"

#define EXPORT_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The metrics of cur, with rates over the interval from prev (may be NULL: rates are
 * then omitted). Unmeasurable values are left out, never written as 0. Returns a
 * malloc'd NUL-terminated text (length in *len when len is not NULL), or NULL when out
 * of memory. */
char *export_prom(const struct snapshot *prev, const struct snapshot *cur, size_t *len);

/* ---- the writer, shared by export_prom.c and export_prom_sections.c ----------------- */
struct prom {
    FILE *f;
    const char *family, *type, *help;   /* header written before the first sample */
    char label_buf[512];
};

void prom_family(struct prom *w, const char *name, const char *type, const char *help);
/* One sample of the current family: suffix ("", "_bucket", "_sum", "_count"), labels
 * already formatted (prom_labels) or NULL. NAN is skipped. */
void prom_sample(struct prom *w, const char *suffix, const char *labels, double v);
/* name="value" pairs (n pairs of const char *), values escaped; returns buf. */
const char *prom_labels(char *buf, size_t len, int n, ...);
/* A histogram of one label set from cumulative-by-construction buckets: le[] (seconds,
 * INFINITY for the open-ended one) ascending, count[] per bucket (not cumulative).
 * Adds +Inf when le[] lacks it. extra: labels to put before le, or NULL. */
void prom_histogram(struct prom *w, const char *extra, const double *le,
                    const uint64_t *count, size_t n, double sum);

/* Sections (export_prom_sections.c). */
void prom_timehists(struct prom *w, const struct snapshot *cur);
void prom_park(struct prom *w, const struct snapshot *cur);
void prom_cores(struct prom *w, const struct snapshot *prev, const struct snapshot *cur);
void prom_numa(struct prom *w, const struct snapshot *cur);
void prom_diag(struct prom *w, const struct snapshot *cur);

#endif
