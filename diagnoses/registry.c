/* registry: the static list of diagnosis rules; adding one is one line here. */
#include "diagnoses/diag.h"

#include <string.h>

extern const struct diag_rule rule_gomaxprocs, rule_runq_backlog, rule_syscall_block,
    rule_gc_pressure, rule_lock_contention, rule_migrations, rule_cache, rule_numa_remote,
    rule_goroutine_pileup, rule_sched_latency, rule_run_delay, rule_cpu_throttle;

static const struct diag_rule *const rules[] = {
    &rule_gomaxprocs,
    &rule_runq_backlog,
    &rule_syscall_block,
    &rule_gc_pressure,
    &rule_lock_contention,
    &rule_migrations,
    &rule_cache,
    &rule_numa_remote,
    &rule_goroutine_pileup,
    &rule_sched_latency,
    &rule_run_delay,
    &rule_cpu_throttle,
};

size_t diag_rule_count(void) { return sizeof(rules) / sizeof(rules[0]); }

const struct diag_rule *diag_rule_at(size_t i)
{
    return i < diag_rule_count() ? rules[i] : NULL;
}

const struct diag_rule *diag_rule_find(const char *id)
{
    for (size_t i = 0; i < diag_rule_count(); i++)
        if (strcmp(rules[i]->id, id) == 0)
            return rules[i];
    return NULL;
}
