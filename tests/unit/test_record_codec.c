/* test_record_codec: snapshot <-> recording payload round trips for every section,
 * unknown tags skipped, truncated and corrupted payloads never decoded as data. */
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
#include "record/rec_tlv.h"
#include "record/record_codec.h"
#include "tests/synth_snapshot.h"

static struct snapshot *round_trip(const struct snapshot *s)
{
    struct rec_buf b = { 0 };
    assert_int_equal(record_encode(&b, s), 0);
    char why[200] = "";
    struct snapshot *d = record_decode(b.p, b.len, why, sizeof(why));
    if (!d)
        fail_msg("decode failed: %s", why);
    rec_buf_free(&b);
    return d;
}

static void assert_same_json(const struct snapshot *p1, const struct snapshot *c1,
                             const struct snapshot *p2, const struct snapshot *c2)
{
    char *a = batch_json(p1, c1), *b = batch_json(p2, c2);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* ---- varints and values -------------------------------------------------------------- */

static void test_tlv_values(void **state)
{
    (void)state;
    struct rec_buf b = { 0 };
    const uint64_t us[] = { 0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX };
    const int64_t is[] = { 0, -1, 1, INT32_MIN, INT64_MIN, INT64_MAX };
    for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
        rec_put_u(&b, (uint32_t)(i + 1), us[i]);
    for (size_t i = 0; i < sizeof(is) / sizeof(is[0]); i++)
        rec_put_i(&b, (uint32_t)(100 + i), is[i]);
    rec_put_f64(&b, 200, NAN);
    rec_put_f64(&b, 201, -0.0);
    rec_put_str(&b, 202, "abcdef", 3);
    size_t m = rec_begin(&b, 300);
    for (int i = 0; i < 100; i++)
        rec_put_str(&b, 1, "a long nested item that needs a two-byte length", 64);
    rec_end(&b, m);
    struct rec_reader r = rec_reader_of(b.p, b.len), v;
    uint32_t tag;
    for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
        uint64_t x;
        assert_int_equal(rec_next(&r, &tag, &v), 1);
        assert_int_equal(tag, i + 1);
        assert_int_equal(rec_get_u(&v, &x), 0);
        assert_true(x == us[i]);
    }
    for (size_t i = 0; i < sizeof(is) / sizeof(is[0]); i++) {
        int64_t x;
        assert_int_equal(rec_next(&r, &tag, &v), 1);
        assert_int_equal(rec_get_i(&v, &x), 0);
        assert_true(x == is[i]);
    }
    double d;
    assert_int_equal(rec_next(&r, &tag, &v), 1);
    assert_int_equal(rec_get_f64(&v, &d), 0);
    assert_true(isnan(d));
    assert_int_equal(rec_next(&r, &tag, &v), 1);
    assert_int_equal(rec_get_f64(&v, &d), 0);
    assert_true(d == 0 && signbit(d));
    char s[8];
    assert_int_equal(rec_next(&r, &tag, &v), 1);
    assert_int_equal(rec_get_str(&v, s, sizeof(s)), 0);
    assert_string_equal(s, "abc");
    assert_int_equal(rec_next(&r, &tag, &v), 1);
    assert_int_equal(tag, 300);
    struct rec_reader inner = v, w;
    int n = 0;
    while (rec_next(&inner, &tag, &w) == 1)
        n++;
    assert_int_equal(n, 100);
    assert_int_equal(rec_next(&r, &tag, &v), 0);
    rec_buf_free(&b);

    /* An overlong varint and a length past the end are malformed. */
    const uint8_t overlong[] = { 1, 11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0x01 };
    r = rec_reader_of(overlong, sizeof(overlong));
    uint64_t x;
    assert_int_equal(rec_next(&r, &tag, &v), 1);
    assert_int_equal(rec_get_u(&v, &x), -1);
    const uint8_t past[] = { 1, 5, 0 };
    r = rec_reader_of(past, sizeof(past));
    assert_int_equal(rec_next(&r, &tag, &v), -1);
}

/* ---- whole snapshots ------------------------------------------------------------------ */

