/* export_prom: a snapshot pair as Prometheus text exposition (format 0.0.4); pure, no
 * I/O, so it is unit-tested on synthetic snapshots. */
#ifndef GMPTOP_EXPORT_PROM_H
#define GMPTOP_EXPORT_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/snapshot.h"

#define EXPORT_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The metrics of cur, with rates over the interval from prev (may be NULL: rates are
 * then omitted). Unmeasurable values are left out, never written as 0. Returns a
 * malloc'd NUL-terminated text (length in *len when len is not NULL), or NULL when out
 * of memory. */
char *export_prom(const struct snapshot *prev, const struct snapshot *cur, size_t *len);

/* The exporter's own health (gmptop --listen), counted by its sampling loop. */
struct prom_scrape {
    double sample_seconds;       /* the last session_tick; NAN when unknown */
    uint64_t sample_errors;      /* ticks that failed other than by the target exiting */
    uint64_t encode_errors;      /* expositions that could not be built (no memory) */
};

/* export_prom, then gmptop_build_info, gmptop_sample_duration_seconds,
 * gmptop_scrape_errors_total{cause} and, last, gmptop_scrape_duration_seconds: the time
 * this call took up to that line. */
char *export_prom_scrape(const struct snapshot *prev, const struct snapshot *cur,
                         const struct prom_scrape *sc, size_t *len);

#endif
