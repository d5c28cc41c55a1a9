/* test_config: the cores pane's thresholds from gmptoprc text: defaults, overrides, bad
 * numbers, out-of-range values and yellow above red (each keeps its default, with a
 * warning naming the key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/settings.h"
#include "session/options.h"
#include "tui/pane_settings.h"

struct warns {
    int n;
    char last[256];
};

static void on_warn(void *ctx, const char *msg)
{
    struct warns *w = ctx;
    w->n++;
    snprintf(w->last, sizeof(w->last), "%s", msg);
}

static int parse(const char *text, struct cores_thresholds *t, struct warns *w)
{
    struct settings *cfg = settings_new();
    assert_non_null(cfg);
    settings_parse(cfg, text, strlen(text), "gmptoprc", on_warn, w);
    int bad = pane_settings_cores_thresholds(cfg, t, on_warn, w);
    settings_free(cfg);
    return bad;
}

static void test_defaults(void **state)
{
    (void)state;
    struct cores_thresholds t;
    struct warns w = { 0, "" };
    assert_int_equal(parse("theme = mono\n", &t, &w), 0);
    assert_true(t.l3_red_pct == 25.0 && t.l3_yellow_pct == 10.0 && t.dtlb_red == 0.001);
    assert_int_equal(pane_settings_cores_thresholds(NULL, &t, NULL, NULL), 0);
    assert_true(t.l3_red_pct == 25.0);
    assert_int_equal(w.n, 0);
}

static void test_overrides(void **state)
{
    (void)state;
    struct cores_thresholds t;
    struct warns w = { 0, "" };
    assert_int_equal(parse("# mine\ncores.l3_red = 40\ncores.l3_yellow=20\n"
                           "cores.dtlb_red = 0.0005\n", &t, &w), 0);
    assert_true(t.l3_red_pct == 40.0 && t.l3_yellow_pct == 20.0 && t.dtlb_red == 0.0005);
    assert_int_equal(w.n, 0);
}

static void test_bad_values(void **state)
{
    (void)state;
    struct cores_thresholds t;
    struct warns w = { 0, "" };
    assert_int_equal(parse("cores.l3_red = lots\ncores.dtlb_red = 0.002\n", &t, &w), 1);
    assert_true(t.l3_red_pct == 25.0);        /* default kept */
    assert_true(t.dtlb_red == 0.002);         /* the good key still applies */
    assert_non_null(strstr(w.last, "cores.l3_red"));
    w.n = 0;
    assert_int_equal(parse("cores.l3_yellow = 150\ncores.dtlb_red = -1\n", &t, &w), 2);
    assert_true(t.l3_yellow_pct == 10.0 && t.dtlb_red == 0.001);
    assert_int_equal(w.n, 2);
    w.n = 0;
    assert_int_equal(parse("cores.l3_red = 5\ncores.l3_yellow = 30\n", &t, &w), 1);
    assert_true(t.l3_red_pct == 25.0 && t.l3_yellow_pct == 10.0);
    assert_non_null(strstr(w.last, "yellow"));
}

/* The rewind length: --rewind wins (0 included), else gmptoprc's rewind (0 allowed,
 * out of range reported and the default kept), else an hour at 1 s. */
static void test_rewind_setting(void **state)
{
    (void)state;
    struct options o;
    memset(&o, 0, sizeof(o));
    o.rewind = -1;
    struct settings *cfg = settings_new();
    assert_non_null(cfg);
    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    assert_non_null(err);
    assert_int_equal(options_rewind(&o, NULL, err), OPTIONS_REWIND_DEFAULT);
    assert_int_equal(settings_set(cfg, "rewind", "0"), 0);
    assert_int_equal(options_rewind(&o, cfg, err), 0);
    assert_int_equal(settings_set(cfg, "rewind", "900"), 0);
    assert_int_equal(options_rewind(&o, cfg, err), 900);
    o.rewind = 0;
    assert_int_equal(options_rewind(&o, cfg, err), 0);
    o.rewind = -1;
    fflush(err);
    assert_int_equal(len, 0);
    assert_int_equal(settings_set(cfg, "rewind", "5"), 0);
    assert_int_equal(options_rewind(&o, cfg, err), OPTIONS_REWIND_DEFAULT);
    fflush(err);
    assert_non_null(strstr(buf, "rewind = 5 is not 0 or a count between 10 and 36000"));
    /* profile_linger: seconds, 0 = never paused; a bad one is reported and ignored. */
    assert_int_equal(options_profile_linger(NULL, err), OPTIONS_PROFILE_LINGER_DEFAULT);
    assert_int_equal(settings_set(cfg, "profile_linger", "0"), 0);
    assert_int_equal(options_profile_linger(cfg, err), 0);
    assert_int_equal(settings_set(cfg, "profile_linger", "5"), 0);
    assert_int_equal(options_profile_linger(cfg, err), 5);
    assert_int_equal(settings_set(cfg, "profile_linger", "-3"), 0);
    assert_int_equal(options_profile_linger(cfg, err), OPTIONS_PROFILE_LINGER_DEFAULT);
    fflush(err);
    assert_non_null(strstr(buf, "profile_linger = -3 is not 0 or a count between 1 and 86400"));
    /* history has no 0: it is reported as out of range. */
    assert_int_equal(settings_set(cfg, "history", "0"), 0);
    assert_int_equal(options_history(&o, cfg, err), 0);
    fflush(err);
    assert_non_null(strstr(buf, "history = 0 is not a count between 10 and 36000"));
    fclose(err);
    free(buf);
    settings_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_rewind_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
