/* fuzz_numa_maps: libFuzzer target for the numa_maps parser (make fuzz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/numa_maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_entry(void *ctx, const struct numa_maps_entry *e)
{
    uint64_t *sum = ctx;
    /* Touch every field so the sanitizers see any uninitialised or stray byte. */
    *sum += e->addr + e->total_pages + e->other_pages + e->kernelpagesize_kb;
    *sum += strlen(e->policy) + strlen(e->nodelist) + strlen(e->path);
    *sum += numa_maps_base_pages(e, -1, 4) + numa_maps_base_pages(e, 0, 4);
    *sum += (uint64_t)strlen(numa_maps_mode_name(e->mode));
    uint64_t nodes = 0;
    for (int n = 0; n < NUMA_MAPS_MAX_NODES; n++)
        nodes += e->node_pages[n];
    if (nodes + e->other_pages != e->total_pages && nodes + e->other_pages >= nodes)
        abort();   /* the per-node counts must add up (unless they wrapped) */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy: ASan catches any read past len. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    uint64_t sum = 0;
    size_t bad = 0;
    numa_maps_parse(buf, size, check_entry, &sum, &bad);
    struct numa_maps_entry e;
    if (numa_maps_parse_line(buf, size, &e) == 0)
        check_entry(&sum, &e);
    free(buf);
    return 0;
}
