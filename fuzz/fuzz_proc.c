/* fuzz_proc: the /proc and cgroup text parsers (stat, status, sched, schedstat, cpu
 * lists, /proc/stat, cpu.max) on arbitrary bytes; byte 0 picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sched_quota.h"
#include "proc/proc_parse.h"

static void cpu_cb(void *ctx, int cpu, uint64_t busy, uint64_t total)
{
    (void)ctx;
    (void)cpu;
    (void)busy;
    (void)total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 7) {
    case 0: { struct proc_stat st; proc_parse_stat(buf, len, &st); break; }
    case 1: { struct proc_sched st; proc_parse_sched(buf, len, &st); break; }
    case 2: { struct proc_schedstat st; proc_parse_schedstat(buf, len, &st); break; }
    case 3: { struct proc_status st; proc_parse_status(buf, len, &st); break; }
    case 4: proc_parse_cpu_stat(buf, len, cpu_cb, NULL); break;
    default: {
        /* NUL-terminated parsers get a terminated copy. */
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, buf, len);
        s[len] = '\0';
        uint64_t bits[64];
        double q;
        if (data[0] % 7 == 5)
            proc_parse_cpulist(s, bits, 4096);
        else
            sched_quota_parse_cpu_max(s, &q);
        free(s);
    }
    }
    return 0;
}
