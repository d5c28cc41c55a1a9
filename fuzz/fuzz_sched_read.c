/* fuzz_sched_read: the target-memory decoders (allp, P, M, G, schedt, allgs, wait-reason
 * strings, runtime time histograms) fed arbitrary bytes through the same mem_reader
 * interface the live path uses. Input: byte 0 picks the Go layout, the rest is the
 * target's memory at BASE. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sched_read.h"
#include "model/go_timehist.h"

#define BASE 0x400000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const versions[] = { "go1.19.8", "go1.22.12", "go1.23.5" };
    if (size < 2)
        return 0;
    struct go_offsets off;
    memset(&off, 0, sizeof(off));
    const char *v = versions[data[0] % 3];
    if (go_offsets_from_table(v, &off) < 0)
        return 0;
    snprintf(off.go_version, sizeof(off.go_version), "%s", v);
    struct mem_image img = { .base = BASE, .data = data + 1, .len = size - 1 };
    struct mem_reader mem = target_mem_image(&img);
    /* Globals at fixed places inside the image; pointers inside point anywhere. */
    struct sched_layout l = { .off = &off, .allp = BASE + 0x10, .gomaxprocs = BASE + 0x28,
                              .sched = BASE + 0x40, .allgs = BASE + 0x28 + 0x800,
                              .memstats = 0 };
    struct sched_scratch sc;
    memset(&sc, 0, sizeof(sc));
    struct sched_sample out;
    memset(&out, 0, sizeof(out));
    char why[160];
    if (sched_layout_check(&off, why, sizeof(why)) == 0) {
        sched_read(&mem, &l, &sc, &out, why, sizeof(why));
        sched_read_census(&mem, &l, &sc, 2000000, &out, why, sizeof(why));
        uint32_t runq[SCHED_MAX_PS];
        if (sc.npptrs)
            sched_read_runqs(&mem, &off, sc.pptrs, sc.npptrs, runq);
    }
    sched_read_reasons(&mem, &l, BASE + (data[0] & 0xf0), 1 + data[0] % 40);
    /* The time histogram decoder on the same bytes. */
    struct go_timehist_layout tl;
    int64_t nb = off.field[GO_TIMEHIST_NBUCKETS];
    if (nb > 0 && go_timehist_layout_for(v, (size_t)nb, &tl, why, sizeof(why)) == 0) {
        struct go_timehist_members m = {
            .counts = off.field[GO_TIMEHIST_COUNTS], .underflow = off.field[GO_TIMEHIST_UNDERFLOW],
            .overflow = off.field[GO_TIMEHIST_OVERFLOW], .size = off.field[GO_TIMEHIST_SIZE],
        };
        static struct go_timehist_raw a, b;
        static struct go_timehist_interval iv;
        size_t half = (size_t)(size - 1) / 2;
        if (go_timehist_raw_from_bytes(&tl, data + 1, half, &m, &a, why, sizeof(why)) == 0 &&
            go_timehist_raw_from_bytes(&tl, data + 1 + half, size - 1 - half, &m, &b, why,
                                       sizeof(why)) == 0)
            go_timehist_interval(&tl, &a, &b, &iv, why, sizeof(why));
    }
    free(out.ps);
    sched_scratch_free(&sc);
    sched_layout_free(&l);
    return 0;
}
