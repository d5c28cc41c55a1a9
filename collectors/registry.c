/* registry: the static list of collectors; adding one is one line here. */
#include "collectors/collector.h"

#include <string.h>

extern const struct collector_ops threads_collector;
extern const struct collector_ops cpus_collector;
extern const struct collector_ops sched_collector;
extern const struct collector_ops numa_collector;
extern const struct collector_ops cores_collector;
extern const struct collector_ops park_collector;
extern const struct collector_ops cpuprof_collector;

static const struct collector_ops *const registry[] = {
    &cpus_collector,
    &threads_collector,
    /* Before sched: the goroutine groups it reads credit the goroutines on the CPU. */
    &cpuprof_collector,
    &sched_collector,
    &numa_collector,
    &cores_collector,
    &park_collector,
};

size_t collector_count(void) { return sizeof(registry) / sizeof(registry[0]); }

const struct collector_ops *collector_at(size_t i)
{
    return i < collector_count() ? registry[i] : NULL;
}

const struct collector_ops *collector_find(const char *name)
{
    for (size_t i = 0; i < collector_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
