/* pmu_amd: AMD Zen's event table. The generic cache-misses counts L2 on Zen, so the L3
 * comes from the amd_l3 uncore PMU (one per CCX, counting the whole L3 domain) and dTLB
 * misses are L2-DTLB misses (page walks), both encoded through the PMUs' format/ files. */
#include "collectors/pmu_encode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/perf_event.h>


#define AMD_L3_PMU "amd_l3"

/* AMD PPRs / perf's pmu-events for each family. Zen 1/2 (family 0x17) count L3 misses
 * in the cluster-state event; Zen 3 and later in L3LookupState. */
struct zen_l3 {
    int min_family;
    const char *name;
    const char *miss, *access;
    const char *miss_name, *access_name;
};
static const struct zen_l3 zen_l3_table[] = {
    { 0x19, "Zen 3/4/5", "event=0x04,umask=0x01", "event=0x04,umask=0xff",
      "l3_lookup_state.l3_miss", "l3_lookup_state.all_coherent_accesses_to_l3" },
    { 0x17, "Zen 1/2", "event=0x06,umask=0x01", "event=0x01,umask=0x80",
      "l3_comb_clstr_state.request_miss", "l3_request_g1.caching_l3_cache_accesses" },
};

/* ls_l1_d_tlb_miss.all_l2_miss: L1 dTLB misses that also missed the L2 dTLB and walked
 * the page table; the same encoding on every Zen. */
#define ZEN_DTLB_WALK "event=0x45,umask=0xf0"

static void l3_event(const char *root, struct pmu_info *p, const char *terms,
                     const char *name, struct pmu_event *ev)
{
    int r = pmu_encode(root, AMD_L3_PMU, terms, ev);
    if (r < 0) {
        char why[96];
        snprintf(why, sizeof(why), "amd_l3 cannot encode %s: %s", name, strerror(-r));
        pmu_absent(ev, why);
        return;
    }
    ev->uncore = true;
    snprintf(ev->source, sizeof(ev->source), "amd_l3/%s/ %s", terms, name);
    (void)p;
}

static void read_l3_cpumask(const char *root, struct pmu_info *p)
{
    p->have_l3_cpumask = pmu_cpulist(root, AMD_L3_PMU, "cpumask", p->l3_cpumask,
                                     PMU_MAX_CPUS) > 0;
}

void pmu_amd_table(const char *root, struct pmu_info *p)
{
    if (p->family < 0x17) {
        /* Pre-Zen (Bulldozer and older): no table; generic events, labelled as such. */
        pmu_generic_table(p);
        snprintf(p->table, sizeof(p->table), "AMD family 0x%x (pre-Zen): generic events",
                 (unsigned)p->family);
        return;
    }
    const struct zen_l3 *z = &zen_l3_table[0];
    for (size_t i = 0; i < sizeof(zen_l3_table) / sizeof(zen_l3_table[0]); i++) {
        if (p->family >= zen_l3_table[i].min_family) {
            z = &zen_l3_table[i];
            break;
        }
    }
    snprintf(p->table, sizeof(p->table), "AMD %s (family 0x%x): L3 from amd_l3", z->name,
             (unsigned)p->family);
    pmu_generic(&p->ev[CORES_EV_CYCLES], PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
                "generic cycles");
    pmu_generic(&p->ev[CORES_EV_INSTRUCTIONS], PERF_TYPE_HARDWARE,
                PERF_COUNT_HW_INSTRUCTIONS, "generic instructions");

    const char *core = p->core_pmu[0] ? p->core_pmu : "cpu";
    struct pmu_event *dtlb = &p->ev[CORES_EV_DTLB_MISS];
    if (pmu_encode(root, core, ZEN_DTLB_WALK, dtlb) == 0) {
        snprintf(dtlb->source, sizeof(dtlb->source), "%s/%s/ ls_l1_d_tlb_miss.all_l2_miss",
                 core, ZEN_DTLB_WALK);
    } else {
        /* No core PMU in sysfs: a raw event with the x86 layout still gives the honest
         * errno when opened (ENOENT in a VM without a virtual PMU). */
        pmu_generic(dtlb, PERF_TYPE_RAW, 0xf045, "raw 0xf045 ls_l1_d_tlb_miss.all_l2_miss");
    }

    if (!pmu_exists(root, AMD_L3_PMU)) {
        const char *why = p->core_pmu[0]
            ? "no amd_l3 uncore PMU (amd_uncore driver not loaded?); the generic "
              "cache-misses counts L2 on Zen, so it is not used"
            : "no amd_l3 uncore PMU under " PMU_DEVICES;
        pmu_absent(&p->ev[CORES_EV_L3_MISS], why);
        pmu_absent(&p->ev[CORES_EV_L3_ACCESS], why);
        return;
    }
    l3_event(root, p, z->miss, z->miss_name, &p->ev[CORES_EV_L3_MISS]);
    l3_event(root, p, z->access, z->access_name, &p->ev[CORES_EV_L3_ACCESS]);
    read_l3_cpumask(root, p);
}
