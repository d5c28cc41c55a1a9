/* pmu_intel: Intel's event table. The generic cache events map to the last-level cache
 * (LONGEST_LAT_CACHE), so the core PMU's own sysfs aliases are used, encoded through its
 * format/ files; dTLB load walks come from the kernel's per-model HW_CACHE table. */
#include "collectors/pmu_encode.h"

#include <stdio.h>
#include <linux/perf_event.h>

/* Architectural encodings (Intel SDM vol. 3, "Pre-defined architectural performance
 * events"), the same on every Intel core since Core 2: used when sysfs has no alias. */
#define INTEL_LLC_MISS "event=0x2e,umask=0x41"
#define INTEL_LLC_REF "event=0x2e,umask=0x4f"

static void llc_event(const char *root, const struct pmu_info *p, const char *alias,
                      const char *arch, uint64_t generic, struct pmu_event *ev)
{
    /* Hybrid parts: an event typed for cpu_core is refused (ENOENT) on the cpu_atom CPUs.
     * The generic event is the same architectural LLC encoding on both, and the kernel
     * opens it on whichever core PMU owns the CPU. */
    if (p->hybrid) {
        pmu_generic(ev, PERF_TYPE_HARDWARE, generic,
                    generic == PERF_COUNT_HW_CACHE_MISSES
                        ? "generic cache-misses (LLC; cpu_core or cpu_atom per CPU)"
                        : "generic cache-references (LLC; cpu_core or cpu_atom per CPU)");
        return;
    }
    if (p->core_pmu[0] && pmu_sysfs_event(root, p->core_pmu, alias, ev) == 0)
        return;
    if (p->core_pmu[0] && pmu_encode(root, p->core_pmu, arch, ev) == 0) {
        snprintf(ev->source, sizeof(ev->source), "%s/%s/ (architectural LLC event)",
                 p->core_pmu, arch);
        return;
    }
    /* No core PMU in sysfs at all: the generic event still names the LLC on Intel, and
     * opening it gives the honest errno (ENOENT in a VM without a virtual PMU). */
    pmu_generic(ev, PERF_TYPE_HARDWARE, generic,
                generic == PERF_COUNT_HW_CACHE_MISSES ? "generic cache-misses (LLC on Intel)"
                                                      : "generic cache-references (LLC on Intel)");
}

void pmu_intel_table(const char *root, struct pmu_info *p)
{
    snprintf(p->table, sizeof(p->table), "Intel family %d model %d: LLC events", p->family,
             p->model);
    /* Cycles and instructions have fixed counters; the generic events reach them on
     * every model, hybrid parts included (the kernel picks the PMU of each CPU). */
    pmu_generic(&p->ev[CORES_EV_CYCLES], PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
                "generic cycles (fixed counter)");
    pmu_generic(&p->ev[CORES_EV_INSTRUCTIONS], PERF_TYPE_HARDWARE,
                PERF_COUNT_HW_INSTRUCTIONS, "generic instructions (fixed counter)");
    llc_event(root, p, "cache-misses", INTEL_LLC_MISS, PERF_COUNT_HW_CACHE_MISSES,
              &p->ev[CORES_EV_L3_MISS]);
    llc_event(root, p, "cache-references", INTEL_LLC_REF, PERF_COUNT_HW_CACHE_REFERENCES,
              &p->ev[CORES_EV_L3_ACCESS]);
    /* DTLB_LOAD_MISSES.* changed encoding across models (0x08 before Golden Cove, 0x12
     * after; MISS_CAUSES_A_WALK vs WALK_COMPLETED); the kernel keeps that table. */
    pmu_generic(&p->ev[CORES_EV_DTLB_MISS], PERF_TYPE_HW_CACHE,
                PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8)
                    | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
                "dTLB-load-misses (kernel's DTLB_LOAD_MISSES walk event for this model)");
}
