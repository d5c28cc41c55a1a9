/* pmu_encode: named events to perf_event_attr encodings, and the sysfs lookups the vendor
 * tables share (pmu.h has the types). */
#ifndef GMPTOP_PMU_ENCODE_H
#define GMPTOP_PMU_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/pmu.h"

/* The events every kernel knows by number, for CPUs without a table of their own. */
void pmu_generic_table(struct pmu_info *p);

bool pmu_exists(const char *root, const char *pmu);
int pmu_type(const char *root, const char *pmu);      /* sysfs type, or -errno */
/* PMU's CPU list file FILE ("cpumask", "cpus") into bits (nbits wide, zeroed first).
 * Returns the number of CPUs listed, or < 0 when the file is missing or malformed. */
int pmu_cpulist(const char *root, const char *pmu, const char *file, uint64_t *bits,
                size_t nbits);
/* Encode "event=0x2e,umask=0x41" with PMU's format/ files into ev (type, config,
 * config1, source). Without format files the usual x86 layout is used and the source
 * says so. Returns 0 or -errno (-EINVAL: a term the PMU does not have). */
int pmu_encode(const char *root, const char *pmu, const char *terms, struct pmu_event *ev);
/* Encode PMU's events/NAME sysfs alias. Returns 0 or -errno (-ENOENT: no such alias). */
int pmu_sysfs_event(const char *root, const char *pmu, const char *name,
                    struct pmu_event *ev);
/* Set ev to a generic PERF_TYPE_HARDWARE / HW_CACHE event. */
void pmu_generic(struct pmu_event *ev, uint32_t type, uint64_t config, const char *source);
/* Mark ev absent with a reason. */
void pmu_absent(struct pmu_event *ev, const char *why);

#endif
