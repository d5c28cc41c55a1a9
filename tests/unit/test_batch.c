/* test_batch: the JSON line contract (keys, null for unknown) and the text table. */
#include <json-c/json.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export/batch.h"
#include "model/snapshot.h"

static struct snapshot *make(int64_t mono_ns, uint64_t cpu_ns, uint32_t have)
{
    struct snapshot *s = snapshot_new();
    s->meta.mono_ns = mono_ns;
    s->meta.time_ns = 1795780800123000000LL;   /* 2026-11-27T12:00:00.123Z */
    s->meta.pid = 4242;
    strcpy(s->meta.comm, "demo \"q\"");
    strcpy(s->meta.go_version, "go1.22.12");
    s->meta.uptime_s = 12.5;
    struct thread_sample *t = snapshot_add_thread(s);
    t->tid = 4242;
    strcpy(t->name, "demo");
    t->state = 'R';
    t->cpu = 1;
    t->cpu_time_ns = cpu_ns;
    t->have = have;
    snapshot_set_status(s, "threads", true, "");
    return s;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, key, &v));
    return v;
}

static void test_json_contract(void **state)
{
    (void)state;
    uint32_t have = THREAD_HAVE_CPU_TIME | THREAD_HAVE_CPU;
    struct snapshot *a = make(0, 0, have), *b = make(1000000000LL, 250000000ULL, have);
    char *line = batch_json(a, b);
    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    json_object *o = json_tokener_parse(line);
    assert_non_null(o);
    assert_int_equal(json_object_get_int(get(o, "schema")), 1);
    assert_string_equal(json_object_get_string(get(o, "time")), "2026-11-27T12:00:00.123Z");
    assert_int_equal(json_object_get_int(get(o, "pid")), 4242);
    assert_string_equal(json_object_get_string(get(o, "comm")), "demo \"q\"");
    assert_string_equal(json_object_get_string(get(o, "go_version")), "go1.22.12");
    json_object *t = json_object_array_get_idx(get(o, "threads"), 0);
    assert_int_equal(json_object_get_int(get(t, "tid")), 4242);
    assert_string_equal(json_object_get_string(get(t, "state")), "R");
    assert_int_equal(json_object_get_int(get(t, "cpu")), 1);
    assert_float_equal(json_object_get_double(get(t, "cpu_pct")), 25.0, 1e-9);
    /* Never measured: null, never 0. */
    assert_null(get(t, "migrations_per_s"));
    assert_null(get(t, "nvcsw_per_s"));
    assert_null(get(t, "nivcsw_per_s"));
    assert_null(get(t, "run_delay_ms_per_s"));
    json_object_put(o);
    free(line);

    /* No previous snapshot: every rate null, interval null. */
    line = batch_json(NULL, b);
    o = json_tokener_parse(line);
    assert_null(get(o, "interval_s"));
    t = json_object_array_get_idx(get(o, "threads"), 0);
    assert_null(get(t, "cpu_pct"));
    json_object_put(o);
    free(line);
    snapshot_free(a);
    snapshot_free(b);
}

static void test_text_table(void **state)
{
    (void)state;
    struct snapshot *b = make(1, 0, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    batch_text(f, NULL, b);
    fclose(f);
    assert_non_null(strstr(buf, "pid 4242"));
    assert_non_null(strstr(buf, "CPU%"));
    assert_non_null(strstr(buf, "n/a"));
    free(buf);
    snapshot_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_contract),
        cmocka_unit_test(test_text_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
