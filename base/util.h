/* util: small helpers every module needs (clocks, bounded string copy). */
#ifndef GMPTOP_UTIL_H
#define GMPTOP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t util_mono_ns(void);
/* N of a Go 1.N version string ("go1.25.12", "devel go1.27-abc"), or -1. */
int util_go_minor(const char *version);
int64_t util_real_ns(void);
/* Copy with truncation, always NUL-terminated; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);
/* Capability number cap (CAP_SYS_PTRACE = 19, CAP_PERFMON = 38, ...) in this process's
 * effective set: what the kernel checks, unlike the uid (root in a container or under a
 * reduced bounding set lacks some). false when capget fails. */
bool util_has_cap(int cap);
/* Fill a reason buffer (may be NULL or 0 long, then nothing is written). */
void util_reason(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "12.3G", "512M", "40K" style size from KiB. */
void util_format_kb(char *buf, size_t len, unsigned long long kb);
/* dlsym of name from lib (loaded by soname) into the function pointer at slot: 0, or
 * -1 with why ("SONAME: no NAME in it"). POSIX allows the cast, ISO C has no word for it. */
int util_dl_take(void *lib, const char *soname, const char *name, void *slot, char *why,
                 size_t len);

#endif
