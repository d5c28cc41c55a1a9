/* test_export_prom: the Prometheus text writer: names, labels and escaping, histograms
 * cumulative with +Inf = _count, unknown values left out rather than written as 0; and
 * the exporter's own series that --listen appends. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "export/export_prom.h"
#include "export/prom_write.h"
#include "tests/synth_snapshot.h"

static char *export_pair(int nps)
{
    struct snapshot *p = synth_snapshot(0, (size_t)nps, 6, 2);
    struct snapshot *c = synth_snapshot(1, (size_t)nps, 6, 2);
    size_t len = 0;
    char *text = export_prom(p, c, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    snapshot_free(p);
    snapshot_free(c);
    return text;
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p += n)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void test_key_series(void **state)
{
    (void)state;
    char *t = export_pair(4);
    assert_true(has_line(t, "# TYPE gmptop_p_runqueue gauge"));
    assert_true(has_line(t, "gmptop_p_runqueue{p=\"3\"} 3"));
    assert_true(has_line(t, "gmptop_gomaxprocs 4"));
    assert_true(has_line(t, "gmptop_gomaxprocs_default 2"));
    assert_true(has_line(t, "gmptop_global_runqueue 4"));
    assert_true(has_line(t, "gmptop_target_info{pid=\"4242\",comm=\"synth \\\"demo\\\"\\\\\","
                            "go_version=\"go1.22.12\"} 1"));
    assert_true(has_line(t, "gmptop_goroutines_waiting{reason=\"select \\\"q\\\"\\\\\"} 1"));
    assert_true(has_line(t, "gmptop_p_status{p=\"0\",status=\"idle\"} 1"));
    assert_true(has_line(t, "gmptop_numa_pages{node=\"0\",kind=\"heap\"} 100"));
    assert_true(has_line(t, "gmptop_numa_memory_total_bytes{node=\"1\"} 4096000000"));
    assert_true(has_line(t, "gmptop_numa_local_ratio 0.75"));
    assert_true(has_line(t, "# TYPE gmptop_core_l3_miss_ratio gauge"));
    assert_true(has_line(t, "gmptop_core_l3_miss_ratio{cpu=\"0\"} 0.1"));
    assert_true(has_line(t, "# TYPE gmptop_park_latency_seconds histogram"));
    assert_true(has_line(t, "gmptop_collector_available{collector=\"cores\"} 0"));
    assert_true(has_line(t, "gmptop_snapshot_interval_seconds 1"));
    assert_true(has_line(t, "gmptop_cgroup_throttled_periods_total 1") == false);
    /* Each rule's figures and thresholds, for the alert rules: an unmeasured figure is
     * left out, an unavailable rule exports neither. */
    assert_true(has_line(t, "gmptop_diagnosis_figure{rule=\"gomaxprocs\",figure=\"queued_per_p\"} 31.5"));
    assert_null(strstr(t, "figure=\"unmeasured\""));
    /* Goroutine groups by where they wait: the program's frame, not time.Sleep. */
    assert_true(has_line(t, "gmptop_goroutine_groups{wait_func=\"main.leak\",status=\"waiting\","
                            "wait_reason=\"chan receive\"} 110"));
    assert_true(has_line(t, "gmptop_goroutine_groups{wait_func=\"main.wait\",status=\"waiting\","
                            "wait_reason=\"sleep\"} 50"));
    assert_true(has_line(t, "gmptop_goroutine_groups{wait_func=\"running\",status=\"running\","
                            "wait_reason=\"\"} 2"));
    assert_true(has_line(t, "gmptop_goroutine_stacks_dropped_total 4"));
    assert_true(has_line(t, "gmptop_goroutine_groups_sampled 0"));
    assert_true(has_line(t, "gmptop_diagnosis_threshold{rule=\"runq_backlog\",threshold=\"queued_per_p\"} 16"));
    assert_true(has_line(t, "gmptop_diagnosis_threshold{rule=\"runq_backlog\",threshold=\"hold_s\"} 5"));
    /* Unknown: never written as 0. */
    assert_null(strstr(t, "gmptop_cpu_quota_cores"));              /* NAN quota */
    assert_null(strstr(t, "gmptop_cgroup_throttled_seconds_total"));
    assert_null(strstr(t, "gmptop_p_runqueue_mean{p=\"0\"}"));     /* NAN mean */
    assert_null(strstr(t, "kind=\"huge\""));                      /* -1 pages */
    assert_null(strstr(t, "gmptop_numa_memory_free_bytes{node=\"1\"}"));
    /* Every sample line belongs to a family declared before it. */
    char *copy = strdup(t), *save = NULL, last[128] = "";
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# TYPE ", 7) == 0) {
            sscanf(line + 7, "%127s", last);
            continue;
        }
        if (line[0] == '#')
            continue;
        assert_true(strncmp(line, last, strlen(last)) == 0);
        assert_null(strstr(line, "nan"));
    }
    free(copy);
    free(t);
}

