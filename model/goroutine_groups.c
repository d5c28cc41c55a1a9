/* goroutine_groups: group identity and growth across snapshots. */
#include "model/goroutine_groups.h"

#include <math.h>

#include "model/snapshot.h"

const struct goroutine_group *goroutine_group_find(const struct goroutines_sample *s,
                                                   const struct goroutine_group *g)
{
    if (!s || !s->valid)
        return NULL;
    /* Pooled stacks and strings: identity is pointer equality. */
    for (size_t i = 0; i < s->ngroups; i++) {
        const struct goroutine_group *o = &s->groups[i];
        if (o->stack == g->stack && o->status == g->status &&
            o->wait_reason == g->wait_reason)
            return o;
    }
    return NULL;
}

double goroutine_group_growth_per_s(const struct goroutines_sample *older,
                                    const struct goroutines_sample *newer,
                                    const struct goroutine_group *g)
{
    if (!older || !newer || !older->valid || !newer->valid ||
        newer->refreshed_ns <= older->refreshed_ns)
        return NAN;
    const struct goroutine_group *o = goroutine_group_find(older, g);
    if (!o && older->other_count > 0)
        return NAN;
    double dt = (double)(newer->refreshed_ns - older->refreshed_ns) / 1e9;
    return ((double)g->count - (o ? (double)o->count : 0.0)) / dt;
}

const char *goroutine_group_status_name(const struct goroutine_group *g)
{
    const char *n = g->status >= 0 && g->status < GO_G_CLASS_COUNT
                        ? go_g_class_name((enum go_g_class)g->status) : NULL;
    return n ? n : "unknown";
}
