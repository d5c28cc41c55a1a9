/* prom_write: the Prometheus text writer shared by every metrics section. */
#ifndef GMPTOP_PROM_WRITE_H
#define GMPTOP_PROM_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
