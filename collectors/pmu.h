/* pmu: which hardware events measure cycles, instructions, L3 and dTLB on this CPU, chosen
 * at run time from /proc/cpuinfo and /sys/bus/event_source/devices (tables per vendor). */
#ifndef GMPTOP_PMU_H
#define GMPTOP_PMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot_cores.h"

#define PMU_MAX_CPUS 8192
#define PMU_DEVICES "/sys/bus/event_source/devices"

enum pmu_vendor { PMU_VENDOR_OTHER, PMU_VENDOR_INTEL, PMU_VENDOR_AMD };

struct pmu_event {
    bool present;             /* false: this CPU has no event for it (why says so) */
    uint32_t type;            /* perf_event_attr.type */
    uint64_t config, config1;
    bool uncore;              /* counts a whole L3 domain: opened on one CPU per domain
                               * (the PMU's cpumask), never per thread, no exclude bits */
    char source[128];         /* where the encoding came from, for the pane and --list */
    char why[96];
};

struct pmu_info {
    enum pmu_vendor vendor;
    int family, model;        /* -1 unknown */
    char model_name[64];
    bool hypervisor;          /* cpuinfo flags list "hypervisor": a VM */
    char core_pmu[16];        /* "cpu", "cpu_core" (hybrid Intel) or "" when none */
    bool hybrid;              /* Intel cpu_core + cpu_atom: two core PMUs, each on its own
                               * CPUs; a per-thread event counts on one kind only */
    int core_type;            /* its sysfs type number, -1 when none */
    char table[64];           /* which table was chosen */
    struct pmu_event ev[CORES_EV_HW_COUNT];
    bool have_l3_cpumask;     /* uncore L3: the CPUs its events must be opened on */
    uint64_t l3_cpumask[PMU_MAX_CPUS / 64];
};

/* Fill p for the machine under root ("" = this one): vendor, model, core PMU, then the
 * vendor's table. Never fails: unknown parts are marked not present with a reason. */
void pmu_detect(const char *root, struct pmu_info *p);

/* Vendor tables (pmu_intel.c, pmu_amd.c); pmu_generic_table (pmu_encode.c) for
 * everything else. They build with pmu_encode.h. */
void pmu_intel_table(const char *root, struct pmu_info *p);
void pmu_amd_table(const char *root, struct pmu_info *p);

#endif
