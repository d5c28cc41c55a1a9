/* bpf_log: libbpf's warnings kept for reasons instead of printed. */
#include "config.h"

#include "collectors/bpf_log.h"

#ifdef HAVE_BPF
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "base/util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char last[160];

static int keep_warning(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char buf[sizeof(last)];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    pthread_mutex_lock(&lock);
    util_strlcpy(last, buf, sizeof(last));
    pthread_mutex_unlock(&lock);
    return 0;
}

void bpf_log_quiet(void)
{
    pthread_mutex_lock(&lock);
    last[0] = '\0';
    pthread_mutex_unlock(&lock);
    libbpf_set_print(keep_warning);
}

const char *bpf_log_last(char *buf, size_t len)
{
    pthread_mutex_lock(&lock);
    util_strlcpy(buf, last, len);
    pthread_mutex_unlock(&lock);
    return buf;
}

#else /* !HAVE_BPF: nothing loads, nothing to keep */

void bpf_log_quiet(void) {}

const char *bpf_log_last(char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    return buf;
}

#endif
