/* go_maxprocs: the Go runtime's own GOMAXPROCS rule (see go_maxprocs.h). */
#include "model/go_maxprocs.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int32_t go_maxprocs_default(const struct go_maxprocs_in *in)
{
    if (in->env_gomaxprocs > 0)
        return in->env_gomaxprocs;
    if (in->cpus <= 0)
        return -1;
    bool container = in->go_minor >= 25 &&
                     (in->containermaxprocs < 0 || in->containermaxprocs > 0);
    if (!container || isnan(in->quota) || in->quota <= 0)
        return in->cpus;
    /* adjustCgroupGOMAXPROCS: ceil, then at least 2, then no more than the CPUs. The
     * quota is quota_us/period_us as a double there too, so ceil sees the same value. */
    double limit = fmax(ceil(in->quota), 2.0);
    return limit < (double)in->cpus ? (int32_t)limit : in->cpus;
}

/* An integer the runtime's way: an optional sign (1.25's Atoi32 takes '-', 1.26's
 * ParseInt '+' too), digits only, fitting in 32 bits. */
static int atoi32(const char *s, size_t n, int32_t *out)
{
    char buf[16];
    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *d = buf[0] == '-' || buf[0] == '+' ? buf + 1 : buf;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return 0;
    errno = 0;
    long v = strtol(buf, NULL, 10);
    if (errno || v < INT32_MIN || v > INT32_MAX)
        return 0;
    *out = (int32_t)v;
    return 1;
}

int go_maxprocs_godebug(const char *list, const char *key, int32_t *value)
{
    int found = 0;
    size_t klen = strlen(key);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=')
            found |= atoi32(p + klen + 1, n - klen - 1, value);
        p += n + (comma ? 1 : 0);
    }
    return found;
}
