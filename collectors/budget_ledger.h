/* budget_ledger: --bpf-budget is one promise for everything gmptop makes the target pay
 * (the park probe's traps, the on-CPU sampler's interrupts, and gmptop's own CPU where
 * it came out of busy CPUs: self_cost.h), not one per collector. Each reports what it
 * costs now; the park governor, which can give way, plans with what the others leave.
 * Process-wide: gmptop watches one target at a time. */
#ifndef GMPTOP_BUDGET_LEDGER_H
#define GMPTOP_BUDGET_LEDGER_H

enum ledger_part { LEDGER_PARK, LEDGER_CPUPROF, LEDGER_SELF, LEDGER_NPARTS };

/* What part costs the target now, % of one core (NAN or below 0: nothing). */
void ledger_report(enum ledger_part part, double pct);
/* The sum of what every other part reported. */
double ledger_others(enum ledger_part part);
/* What one part reported (0 when nothing). */
double ledger_get(enum ledger_part part);

#endif
