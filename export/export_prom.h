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

#endif
