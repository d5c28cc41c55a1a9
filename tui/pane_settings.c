/* pane_settings: the cores pane's colour thresholds from gmptoprc, with defaults and range checks. */
#include "tui/pane_settings.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

static void report(void (*warn)(void *, const char *), void *ctx, const char *key,
                   const char *value, const char *problem)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "%s = %.64s: %s (default kept)", key, value ? value : "",
             problem);
    if (warn)
        warn(ctx, msg);
}

/* One key: a finite number in [lo, hi], else the default and a warning. */
static int take(const struct settings *cfg, const char *key, double lo, double hi,
                double *dst, void (*warn)(void *, const char *), void *ctx)
{
    if (!cfg || !settings_get(cfg, key))
        return 0;
    bool bad = false;
    double v = settings_get_double(cfg, key, *dst, &bad);
    if (bad || !isfinite(v)) {
        report(warn, ctx, key, settings_get(cfg, key), "not a number");
        return 1;
    }
    if (v < lo || v > hi) {
        char why[64];
        snprintf(why, sizeof(why), "outside %g..%g", lo, hi);
        report(warn, ctx, key, settings_get(cfg, key), why);
        return 1;
    }
    *dst = v;
    return 0;
}

int pane_settings_cores_thresholds(const struct settings *cfg, struct cores_thresholds *out,
                            void (*warn)(void *ctx, const char *msg), void *ctx)
{
    const struct cores_thresholds def = CORES_THRESHOLDS_DEFAULT;
    struct cores_thresholds t = def;
    int bad = 0;
    bad += take(cfg, "cores.l3_red", 0, 100, &t.l3_red_pct, warn, ctx);
    bad += take(cfg, "cores.l3_yellow", 0, 100, &t.l3_yellow_pct, warn, ctx);
    bad += take(cfg, "cores.dtlb_red", 0, 1, &t.dtlb_red, warn, ctx);
    if (t.l3_yellow_pct > t.l3_red_pct) {
        /* Yellow above red would never show: keep both defaults rather than guess. */
        char v[64];
        snprintf(v, sizeof(v), "%g > cores.l3_red %g", t.l3_yellow_pct, t.l3_red_pct);
        report(warn, ctx, "cores.l3_yellow", v, "yellow must not exceed red");
        t.l3_red_pct = def.l3_red_pct;
        t.l3_yellow_pct = def.l3_yellow_pct;
        bad++;
    }
    *out = t;
    return bad;
}

static void first_msg(void *ctx, const char *msg)
{
    char *dst = ctx;
    if (!dst[0])
        util_strlcpy(dst, msg, 200);
}

void pane_settings_load_cores(struct cores_thresholds *out, char *msg, size_t len)
{
    const struct cores_thresholds def = CORES_THRESHOLDS_DEFAULT;
    char first[200] = "", path[512];
    *out = def;
    if (len)
        msg[0] = '\0';
    struct settings *cfg = settings_new();
    if (!cfg)
        return;
    if (settings_default_path(path, sizeof(path)) == 0) {
        int r = settings_load(cfg, path, first_msg, first);
        if (r < 0 && r != -ENOENT && !first[0])
            snprintf(first, sizeof(first), "%.150s: %s", path, strerror(-r));
        pane_settings_cores_thresholds(cfg, out, first_msg, first);
    }
    settings_free(cfg);
    if (len)
        util_strlcpy(msg, first, len);
}
