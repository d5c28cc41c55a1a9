/* json_park: the "park" and "wake_to_run" sections of a snapshot's JSON:
 * BPF park latency per wait reason and wake-to-run latency, over the last interval. */
#include "export/json_sections.h"

#include <stdlib.h>
#include <string.h>

#include "export/json_util.h"
#include "model/park_hist.h"

static const char *state_name(enum park_gov_state s)
{
    switch (s) {
    case PARK_GOV_ON: return "on";
    case PARK_GOV_SAMPLING: return "sampling";
    case PARK_GOV_OFF: return "off";
    case PARK_GOV_UNAVAILABLE: break;
    }
    return "unavailable";
}

static json_object *ns_json(uint64_t ns)
{
    return ns == PARK_HIST_INF ? NULL : json_object_new_int64((int64_t)ns);
}

/* Only non-empty buckets; le_ns is the exclusive upper bound, null for the open top. */
static json_object *buckets_json(const struct park_hist_sample *h)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++) {
        if (!h->slots[i])
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "le_ns", ns_json(park_slot_le_ns(i)));
        json_object_object_add(o, "count", json_object_new_int64((int64_t)h->slots[i]));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* Quantiles of an empty interval are unknown (null), never 0 ns. */
static json_object *quantile_json(const struct park_hist_sample *h, unsigned permille)
{
    return h->count ? ns_json(park_hist_quantile_ns(h, permille)) : NULL;
}

/* The interval of cur's histogram: against prev's when the maps are the same, else since
 * the attach (the maps start at zero then). */
static void interval_of(const struct park_hist_sample *prev, const struct park_hist_sample *cur,
                        struct park_hist_sample *out)
{
    if (park_hist_delta(prev, cur, out) < 0)
        park_hist_delta(NULL, cur, out);
}

struct reason_row {
    const struct park_hist_sample *cum;
    struct park_hist_sample iv;
};

static int row_cmp(const void *a, const void *b)
{
    const struct reason_row *x = a, *y = b;
    if (x->iv.count != y->iv.count)
        return x->iv.count > y->iv.count ? -1 : 1;
    return x->cum->reason - y->cum->reason;
}

static json_object *reason_json(const struct reason_row *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "reason", json_object_new_string(r->cum->name));
    json_object_object_add(o, "reason_id", json_object_new_int(r->cum->reason));
    json_object_object_add(o, "count", json_object_new_int64((int64_t)r->iv.count));
    json_object_object_add(o, "p50_ns", quantile_json(&r->iv, 500));
    json_object_object_add(o, "p99_ns", quantile_json(&r->iv, 990));
    json_object_object_add(o, "max_ns", r->iv.count ? ns_json(r->iv.max_ns) : NULL);
    json_object_object_add(o, "buckets", buckets_json(&r->iv));
    json_object *all = json_object_new_object();
    json_object_object_add(all, "count", json_object_new_int64((int64_t)r->cum->count));
    json_object_object_add(all, "p50_ns", quantile_json(r->cum, 500));
    json_object_object_add(all, "p99_ns", quantile_json(r->cum, 990));
    json_object_object_add(all, "max_ns", r->cum->count ? ns_json(r->cum->max_ns) : NULL);
    json_object_object_add(o, "since_attach", all);
    return o;
}

static json_object *events_json(const struct park_sample *p)
{
    static const char *const names[PARK_EV_COUNT] = {
        "calls", "park_starts", "park_ends", "runnable", "runs", "no_start", "stale",
        "bad_reason",
    };
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < PARK_EV_COUNT; i++)
        json_object_object_add(o, names[i], json_object_new_int64((int64_t)p->events[i]));
    return o;
}

json_object *json_park(const struct snapshot *prev, const struct snapshot *cur)
{
    const struct park_sample *p = &cur->park;
    if (!p->valid)
        return NULL;
    bool same = park_same_epoch(prev, cur);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", json_object_new_string("bpf-uprobe"));
    json_object_object_add(o, "probe", json_object_new_string(p->probe));
    json_object_object_add(o, "budget_pct", json_number(p->budget_pct, 2));
    json_object_object_add(o, "est_overhead_pct", json_number(p->est_overhead_pct, 3));
    json_object_object_add(o, "full_overhead_pct", json_number(p->full_overhead_pct, 3));
    json_object_object_add(o, "measured_overhead_pct", json_number(p->measured_overhead_pct, 3));
    json_object_object_add(o, "measured_overhead_err_pct", json_number(p->measured_err_pct, 3));
    json_object_object_add(o, "measured_cost_ns", json_number(p->measured_cost_ns, 1));
    json_object_object_add(o, "measured_cost_err_ns", json_number(p->measured_cost_err_ns, 1));
    json_object_object_add(o, "self_overhead_pct", json_number(p->self_overhead_pct, 3));
    json_object_object_add(o, "gov_cost_ns", json_number(p->gov_cost_ns, 1));
    json_object_object_add(o, "cost_source",
                           json_object_new_string(p->cost_measured ? "measured" : "calibration"));
    json_object_object_add(o, "state", json_object_new_string(state_name(p->state)));
    json_object_object_add(o, "why", json_object_new_string(p->why));
    json_object_object_add(o, "duty", json_number(p->duty, 3));
    json_object_object_add(o, "cost_ns", json_number(p->cost_ns, 1));
    json_object_object_add(o, "events_per_s", json_number(p->events_per_s, 1));
    json_object_object_add(o, "attached_s", json_number(p->attached_s, 3));
    json_object_object_add(o, "events", events_json(p));

    struct reason_row *rows = calloc(p->nreasons ? p->nreasons : 1, sizeof(*rows));
    json_object *arr = json_object_new_array();
    for (size_t i = 0; rows && i < p->nreasons; i++) {
        rows[i].cum = &p->reasons[i];
        const struct park_hist_sample *ph =
            same ? park_find_reason(&prev->park, p->reasons[i].reason) : NULL;
        interval_of(ph, &p->reasons[i], &rows[i].iv);
    }
    if (rows) {
        qsort(rows, p->nreasons, sizeof(*rows), row_cmp);
        for (size_t i = 0; i < p->nreasons; i++)
            json_object_array_add(arr, reason_json(&rows[i]));
    }
    free(rows);
    json_object_object_add(o, "reasons", arr);
    return o;
}

json_object *json_wake_to_run(const struct snapshot *prev, const struct snapshot *cur)
{
    const struct park_sample *p = &cur->park;
    if (!p->valid)
        return NULL;
    struct park_hist_sample iv;
    interval_of(park_same_epoch(prev, cur) ? &prev->park.wake : NULL, &p->wake, &iv);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", json_object_new_string("bpf-uprobe"));
    json_object_object_add(o, "count", json_object_new_int64((int64_t)iv.count));
    json_object_object_add(o, "buckets", buckets_json(&iv));
    json_object_object_add(o, "p50_ns", quantile_json(&iv, 500));
    json_object_object_add(o, "p99_ns", quantile_json(&iv, 990));
    json_object_object_add(o, "max_ns", iv.count ? ns_json(iv.max_ns) : NULL);
    return o;
}
