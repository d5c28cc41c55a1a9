/* pmu: CPU vendor and core PMU detection, then the vendor's event table. */
#include "collectors/pmu.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "base/util.h"
#include "collectors/pmu_encode.h"

/* The first size-1 bytes of a file, NUL-terminated; -errno when it cannot be read. */
static long read_head(const char *root, const char *path, char *buf, size_t size)
{
    char full[512];
    snprintf(full, sizeof(full), "%s%s", root, path);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    while (n < size - 1) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (long)n;
}

static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

static void parse_cpuinfo(const char *root, struct pmu_info *p)
{
    enum { HEAD = 16384 };
    char *buf = malloc(HEAD);
    if (!buf)
        return;
    /* Only the first processor block matters (a few KiB): every CPU of a machine is the
     * same make (hybrid Intel differs in core type, which the core PMU name tells). */
    long n = read_head(root, "/proc/cpuinfo", buf, HEAD);
    for (char *line = n > 0 ? buf : NULL; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0')
            break;    /* end of the first block */
        char *colon = strchr(line, ':');
        if (colon) {
            char *key = line, *val = colon + 1;
            char *k = colon;
            while (k > key && isspace((unsigned char)k[-1]))
                k--;
            *k = '\0';
            while (isspace((unsigned char)*val))
                val++;
            if (strcmp(key, "vendor_id") == 0)
                p->vendor = strcmp(val, "GenuineIntel") == 0 ? PMU_VENDOR_INTEL
                          : strcmp(val, "AuthenticAMD") == 0 || strcmp(val, "HygonGenuine") == 0
                          ? PMU_VENDOR_AMD : PMU_VENDOR_OTHER;
            else if (strcmp(key, "cpu family") == 0)
                p->family = atoi(val);
            else if (strcmp(key, "model") == 0)
                p->model = atoi(val);
            else if (strcmp(key, "model name") == 0)
                util_strlcpy(p->model_name, val, sizeof(p->model_name));
            else if (strcmp(key, "flags") == 0)
                p->hypervisor = has_word(val, "hypervisor");
        }
        line = next;
    }
    free(buf);
}

void pmu_detect(const char *root, struct pmu_info *p)
{
    memset(p, 0, sizeof(*p));
    p->family = p->model = -1;
    p->core_type = -1;
    parse_cpuinfo(root, p);
    /* Hybrid Intel has cpu_core and cpu_atom instead of cpu; the tables only need the
     * one the generic events resolve through, so cpu_core is taken when there. */
    static const char *const core_pmus[] = { "cpu", "cpu_core", "cpu_atom", "armv8_pmuv3_0" };
    for (size_t i = 0; i < sizeof(core_pmus) / sizeof(core_pmus[0]); i++) {
        if (pmu_exists(root, core_pmus[i])) {
            util_strlcpy(p->core_pmu, core_pmus[i], sizeof(p->core_pmu));
            p->core_type = pmu_type(root, core_pmus[i]);
            break;
        }
    }
    p->hybrid = pmu_exists(root, "cpu_core") && pmu_exists(root, "cpu_atom");
    if (p->vendor == PMU_VENDOR_INTEL)
        pmu_intel_table(root, p);
    else if (p->vendor == PMU_VENDOR_AMD)
        pmu_amd_table(root, p);
    else
        pmu_generic_table(p);
}