/* Histogram buckets are cumulative, end in +Inf, and +Inf equals _count. */
static void check_histogram(const char *t, const char *name, const char *labels)
{
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "%s_bucket{%s%sle=\"", name, labels, *labels ? "," : "");
    double last = -1, inf = -1;
    int buckets = 0;
    for (const char *p = t; (p = strstr(p, prefix)) != NULL; p++) {
        const char *v = strchr(p, '}') + 2;
        double x = strtod(v, NULL);
        assert_true(x >= last);
        last = x;
        buckets++;
        if (strncmp(p + strlen(prefix), "+Inf\"", 5) == 0)
            inf = x;
    }
    assert_true(buckets > 2);
    assert_true(inf >= 0);
    char count[256];
    snprintf(count, sizeof(count), "%s_count%s%s%s %.0f", name, *labels ? "{" : "", labels,
             *labels ? "}" : "", inf);
    assert_true(has_line(t, count));
}

/* Cardinality stays bounded: 30 places to wait make 20 series and "other". */
static void test_goroutine_series_bounded(void **state)
{
    (void)state;
    struct snapshot *c = synth_snapshot(1, 2, 2, 2);
    struct goroutines_sample *g = &c->goroutines;
    free(g->groups);
    g->groups = calloc(30, sizeof(*g->groups));
    assert_non_null(g->groups);
    struct gframe none = { "", "", 0, false };
    for (int i = 0; i < 30; i++) {
        char name[32];
        snprintf(name, sizeof(name), "main.f%02d", i);
        struct gframe f = { name, "/a.go", i + 1, false };
        g->groups[i] = (struct goroutine_group){ gstack_intern(&f, 1, false, &none, &none),
                                                 GO_G_WAITING, gstack_str("select"), 100 - i,
                                                 NAN, 0 };
    }
    g->ngroups = 30;
    g->other_count = 7;
    size_t len = 0;
    char *t = export_prom(NULL, c, &len);
    int series = 0;
    for (const char *p = t; (p = strstr(p, "\ngmptop_goroutine_groups{")) != NULL; p++)
        series++;
    assert_int_equal(series, 21);
    assert_true(has_line(t, "gmptop_goroutine_groups{wait_func=\"main.f00\",status=\"waiting\","
                            "wait_reason=\"select\"} 100"));
    /* f20..f29: 80+..+71 = 755, plus the 7 already past the top groups */
    assert_true(has_line(t, "gmptop_goroutine_groups{wait_func=\"other\",status=\"other\","
                            "wait_reason=\"other\"} 762"));
    free(t);
    snapshot_free(c);
}

static void test_histograms(void **state)
{
    (void)state;
    char *t = export_pair(2);
    check_histogram(t, "gmptop_sched_latency_seconds", "");
    check_histogram(t, "gmptop_gc_pause_seconds", "");
    check_histogram(t, "gmptop_park_latency_seconds", "reason=\"chan receive\"");
    check_histogram(t, "gmptop_park_latency_seconds", "reason=\"sync.Mutex.Lock\"");
    check_histogram(t, "gmptop_wake_to_run_latency_seconds", "");
    /* The park sum is exact: sum_ns of synth's histogram. */
    assert_non_null(strstr(t, "gmptop_park_latency_seconds_sum{reason=\"chan receive\"}"));
    free(t);
}

