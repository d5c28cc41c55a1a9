/* fuzz_cpuprof: the on-CPU sampler's readers of kernel-written bytes: one sample record
 * (cpuprof_perf_parse) and a whole perf ring with arbitrary head and tail, records that
 * wrap its end, torn sizes and lost-sample records (cpuprof_ring_walk). Input: 4 bytes of
 * tail, 4 of head (offsets), then the ring's data area (padded to 4 KiB). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cpuprof_perf.h"

#define RING 4096

static void check(void *arg, const struct cpuprof_raw *r)
{
    (void)arg;
    if (r->nips > CPUPROF_MAX_DEPTH)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cpuprof_raw raw;
    static uint8_t scratch[65536], ring[RING];
    if (cpuprof_perf_parse(data, size, &raw) == 0 && raw.nips > CPUPROF_MAX_DEPTH)
        abort();
    if (size < 8)
        return 0;
    uint32_t t, h;
    memcpy(&t, data, 4);
    memcpy(&h, data + 4, 4);
    memset(ring, 0, sizeof(ring));
    memcpy(ring, data + 8, size - 8 < RING ? size - 8 : RING);
    uint64_t lost = 0;
    /* Offsets as the kernel keeps them: ever-growing, the ring is their remainder. */
    uint64_t tail = 0x100000000ULL + t % (4 * RING), head = tail + h % (2 * RING);
    cpuprof_ring_walk(ring, RING, tail, head, scratch, check, NULL, &lost, &raw);
    return 0;
}
