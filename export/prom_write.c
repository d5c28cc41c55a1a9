/* prom_write: the Prometheus text writer (families, samples, label escaping, histograms)
 * that every metrics section writes through. */
#include "export/prom_write.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void prom_family(struct prom *w, const char *name, const char *type, const char *help)
{
    w->family = name;
    w->type = type;
    w->help = help;
}

static void put_value(FILE *f, double v)
{
    if (isinf(v))
        fputs(v > 0 ? "+Inf" : "-Inf", f);
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.12g", v);
}

void prom_sample(struct prom *w, const char *suffix, const char *labels, double v)
{
    if (isnan(v) || !w->family)
        return;
    if (w->help) {
        /* HELP text escapes only backslash and newline; ours has neither. */
        fprintf(w->f, "# HELP %s %s\n# TYPE %s %s\n", w->family, w->help, w->family, w->type);
        w->help = NULL;
    }
    fprintf(w->f, "%s%s", w->family, suffix ? suffix : "");
    if (labels && *labels)
        fprintf(w->f, "{%s}", labels);
    fputc(' ', w->f);
    put_value(w->f, v);
    fputc('\n', w->f);
}

static size_t escape_value(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 3 < cap; s++) {
        if (*s == '\\' || *s == '"') {
            dst[n++] = '\\';
            dst[n++] = *s;
        } else if (*s == '\n') {
            dst[n++] = '\\';
            dst[n++] = 'n';
        } else {
            dst[n++] = *s;
        }
    }
    dst[n] = '\0';
    return n;
}

const char *prom_labels(char *buf, size_t len, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *k = va_arg(ap, const char *);
        const char *v = va_arg(ap, const char *);
        char esc[256];
        escape_value(esc, sizeof(esc), v);
        int w = snprintf(buf + used, len - used, "%s%s=\"%s\"", i ? "," : "", k, esc);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
    va_end(ap);
    return buf;
}

void prom_histogram(struct prom *w, const char *extra, const double *le,
                    const uint64_t *count, size_t n, double sum)
{
    char lbl[600], lestr[40];
    uint64_t cum = 0;
    bool inf = false;
    for (size_t i = 0; i < n; i++) {
        cum += count[i];
        if (isinf(le[i]))
            snprintf(lestr, sizeof(lestr), "+Inf");
        else
            snprintf(lestr, sizeof(lestr), "%.12g", le[i]);
        inf = inf || isinf(le[i]);
        snprintf(lbl, sizeof(lbl), "%s%sle=\"%s\"", extra ? extra : "",
                 extra && *extra ? "," : "", lestr);
        prom_sample(w, "_bucket", lbl, (double)cum);
    }
    if (!inf) {
        snprintf(lbl, sizeof(lbl), "%s%sle=\"+Inf\"", extra ? extra : "",
                 extra && *extra ? "," : "");
        prom_sample(w, "_bucket", lbl, (double)cum);
    }
    prom_sample(w, "_sum", extra, sum);
    prom_sample(w, "_count", extra, (double)cum);
}
