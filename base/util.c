/* util: small helpers every module needs (clocks, bounded string copy). */
#include "base/util.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t util_mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
int64_t util_real_ns(void) { return clock_ns(CLOCK_REALTIME); }

size_t util_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size > 0) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

void util_format_kb(char *buf, size_t len, unsigned long long kb)
{
    static const char units[] = "KMGTP";
    double v = (double)kb;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof(units) - 1) {
        v /= 1024.0;
        u++;
    }
    if (v < 10.0 && u > 0)
        snprintf(buf, len, "%.1f%c", v, units[u]);
    else
        snprintf(buf, len, "%.0f%c", v, units[u]);
}

void util_reason(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

bool util_has_cap(int cap)
{
    struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    if (cap < 0 || cap >= 64 || syscall(SYS_capget, &h, d) != 0)
        return false;
    return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int util_go_minor(const char *version)
{
    int major = 0, minor = 0;
    const char *p = strstr(version ? version : "", "go");
    if (!p || sscanf(p, "go%d.%d", &major, &minor) != 2 || major != 1)
        return -1;
    return minor;
}

int util_dl_take(void *lib, const char *soname, const char *name, void *slot, char *why,
                 size_t len)
{
    void *f = dlsym(lib, name);
    if (!f) {
        snprintf(why, len, "%s: no %s in it", soname, name);
        return -1;
    }
    *(void **)slot = f;
    return 0;
}
