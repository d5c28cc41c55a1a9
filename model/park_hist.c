/* park_hist: last-interval and since-attach views of the BPF park histograms. */
#include "model/park_hist.h"

#include <math.h>
#include <string.h>

/* Edge k of the kernel's slots: 1.25 ms x 2^(k-21), to the nearest ns (edges below
 * 78 us are fractions of a ns; the kernel compares exactly, so a duration of exactly a
 * rounded edge may be filed one slot off: far below what a uprobe can resolve). */
static uint64_t edge_ns(size_t k)
{
    return (uint64_t)(ldexp(1250000.0, (int)k - 21) + 0.5);
}

uint64_t park_slot_lower_ns(size_t i)
{
    if (i >= SNAPSHOT_PARK_SLOTS)
        return PARK_HIST_INF;
    return i == 0 ? 0 : edge_ns(i);
}

uint64_t park_slot_le_ns(size_t i)
{
    if (i + 1 >= SNAPSHOT_PARK_SLOTS)
        return PARK_HIST_INF;
    return edge_ns(i + 1);
}

bool park_same_epoch(const struct snapshot *prev, const struct snapshot *cur)
{
    return prev && cur && prev->park.valid && cur->park.valid &&
           prev->meta.pid == cur->meta.pid && prev->park.epoch == cur->park.epoch;
}

const struct park_hist_sample *park_find_reason(const struct park_sample *s, int32_t reason)
{
    for (size_t i = 0; s && i < s->nreasons; i++)
        if (s->reasons[i].reason == reason)
            return &s->reasons[i];
    return NULL;
}

int park_hist_delta(const struct park_hist_sample *prev, const struct park_hist_sample *cur,
                    struct park_hist_sample *out)
{
    *out = *cur;
    if (!prev)
        return 0;
    bool bad = cur->count < prev->count || cur->sum_ns < prev->sum_ns;
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS && !bad; i++) {
        if (cur->slots[i] < prev->slots[i])
            bad = true;
        else
            out->slots[i] = cur->slots[i] - prev->slots[i];
    }
    if (bad) {
        memset(out->slots, 0, sizeof(out->slots));
        out->count = out->sum_ns = out->max_ns = 0;
        return -1;
    }
    out->count = cur->count - prev->count;
    out->sum_ns = cur->sum_ns - prev->sum_ns;
    if (out->count == 0) {
        out->max_ns = 0;
    } else if (cur->max_ns <= prev->max_ns) {
        int top = -1;
        for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++)
            if (out->slots[i])
                top = (int)i;
        uint64_t le = top >= 0 ? park_slot_le_ns((size_t)top) : PARK_HIST_INF;
        out->max_ns = le < cur->max_ns ? le : cur->max_ns;
    }
    return 0;
}

uint64_t park_hist_quantile_ns(const struct park_hist_sample *h, unsigned permille)
{
    uint64_t total = 0;
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++)
        total += h->slots[i];
    if (total == 0)
        return 0;
    uint64_t rank = (total * permille + 999) / 1000;
    if (rank == 0)
        rank = 1;
    uint64_t run = 0;
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++) {
        run += h->slots[i];
        if (run >= rank) {
            uint64_t le = park_slot_le_ns(i);
            /* The maximum bounds every quantile and makes the open top slot finite. */
            return h->max_ns && h->max_ns < le ? h->max_ns : le;
        }
    }
    return h->max_ns;
}

int park_hist_fullest(const struct park_hist_sample *h)
{
    int best = -1;
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++)
        if (h->slots[i] && (best < 0 || h->slots[i] > h->slots[best]))
            best = (int)i;
    return best;
}