static void test_round_trip_every_section(void **state)
{
    (void)state;
    struct snapshot *p = synth_snapshot(0, 8, 40, 4), *c = synth_snapshot(1, 8, 40, 4);
    struct snapshot *dp = round_trip(p), *dc = round_trip(c);
    assert_same_json(p, c, dp, dc);
    assert_same_json(NULL, c, NULL, dc);

    /* Field by field where the JSON does not show everything. */
    assert_int_equal(dc->nthreads, c->nthreads);
    assert_memory_equal(dc->threads, c->threads, c->nthreads * sizeof(*c->threads));
    assert_memory_equal(dc->cpus, c->cpus, c->ncpus * sizeof(*c->cpus));
    assert_int_equal(dc->sched.nps, 8);
    assert_memory_equal(dc->sched.ps, c->sched.ps, 8 * sizeof(*c->sched.ps));
    assert_int_equal(dc->sched.nreasons, 3);
    assert_string_equal(dc->sched.by_reason[2].name, c->sched.by_reason[2].name);
    assert_true(isnan(dc->sched.cpu_quota));
    assert_true(dc->sched_latency.valid);
    assert_memory_equal(dc->sched_latency.raw, c->sched_latency.raw,
                        go_timehist_raw_size(&c->sched_latency.layout));
    /* Groups come back pooled: the same stacks as live, so identity holds in replay. */
    assert_int_equal(dc->goroutines.ngroups, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_ptr_equal(dc->goroutines.groups[i].stack, c->goroutines.groups[i].stack);
        assert_ptr_equal(dc->goroutines.groups[i].wait_reason, c->goroutines.groups[i].wait_reason);
        assert_int_equal(dc->goroutines.groups[i].count, c->goroutines.groups[i].count);
    }
    assert_true(dc->goroutines.groups[1].stack->frames[2].inlined);
    assert_true(isnan(dc->goroutines.groups[0].max_wait_s));
    assert_int_equal(dc->diag.nrules, c->diag.nrules);
    assert_ptr_equal(dc->diag.rules[0].id, c->diag.rules[0].id);   /* the registry's */
    assert_int_equal(dc->diag.rules[0].nfigures, 2);
    assert_string_equal(dc->diag.rules[0].figures[0].name, "queued_per_p");
    assert_true(dc->diag.rules[0].figures[0].value == 31.5);
    assert_true(isnan(dc->diag.rules[0].figures[1].value));
    for (size_t i = 0; i < c->diag.nrules; i++)
        assert_memory_equal(dc->diag.rules[i].thr, c->diag.rules[i].thr,
                            sizeof(c->diag.rules[i].thr));
    assert_ptr_equal(dc->diag.findings[0].pane, c->diag.findings[0].pane);
    assert_true(isnan(dc->diag.findings[0].evidence[1].value));
    assert_int_equal(dc->park.nreasons, 2);
    assert_memory_equal(dc->park.reasons, c->park.reasons, 2 * sizeof(*c->park.reasons));
    assert_memory_equal(&dc->park.wake, &c->park.wake, sizeof(c->park.wake));
    assert_int_equal(dc->park.state, PARK_GOV_SAMPLING);
    assert_int_equal(dc->cores.ncpus, 4);
    assert_memory_equal(dc->cores.cpus, c->cores.cpus, 4 * sizeof(*c->cores.cpus));
    assert_memory_equal(dc->cores.threads, c->cores.threads, 2 * sizeof(*c->cores.threads));
    assert_int_equal(dc->cores.fd_limit, 1024);
    assert_int_equal(dc->numa.nnodes, 2);
    assert_memory_equal(dc->numa.nodes, c->numa.nodes, 2 * sizeof(*c->numa.nodes));
    assert_memory_equal(dc->numa.distance, c->numa.distance, 4 * sizeof(int32_t));
    assert_string_equal(dc->numa.local_basis, "ps");
    assert_int_equal(dc->nstatus, 3);
    assert_string_equal(dc->status[2].reason, "no hardware PMU in this VM");
    assert_string_equal(dc->meta.comm, c->meta.comm);
    snapshot_free(p);
    snapshot_free(c);
    snapshot_free(dp);
    snapshot_free(dc);
}

