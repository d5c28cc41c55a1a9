/* json_numa: the "numa" section of a snapshot's JSON. */
#include "export/json_sections.h"

#include <string.h>

#include "export/json_util.h"

/* "" is unknown: null, never an empty string that looks like a value. */
static json_object *str_or_null(const char *s)
{
    return s && s[0] ? json_object_new_string(s) : NULL;
}

static json_object *pages_object(const struct numa_node_sample *n)
{
    static const char *const names[NUMA_KIND_COUNT] = {
        [NUMA_KIND_HEAP] = "heap", [NUMA_KIND_STACK] = "stack", [NUMA_KIND_ANON] = "anon",
        [NUMA_KIND_FILE] = "file", [NUMA_KIND_HUGE] = "huge",
    };
    json_object *o = json_object_new_object();
    json_object_object_add(o, "total", json_int_or_null(n->pages_total));
    for (int k = 0; k < NUMA_KIND_COUNT; k++)
        json_object_object_add(o, names[k], json_int_or_null(n->pages[k]));
    return o;
}

static json_object *node_object(const struct numa_sample *ns, size_t i)
{
    const struct numa_node_sample *n = &ns->nodes[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "node", json_object_new_int(n->node));
    json_object_object_add(o, "cpus", str_or_null(n->cpus));
    json_object_object_add(o, "mem_total_kb", json_int_or_null(n->mem_total_kb));
    json_object_object_add(o, "mem_free_kb", json_int_or_null(n->mem_free_kb));
    json_object_object_add(o, "pages", pages_object(n));
    json_object_object_add(o, "threads", json_object_new_int(n->threads));
    json_object_object_add(o, "ps", json_object_new_int(n->ps));
    json_object_object_add(o, "heap_sampled_pct", json_number(n->heap_sampled_pct, 2));
    json_object *d = json_object_new_array();
    for (size_t j = 0; j < ns->nnodes; j++)
        json_object_array_add(d, json_int_or_null(ns->distance[i * ns->nnodes + j]));
    json_object_object_add(o, "distance", d);
    return o;
}

json_object *json_numa(const struct snapshot *prev, const struct snapshot *cur)
{
    (void)prev;
    const struct numa_sample *ns = &cur->numa;
    if (!ns->valid)
        return NULL;
    json_object *o = json_object_new_object();
    json_object *nodes = json_object_new_array();
    for (size_t i = 0; i < ns->nnodes; i++)
        json_object_array_add(nodes, node_object(ns, i));
    json_object_object_add(o, "nodes", nodes);
    /* "policy" is the mode with its flags ("bind", "interleave=relative"); the node
     * list and the text as the kernel printed it come separately. */
    char mode[sizeof(ns->policy)];
    memcpy(mode, ns->policy, sizeof(mode));
    char *colon = strchr(mode, ':');
    if (colon)
        *colon = '\0';
    json_object_object_add(o, "policy", str_or_null(mode));
    json_object_object_add(o, "policy_nodes", colon ? str_or_null(colon + 1) : NULL);
    json_object_object_add(o, "policy_text", str_or_null(ns->policy));
    json_object_object_add(o, "policy_mode", str_or_null(ns->policy_mode));
    json_object_object_add(o, "policy_count",
                           ns->policy[0] ? json_object_new_int(ns->policy_count) : NULL);
    json_object_object_add(o, "mems_allowed", str_or_null(ns->mems_allowed));
    json_object_object_add(o, "cpus_allowed", str_or_null(ns->cpus_allowed));
    json_object_object_add(o, "cpuset", str_or_null(ns->cpuset));
    json_object_object_add(o, "local_pct", json_number(ns->local_pct, 2));
    json_object_object_add(o, "local_basis", str_or_null(ns->local_basis));
    json_object_object_add(o, "sampled_pages", json_int_or_null(ns->sampled_pages));
    json_object_object_add(o, "sampled_probes", json_int_or_null(ns->sampled_probes));
    json_object_object_add(o, "sample_error_pct", json_number(ns->sample_error_pct, 2));
    json_object_object_add(o, "sample_cost_ms", json_number(ns->sample_cost_ms, 3));
    json_object_object_add(o, "sample_budget_ms", json_number(ns->sample_budget_ms, 3));
    json_object_object_add(o, "sample_note", str_or_null(ns->sample_note));
    json_object_object_add(o, "scan_age_s", json_number(ns->scan_age_s, 3));
    json_object_object_add(o, "scan_cost_ms", json_number(ns->scan_cost_ms, 3));
    json_object_object_add(o, "scan_interval_s", json_number(ns->scan_interval_s, 3));
    json_object_object_add(o, "scan_vmas", json_int_or_null(ns->scan_vmas));
    json_object_object_add(o, "scan_error", str_or_null(ns->scan_error));
    return o;
}
