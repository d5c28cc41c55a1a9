/* cachebench: a workload with known cache behaviour for tests/hw/pmu-check.sh.
 *   cachebench thrash SECONDS MIB CPU    random pointer chase over MIB (> L3): nearly every
 *                                        load misses L3 and the dTLB
 *   cachebench friendly SECONDS KIB CPU  sequential sums over KIB (fits L1/L2): few misses
 * Pinned to CPU so per-CPU counters see it alone; prints loads done when it ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: cachebench thrash|friendly SECONDS SIZE CPU\n");
        return 2;
    }
    int thrash = strcmp(argv[1], "thrash") == 0;
    double secs = atof(argv[2]);
    size_t bytes = (size_t)atol(argv[3]) << (thrash ? 20 : 10);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(argv[4]), &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        fprintf(stderr, "cachebench: sched_setaffinity: %s\n", strerror(errno));
        return 1;
    }
    size_t n = bytes / sizeof(size_t);
    size_t *a = malloc(n * sizeof(size_t));
    if (!a || n < 16) {
        fprintf(stderr, "cachebench: malloc %zu bytes failed\n", bytes);
        return 1;
    }
    /* One random cycle through every slot (Sattolo): the chase never settles into a
     * short loop the caches could hold. */
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    for (size_t i = n - 1; thrash && i > 0; i--) {
        size_t j = next() % i, t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
    volatile size_t sink = 0;
    uint64_t loads = 0;
    double end = now() + secs;
    size_t p = 0;
    while (now() < end) {
        if (thrash) {
            for (int k = 0; k < 100000; k++)
                p = a[p];
            loads += 100000;
        } else {
            size_t s = 0;
            for (int r = 0; r < 100; r++)
                for (size_t i = 0; i < n; i++)
                    s += a[i];
            sink += s;
            loads += 100 * (uint64_t)n;
        }
    }
    sink += p;
    printf("%s: %llu loads in %.1f s\n", argv[1], (unsigned long long)loads, secs);
    free(a);
    return 0;
}