/* An empty snapshot (nothing collected) stays empty: NULL arrays, unknowns unknown. */
static void test_round_trip_empty(void **state)
{
    (void)state;
    struct snapshot *s = snapshot_new(), *d = round_trip(s);
    assert_null(d->threads);
    assert_null(d->sched.ps);
    assert_null(d->sched_latency.raw);
    assert_false(d->sched_latency.valid);
    assert_null(d->diag.rules);
    assert_null(d->diag.findings);
    assert_null(d->numa.distance);
    assert_true(d->meta.uptime_s < 0);
    assert_same_json(NULL, s, NULL, d);
    snapshot_free(s);
    snapshot_free(d);
}

/* A layout that is not what this build derives for the version reads as unavailable. */
static void test_bad_timehist_layout(void **state)
{
    (void)state;
    struct snapshot *s = synth_snapshot(1, 2, 2, 1);
    s->sched_latency.layout.sub_bits = 9;
    struct snapshot *d = round_trip(s);
    assert_false(d->sched_latency.valid);
    assert_null(d->sched_latency.raw);
    assert_true(d->gc_pauses.valid);
    snapshot_free(s);
    snapshot_free(d);
}

static void test_unknown_tags_skipped(void **state)
{
    (void)state;
    struct snapshot *s = synth_snapshot(1, 4, 5, 2);
    struct rec_buf b = { 0 };
    assert_int_equal(record_encode(&b, s), 0);
    /* A section from the future, then a future field inside a known section. */
    size_t m = rec_begin(&b, 99);
    rec_put_str(&b, 1, "from a newer gmptop", 64);
    rec_put_u(&b, 2, 12345);
    rec_end(&b, m);
    m = rec_begin(&b, REC_SEC_META);
    rec_put_u(&b, 200, 7);
    rec_put_str(&b, 5, "renamed", 64);     /* meta.comm, seen again: last one wins */
    rec_end(&b, m);
    char why[200];
    struct snapshot *d = record_decode(b.p, b.len, why, sizeof(why));
    assert_non_null(d);
    assert_string_equal(d->meta.comm, "renamed");
    assert_int_equal(d->nthreads, 5);
    assert_int_equal(d->meta.pid, 4242);
    snapshot_free(d);
    rec_buf_free(&b);
    snapshot_free(s);
}

/* Every prefix and many corruptions: decode fails with a reason or yields a snapshot,
 * never crashes (ASan/UBSan in CI), and never leaks. */
static void test_truncated_and_corrupt(void **state)
{
    (void)state;
    struct snapshot *s = synth_snapshot(2, 4, 6, 2);
    struct rec_buf b = { 0 };
    assert_int_equal(record_encode(&b, s), 0);
    char why[200];
    size_t failed = 0;
    for (size_t n = 0; n < b.len; n++) {
        why[0] = '\0';
        struct snapshot *d = record_decode(b.p, n, why, sizeof(why));
        if (!d) {
            assert_true(why[0] != '\0');
            failed++;
        }
        snapshot_free(d);
    }
    assert_true(failed > b.len / 2);
    uint8_t *copy = malloc(b.len);
    srand(7);
    for (int k = 0; k < 3000; k++) {
        memcpy(copy, b.p, b.len);
        for (int f = 0; f < 1 + k % 4; f++)
            copy[(size_t)rand() % b.len] ^= (uint8_t)(1 + rand() % 255);
        struct snapshot *d = record_decode(copy, b.len, why, sizeof(why));
        if (d) {
            char *j = batch_json(NULL, d);   /* whatever decoded must be safe to use */
            free(j);
        }
        snapshot_free(d);
    }
    free(copy);
    rec_buf_free(&b);
    snapshot_free(s);
}

/* The table covers every section tag once. */
static void test_section_table(void **state)
{
    (void)state;
    assert_int_equal(record_section_count(), 13);
    for (size_t i = 0; i < record_section_count(); i++)
        for (size_t j = i + 1; j < record_section_count(); j++)
            assert_int_not_equal(record_section_at(i)->tag, record_section_at(j)->tag);
    assert_null(record_section_at(record_section_count()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlv_values),
        cmocka_unit_test(test_round_trip_every_section),
        cmocka_unit_test(test_round_trip_empty),
        cmocka_unit_test(test_bad_timehist_layout),
        cmocka_unit_test(test_unknown_tags_skipped),
        cmocka_unit_test(test_truncated_and_corrupt),
        cmocka_unit_test(test_section_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
