/* self_cost: what gmptop's own CPU takes from the programs it watches. On a machine with
 * idle CPUs gmptop runs on one of them and costs the target nothing; on a saturated one
 * every cycle it uses is one the target wanted (a server saturated by a load generator
 * loses throughput in proportion). --bpf-budget is one promise for everything gmptop
 * makes the target pay, so this share counts against it (budget_ledger.h). */
#ifndef GMPTOP_SELF_COST_H
#define GMPTOP_SELF_COST_H

#include <stdbool.h>
#include <stdint.h>

/* Re-measured at most this often: a read of /proc/stat costs more on big machines. */
#define SELF_COST_EVERY_NS 1000000000LL

struct self_cost {
    bool primed;
    int64_t at_ns;             /* the last read */
    double cpu_ns;             /* gmptop's CPU time then (all its threads) */
    double busy_j, total_j;    /* /proc/stat jiffies then (steal left out of both) */
    double pct;                /* % of one core taken from busy CPUs; NAN until known */
    double self_pct;           /* gmptop's own CPU, % of one core; NAN until known */
};

void self_cost_init(struct self_cost *c);

/* Pure: of self_cores of CPU that gmptop used while the machine's ncpu CPUs were
 * busy_cores busy (gmptop's included), the cores it took from others: all of it when
 * the others kept every CPU busy, none when as much stayed idle as gmptop used,
 * proportionally between. */
double self_cost_displaced(double self_cores, double busy_cores, double ncpu);

/* Pure: the "cpu" line of /proc/stat into busy and total jiffies (steal, the time a
 * hypervisor gave to others, out of both). 0, or -1 when the line is not one. */
int self_cost_parse_stat(const char *line, double *busy_j, double *total_j);

/* Read gmptop's CPU time and /proc/stat at now_ns (at most every SELF_COST_EVERY_NS:
 * earlier calls return the last figure) and update pct. Returns pct, NAN unknown. */
double self_cost_update(struct self_cost *c, int64_t now_ns);

#endif
