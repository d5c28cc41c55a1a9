/* util: small helpers every module needs (clocks, bounded string copy). */
#ifndef GMPTOP_UTIL_H
#define GMPTOP_UTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t util_mono_ns(void);
int64_t util_real_ns(void);
/* Copy with truncation, always NUL-terminated; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);
/* Fill a reason buffer (may be NULL or 0 long, then nothing is written). */
void util_reason(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "12.3G", "512M", "40K" style size from KiB. */
void util_format_kb(char *buf, size_t len, unsigned long long kb);

#endif
