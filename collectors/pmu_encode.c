/* pmu_encode: turning a named event into a perf_event_attr encoding (sysfs aliases,
 * format/ files, generic events) and the sysfs lookups every vendor table builds with.
 * It knows no vendor: pmu.c chooses the table, the tables call down into this file. */
#include "collectors/pmu_encode.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "proc/proc_parse.h"
#include "base/util.h"

static long read_rooted(const char *root, const char *path, char *buf, size_t size)
{
    char full[512];
    snprintf(full, sizeof(full), "%s%s", root, path);
    long n = proc_read_file(full, buf, size);
    if (n >= 0)
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
            buf[--n] = '\0';
    return n;
}

bool pmu_exists(const char *root, const char *pmu)
{
    char path[512];
    snprintf(path, sizeof(path), "%s" PMU_DEVICES "/%s/type", root, pmu);
    return access(path, R_OK) == 0;
}

int pmu_type(const char *root, const char *pmu)
{
    char path[256], buf[32];
    snprintf(path, sizeof(path), PMU_DEVICES "/%s/type", pmu);
    long n = read_rooted(root, path, buf, sizeof(buf));
    if (n < 0)
        return (int)n;
    char *end;
    long t = strtol(buf, &end, 10);
    return end == buf || t < 0 || t > 0x7fffffff ? -EINVAL : (int)t;
}

int pmu_cpulist(const char *root, const char *pmu, const char *file, uint64_t *bits,
                size_t nbits)
{
    char path[256], buf[4096];
    memset(bits, 0, (nbits + 63) / 64 * sizeof(uint64_t));
    snprintf(path, sizeof(path), PMU_DEVICES "/%s/%s", pmu, file);
    long n = read_rooted(root, path, buf, sizeof(buf));
    return n < 0 ? (int)n : proc_parse_cpulist(buf, bits, nbits);
}

void pmu_generic(struct pmu_event *ev, uint32_t type, uint64_t config, const char *source)
{
    memset(ev, 0, sizeof(*ev));
    ev->present = true;
    ev->type = type;
    ev->config = config;
    util_strlcpy(ev->source, source, sizeof(ev->source));
}

void pmu_absent(struct pmu_event *ev, const char *why)
{
    memset(ev, 0, sizeof(*ev));
    util_strlcpy(ev->why, why, sizeof(ev->why));
}

/* Put value's low bits into the bit ranges of a format ("config:0-7,32-35"). */
static int apply_format(const char *fmt, uint64_t value, uint64_t *config, uint64_t *config1)
{
    uint64_t *dst;
    const char *p;
    if (strncmp(fmt, "config1:", 8) == 0) {
        dst = config1;
        p = fmt + 8;
    } else if (strncmp(fmt, "config:", 7) == 0) {
        dst = config;
        p = fmt + 7;
    } else {
        return -EINVAL;       /* config2 (breakpoint lengths, ...) is never needed here */
    }
    int used = 0;
    while (*p) {
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end == p || lo < 0 || lo > 63)
            return -EINVAL;
        p = end;
        if (*p == '-') {
            hi = strtol(p + 1, &end, 10);
            if (end == p + 1 || hi < lo || hi > 63)
                return -EINVAL;
            p = end;
        }
        for (long b = lo; b <= hi; b++, used++)
            if (used < 64 && (value >> used) & 1)
                *dst |= 1ULL << b;
        if (*p == ',')
            p++;
        else if (*p)
            return -EINVAL;
    }
    return used >= 64 || (value >> used) == 0 ? 0 : -ERANGE;
}

/* The x86 layout, for kernels without format/ files (it has not changed since P6). */
static const char *builtin_format(const char *term)
{
    if (strcmp(term, "event") == 0)
        return "config:0-7,32-35";
    if (strcmp(term, "umask") == 0)
        return "config:8-15";
    if (strcmp(term, "cmask") == 0)
        return "config:24-31";
    return NULL;
}

int pmu_encode(const char *root, const char *pmu, const char *terms, struct pmu_event *ev)
{
    int type = pmu_type(root, pmu);
    bool builtin = false;
    if (type < 0)
        return type;
    uint64_t config = 0, config1 = 0;
    char list[160];
    util_strlcpy(list, terms, sizeof(list));
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*t))
            t++;
        char *eq = strchr(t, '=');
        uint64_t value = 1;   /* a bare term ("edge") sets its bit */
        if (eq) {
            *eq = '\0';
            char *end;
            errno = 0;
            value = strtoull(eq + 1, &end, 0);
            if (errno || end == eq + 1)
                return -EINVAL;
        }
        char path[256], fmt[128];
        snprintf(path, sizeof(path), PMU_DEVICES "/%s/format/%s", pmu, t);
        if (read_rooted(root, path, fmt, sizeof(fmt)) < 0) {
            const char *b = builtin_format(t);
            if (!b)
                return -EINVAL;
            util_strlcpy(fmt, b, sizeof(fmt));
            builtin = true;
        }
        int r = apply_format(fmt, value, &config, &config1);
        if (r < 0)
            return r;
    }
    memset(ev, 0, sizeof(*ev));
    ev->present = true;
    ev->type = (uint32_t)type;
    ev->config = config;
    ev->config1 = config1;
    snprintf(ev->source, sizeof(ev->source), "%s/%s/%s", pmu, terms,
             builtin ? " (built-in x86 encoding)" : "");
    return 0;
}

int pmu_sysfs_event(const char *root, const char *pmu, const char *name,
                    struct pmu_event *ev)
{
    char path[256], terms[160];
    snprintf(path, sizeof(path), PMU_DEVICES "/%s/events/%s", pmu, name);
    long n = read_rooted(root, path, terms, sizeof(terms));
    if (n < 0)
        return (int)n;
    int r = pmu_encode(root, pmu, terms, ev);
    if (r == 0)
        snprintf(ev->source, sizeof(ev->source), "%.16s/%.20s/ = %.32s (sysfs)", pmu,
                 name, terms);
    return r;
}

void pmu_generic_table(struct pmu_info *p)
{
    snprintf(p->table, sizeof(p->table), "generic events (no table for this CPU)");
    pmu_generic(&p->ev[CORES_EV_CYCLES], PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
                "generic cycles");
    pmu_generic(&p->ev[CORES_EV_INSTRUCTIONS], PERF_TYPE_HARDWARE,
                PERF_COUNT_HW_INSTRUCTIONS, "generic instructions");
    /* What the generic cache events count is up to the PMU driver: said in the source. */
    pmu_generic(&p->ev[CORES_EV_L3_MISS], PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
                "generic cache-misses (level depends on the PMU driver)");
    pmu_generic(&p->ev[CORES_EV_L3_ACCESS], PERF_TYPE_HARDWARE,
                PERF_COUNT_HW_CACHE_REFERENCES,
                "generic cache-references (level depends on the PMU driver)");
    pmu_generic(&p->ev[CORES_EV_DTLB_MISS], PERF_TYPE_HW_CACHE,
                PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8)
                    | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
                "generic dTLB-load-misses");
}
