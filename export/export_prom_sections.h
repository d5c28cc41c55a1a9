/* export_prom_sections: the metrics of a snapshot's histogram, park, cores, numa,
 * diagnoses and goroutine-group sections (export_prom_sections.c), written through prom_write. */
#ifndef GMPTOP_EXPORT_PROM_SECTIONS_H
#define GMPTOP_EXPORT_PROM_SECTIONS_H

#include "export/prom_write.h"
#include "model/snapshot.h"

void prom_timehists(struct prom *w, const struct snapshot *cur);
void prom_park(struct prom *w, const struct snapshot *cur);
void prom_cores(struct prom *w, const struct snapshot *prev, const struct snapshot *cur);
void prom_numa(struct prom *w, const struct snapshot *cur);
void prom_diag(struct prom *w, const struct snapshot *cur);
void prom_goroutines(struct prom *w, const struct snapshot *cur);
void prom_cpuprof(struct prom *w, const struct snapshot *cur);   /* export_prom_cpuprof.c */

#endif