static void test_labels_and_empty(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(prom_labels(buf, sizeof(buf), 2, "a", "x\"y", "b", "l1\nl2\\"),
                        "a=\"x\\\"y\",b=\"l1\\nl2\\\\\"");
    /* A snapshot with nothing collected: target info only, no rates, no sections. */
    struct snapshot *s = snapshot_new();
    s->meta.pid = 7;
    char *t = export_prom(NULL, s, NULL);
    assert_non_null(t);
    assert_non_null(strstr(t, "gmptop_target_info{pid=\"7\""));
    assert_null(strstr(t, "gmptop_p_runqueue"));
    assert_null(strstr(t, "gmptop_snapshot_interval_seconds"));
    assert_null(strstr(t, "gmptop_target_uptime_seconds"));
    assert_null(strstr(t, "_bucket"));
    free(t);
    snapshot_free(s);
    /* Without a previous snapshot rates are left out, gauges stay. */
    struct snapshot *c = synth_snapshot(1, 2, 3, 2);
    t = export_prom(NULL, c, NULL);
    assert_null(strstr(t, "gmptop_process_cpu_usage_cores"));
    assert_null(strstr(t, "gmptop_cpu_utilization_ratio{"));
    assert_non_null(strstr(t, "gmptop_p_runqueue{p=\"1\"} 1"));
    free(t);
    snapshot_free(c);
}

/* --listen's exposition: the snapshot's text unchanged, then the exporter's own series,
 * the scrape duration last so that it covers the rest. */
static void test_scrape_metrics(void **state)
{
    (void)state;
    struct snapshot *p = synth_snapshot(0, 2, 3, 2);
    struct snapshot *c = synth_snapshot(1, 2, 3, 2);
    struct prom_scrape sc = { .sample_seconds = 0.25, .sample_errors = 3, .encode_errors = 0 };
    size_t plain_len = 0, len = 0;
    char *plain = export_prom(p, c, &plain_len);
    char *t = export_prom_scrape(p, c, &sc, &len);
    assert_non_null(plain);
    assert_non_null(t);
    assert_int_equal(strlen(t), len);
    assert_true(len > plain_len);
    assert_memory_equal(t, plain, plain_len);
    char info[160];
    snprintf(info, sizeof(info), "gmptop_build_info{version=\"%s\",bpf=", PACKAGE_VERSION);
    assert_non_null(strstr(t, info));
    assert_true(has_line(t, "# TYPE gmptop_build_info gauge"));
    assert_true(has_line(t, "gmptop_sample_duration_seconds 0.25"));
    assert_true(has_line(t, "# TYPE gmptop_scrape_errors_total counter"));
    assert_true(has_line(t, "gmptop_scrape_errors_total{cause=\"sample\"} 3"));
    assert_true(has_line(t, "gmptop_scrape_errors_total{cause=\"encode\"} 0"));
    const char *d = strstr(t, "\ngmptop_scrape_duration_seconds ");
    assert_non_null(d);
    char *end;
    double secs = strtod(d + strlen("\ngmptop_scrape_duration_seconds "), &end);
    assert_true(secs >= 0 && secs < 10);
    assert_true(end[0] == '\n' && end[1] == '\0');    /* the last line */
    free(t);
    /* Before the first tick the sample duration is unknown: left out, not 0. */
    sc.sample_seconds = NAN;
    t = export_prom_scrape(NULL, c, &sc, NULL);
    assert_null(strstr(t, "gmptop_sample_duration_seconds "));
    assert_non_null(strstr(t, "gmptop_scrape_duration_seconds "));
    free(t);
    free(plain);
    snapshot_free(p);
    snapshot_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_series),
        cmocka_unit_test(test_goroutine_series_bounded),
        cmocka_unit_test(test_histograms),
        cmocka_unit_test(test_labels_and_empty),
        cmocka_unit_test(test_scrape_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
