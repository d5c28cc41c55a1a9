/* self_cost: gmptop's own CPU time that came out of busy CPUs (self_cost.h). */
#include "collectors/self_cost.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void self_cost_init(struct self_cost *c)
{
    memset(c, 0, sizeof(*c));
    c->pct = c->self_pct = NAN;
}

double self_cost_displaced(double self_cores, double busy_cores, double ncpu)
{
    if (!(self_cores > 0) || !isfinite(self_cores) || !isfinite(busy_cores) || !(ncpu > 0))
        return 0.0;
    /* What the others kept busy, of what gmptop left them. */
    double room = ncpu - self_cores;
    if (!(room > 0))
        return self_cores;
    double share = (busy_cores - self_cores) / room;
    if (share < 0)
        share = 0;
    if (share > 1)
        share = 1;
    return self_cores * share;
}

int self_cost_parse_stat(const char *line, double *busy_j, double *total_j)
{
    unsigned long long v[8] = { 0 };  /* user nice system idle iowait irq softirq steal */
    if (strncmp(line, "cpu ", 4) != 0)
        return -1;
    int n = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (n < 4)
        return -1;
    /* guest and guest_nice are already in user and nice: not added again. */
    double total = 0;
    for (int i = 0; i < 7; i++)
        total += (double)v[i];
    *total_j = total;
    *busy_j = total - (double)v[3] - (double)v[4];
    return 0;
}

static int read_stat_line(double *busy_j, double *total_j)
{
    char buf[256];
    int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return self_cost_parse_stat(buf, busy_j, total_j);
}

double self_cost_update(struct self_cost *c, int64_t now_ns)
{
    if (c->primed && now_ns - c->at_ns < SELF_COST_EVERY_NS)
        return c->pct;
    struct timespec ts;
    double busy, total;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0 || read_stat_line(&busy, &total) != 0)
        return c->pct;
    double cpu = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
    if (c->primed && now_ns > c->at_ns && total > c->total_j) {
        double wall_s = (double)(now_ns - c->at_ns) / 1e9;
        long tck = sysconf(_SC_CLK_TCK);
        double hz = tck > 0 ? (double)tck : 100.0;
        double self_cores = (cpu - c->cpu_ns) / 1e9 / wall_s;
        double busy_cores = (busy - c->busy_j) / hz / wall_s;
        double ncpu = (total - c->total_j) / hz / wall_s;
        c->self_pct = 100.0 * self_cores;
        c->pct = 100.0 * self_cost_displaced(self_cores, busy_cores, ncpu);
    }
    c->primed = true;
    c->at_ns = now_ns;
    c->cpu_ns = cpu;
    c->busy_j = busy;
    c->total_j = total;
    return c->pct;
}
