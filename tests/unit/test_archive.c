/* test_archive: the rewind archive's ring at its edges (empty, one, full, wrapping, a
 * snapshot much larger than the others, a length change while it holds snapshots), the
 * windows it decodes (never across a new run), that what comes back is what went in
 * (the same JSON as the snapshot pushed), and the chains of frames each deflated against
 * the one before (any order, across wraps, as keys leave, after a shrink). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export/batch.h"
#include "model/history.h"
#include "record/archive.h"
#include "record/archive_pack.h"
#include "tests/synth_snapshot.h"

/* A synthetic snapshot whose times say which tick it is. */
static struct snapshot *tick_snap(int tick, size_t nthreads)
{
    struct snapshot *s = synth_snapshot(tick, 4, nthreads, 2);
    assert_non_null(s);
    s->meta.mono_ns = 1000000000LL * (tick + 1);
    s->meta.time_ns = 1700000000000000000LL + s->meta.mono_ns;
    return s;
}

static void push_ticks(struct archive *a, int from, int to, int new_run_at)
{
    for (int t = from; t < to; t++) {
        struct snapshot *s = tick_snap(t, 8);
        assert_int_equal(archive_push(a, s, t == new_run_at), 0);
        snapshot_free(s);
    }
}

static int64_t tick_ns(int tick) { return 1000000000LL * (tick + 1); }

static void test_empty(void **state)
{
    (void)state;
    assert_null(archive_new(0));
    struct archive *a = archive_new(5);
    assert_non_null(a);
    assert_int_equal(archive_len(a), 0);
    assert_int_equal(archive_mono_ns(a, 0), -1);
    char why[128] = "";
    assert_null(archive_load(a, 0, why, sizeof(why)));
    assert_non_null(strstr(why, "0 kept"));
    struct history *h = history_new(10);
    assert_int_equal(archive_fill(a, 0, 10, h, why, sizeof(why)), -ERANGE);
    assert_int_equal(history_len(h), 0);
    history_free(h);
    archive_free(a);
    archive_free(NULL);
}

static void test_wrap_keeps_newest(void **state)
{
    (void)state;
    struct archive *a = archive_new(5);
    push_ticks(a, 0, 1, 0);
    assert_int_equal(archive_len(a), 1);
    assert_int_equal(archive_mono_ns(a, 0), tick_ns(0));
    push_ticks(a, 1, 5, 0);                       /* full */
    assert_int_equal(archive_len(a), 5);
    assert_int_equal(archive_mono_ns(a, 4), tick_ns(0));
    push_ticks(a, 5, 13, 0);                      /* wrapped more than once */
    assert_int_equal(archive_len(a), 5);
    for (size_t age = 0; age < 5; age++)
        assert_int_equal(archive_mono_ns(a, age), tick_ns(12 - (int)age));
    assert_int_equal(archive_mono_ns(a, 5), -1);
    assert_true(archive_bytes(a) > 0);
    archive_free(a);
}

/* What comes back prints as the same JSON as what went in. */
static void test_round_trip(void **state)
{
    (void)state;
    struct archive *a = archive_new(4);
    struct snapshot *orig[3];
    for (int t = 0; t < 3; t++) {
        orig[t] = tick_snap(t, 8);
        assert_int_equal(archive_push(a, orig[t], t == 0), 0);
    }
    char why[128] = "";
    struct snapshot *back = archive_load(a, 1, why, sizeof(why));
    assert_non_null(back);
    struct snapshot *prev = archive_load(a, 2, why, sizeof(why));
    assert_non_null(prev);
    char *x = batch_json(orig[0], orig[1]), *y = batch_json(prev, back);
    assert_string_equal(x, y);
    free(x);
    free(y);
    snapshot_free(back);
    snapshot_free(prev);
    for (int t = 0; t < 3; t++)
        snapshot_free(orig[t]);
    archive_free(a);
}

/* Chains no frame joins any more are packed (recompressed whole): every snapshot comes
 * back as it went in, whether its chain is packed or still open, stepping either way
 * and jumping between chains, and the packed ring holds fewer bytes than frames kept
 * one by one (a ring of 7 never packs: chains of one). */
static void test_packed_round_trip(void **state)
{
    (void)state;
    enum { CAP = 64, N = 100 };                  /* chains of 8: the last one open */
    struct archive *a = archive_new(CAP), *alone = archive_new(7);
    struct snapshot *orig[N];
    for (int t = 0; t < N; t++) {
        orig[t] = tick_snap(t, 3 + (size_t)(t % 5));
        assert_int_equal(archive_push(a, orig[t], t == 0), 0);
        assert_int_equal(archive_push(alone, orig[t], t == 0), 0);
    }
    char why[128] = "";
    static const size_t ages[] = { 63, 62, 0, 1, 40, 39, 41, 8, 7, 9, 31, 0, 63 };
    for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
        struct snapshot *back = archive_load(a, ages[i], why, sizeof(why));
        assert_non_null(back);
        const struct snapshot *o = orig[N - 1 - ages[i]];
        char *x = batch_json(NULL, o), *y = batch_json(NULL, back);
        assert_string_equal(x, y);
        free(x);
        free(y);
        snapshot_free(back);
    }
    assert_true(archive_bytes(a) > 0);
    /* Per frame: the packed ring against frames deflated alone. */
    assert_true(archive_bytes(a) / CAP < archive_bytes(alone) / 7);
    for (int t = 0; t < N; t++)
        snapshot_free(orig[t]);
    archive_free(a);
    archive_free(alone);
}

/* Frames laid out section by section come back byte for byte: frames holding sections
 * the first ones lack (they keep their order), empty frames, a tag repeated in a row;
 * frames whose sections disagree on their order, or that are not items, are refused;
 * packed bytes cut short, or given other lengths, do not unpack. */
static void test_pack_order(void **state)
{
    (void)state;
    struct rec_buf f = { 0 };
    uint32_t rlen[6];
    size_t mark = f.len;
    rec_put_u(&f, 1, 7);                       /* frame 0: 1 3 */
    rec_put_str(&f, 3, "threads", 64);
    rlen[0] = (uint32_t)(f.len - mark), mark = f.len;
    rec_put_u(&f, 1, 8);                       /* frame 1: 1 2 2 3 (2 is new) */
    rec_put_u(&f, 2, 1);
    rec_put_u(&f, 2, 2);
    rec_put_str(&f, 3, "threads", 64);
    rlen[1] = (uint32_t)(f.len - mark), mark = f.len;
    rlen[2] = 0;                               /* frame 2: empty */
    rec_put_u(&f, 3, 9);                       /* frame 3: 3 4 */
    rec_put_u(&f, 4, 10);
    rlen[3] = (uint32_t)(f.len - mark), mark = f.len;
    struct rec_buf packed = { 0 };
    assert_int_equal(archive_pack_order(f.p, rlen, 4, &packed), 0);
    uint8_t back[256];
    assert_true(f.len <= sizeof(back));
    assert_int_equal(archive_unpack_order(packed.p, packed.len, rlen, 4, back), 0);
    assert_memory_equal(back, f.p, f.len);
    /* Cut short, a byte too many, or lengths that are not the frames'. */
    assert_int_equal(archive_unpack_order(packed.p, packed.len - 1, rlen, 4, back), -1);
    uint8_t more[512];
    memcpy(more, packed.p, packed.len);
    more[packed.len] = 0;
    assert_int_equal(archive_unpack_order(more, packed.len + 1, rlen, 4, back), -1);
    uint32_t other[4] = { rlen[0] + 1, rlen[1] - 1, rlen[2], rlen[3] };
    assert_int_equal(archive_unpack_order(packed.p, packed.len, other, 4, back), -1);
    /* Frame 4: 3 then 1, against the order the others give: refused. */
    rec_put_str(&f, 3, "x", 8);
    rec_put_u(&f, 1, 1);
    rlen[4] = (uint32_t)(f.len - mark), mark = f.len;
    rec_buf_reset(&packed);
    assert_int_equal(archive_pack_order(f.p, rlen, 5, &packed), -1);
    /* Frame 5 alone, a tag coming back after another: refused; bytes that are not
     * items: refused. */
    rec_put_u(&f, 1, 1);
    rec_put_u(&f, 2, 1);
    rec_put_u(&f, 1, 1);
    rlen[5] = (uint32_t)(f.len - mark);
    assert_int_equal(archive_pack_order(f.p + mark, rlen + 5, 1, &packed), -1);
    static const uint8_t junk[] = { 0x01, 0x7f, 0x00 };
    uint32_t jl = sizeof(junk);
    assert_int_equal(archive_pack_order(junk, &jl, 1, &packed), -1);
    rec_buf_free(&packed);
    rec_buf_free(&f);
}

/* One snapshot far larger than the rest (thousands of threads) is kept whole, and the
 * ones after it are unaffected. */
static void test_large_snapshot(void **state)
{
    (void)state;
    struct archive *a = archive_new(3);
    push_ticks(a, 0, 2, 0);
    size_t small = archive_bytes(a);
    struct snapshot *big = tick_snap(2, 20000);
    assert_int_equal(archive_push(a, big, 0), 0);
    assert_true(archive_bytes(a) > small * 4);
    char why[128] = "";
    struct snapshot *back = archive_load(a, 0, why, sizeof(why));
    assert_non_null(back);
    assert_int_equal(back->nthreads, big->nthreads);
    snapshot_free(back);
    snapshot_free(big);
    push_ticks(a, 3, 6, 0);                       /* the big one leaves the ring */
    assert_true(archive_bytes(a) < small * 4);
    archive_free(a);
}

static void test_resize(void **state)
{
    (void)state;
    struct archive *a = archive_new(4);
    push_ticks(a, 0, 6, 0);                       /* holds ticks 2..5 */
    assert_int_equal(archive_resize(a, 0), -EINVAL);
    assert_int_equal(archive_resize(a, 2), 0);    /* shrink: the newest two stay */
    assert_int_equal(archive_len(a), 2);
    assert_int_equal(archive_mono_ns(a, 0), tick_ns(5));
    assert_int_equal(archive_mono_ns(a, 1), tick_ns(4));
    assert_int_equal(archive_resize(a, 6), 0);    /* grow: nothing lost, room to fill */
    assert_int_equal(archive_len(a), 2);
    push_ticks(a, 6, 12, -1);
    assert_int_equal(archive_len(a), 6);
    for (size_t age = 0; age < 6; age++)
        assert_int_equal(archive_mono_ns(a, age), tick_ns(11 - (int)age));
    assert_int_equal(archive_capacity(a), 6);
    archive_free(a);
}

/* A window ends at the snapshot asked for, reaches back at most window snapshots, and
 * stops at the start of its run (a new attach). */
static void test_fill_windows(void **state)
{
    (void)state;
    struct archive *a = archive_new(20);
    push_ticks(a, 0, 10, 0);
    push_ticks(a, 10, 16, 10);                    /* a second run: ticks 10..15 */
    struct history *h = history_new(8);
    char why[128] = "";
    assert_int_equal(archive_fill(a, 2, 3, h, why, sizeof(why)), 0);
    assert_int_equal(history_len(h), 3);
    assert_int_equal(history_get(h, 0)->meta.mono_ns, tick_ns(13));
    assert_int_equal(history_get(h, 2)->meta.mono_ns, tick_ns(11));
    /* Age 4 is tick 11: its run starts at tick 10, one before it. */
    assert_int_equal(archive_fill(a, 4, 8, h, why, sizeof(why)), 0);
    assert_int_equal(history_len(h), 2);
    assert_int_equal(history_get(h, 1)->meta.mono_ns, tick_ns(10));
    /* In the first run, the window is cut by its length. */
    assert_int_equal(archive_fill(a, 8, 4, h, why, sizeof(why)), 0);
    assert_int_equal(history_len(h), 4);
    assert_int_equal(history_get(h, 0)->meta.mono_ns, tick_ns(7));
    /* A step back by one keeps the snapshots both windows share (no decoding). */
    assert_int_equal(archive_fill(a, 9, 3, h, why, sizeof(why)), 0);
    const struct snapshot *shared = history_get(h, 1);       /* tick 5 */
    assert_int_equal(shared->meta.mono_ns, tick_ns(5));
    assert_int_equal(archive_fill(a, 10, 3, h, why, sizeof(why)), 0);
    assert_ptr_equal(history_get(h, 0), shared);
    assert_int_equal(history_get(h, 2)->meta.mono_ns, tick_ns(3));
    assert_int_equal(archive_fill(a, 16, 4, h, why, sizeof(why)), -ERANGE);
    assert_int_equal(history_len(h), 0);
    history_free(h);
    archive_free(a);
}

/* A rewind window that sheds details past age 2, as the TUI's does: every step gives
 * the snapshot shown and the one before their profiles, wait reasons and rule
 * statuses, also when a step back moves snapshots that shed theirs to those ages (they
 * are decoded again). */
static void test_fill_sheds_profiles(void **state)
{
    (void)state;
    struct archive *a = archive_new(40);
    push_ticks(a, 0, 40, 0);
    struct history *h = history_new(10);
    history_set_detail_ages(h, 2);
    char why[128] = "";
    static const size_t ages[] = { 5, 6, 7, 3, 20, 21, 0, 39, 38 };
    for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
        assert_int_equal(archive_fill(a, ages[i], 10, h, why, sizeof(why)), 0);
        assert_int_equal(history_get(h, 0)->meta.mono_ns, tick_ns(39 - (int)ages[i]));
        for (size_t age = 0; age < history_len(h); age++) {
            const struct snapshot *s = history_get(h, age);
            bool kept = age < 2;              /* profile, wait reasons, rule statuses */
            assert_true(kept == (s->cpuprof != NULL));
            assert_true(kept == (s->park.reasons != NULL && s->park.nreasons > 0));
            assert_true(kept == (s->diag.rules != NULL && s->diag.nrules > 0));
            assert_true(s->park.valid && s->sched.valid);
        }
    }
    history_free(h);
    archive_free(a);
}

/* A finding's start time names the first snapshot taken then or after. */
static void test_find_time(void **state)
{
    (void)state;
    struct archive *a = archive_new(4);
    assert_int_equal(archive_find_time(a, 0), SIZE_MAX);
    push_ticks(a, 0, 6, 0);                       /* holds ticks 2..5 */
    int64_t base = 1700000000000000000LL;
    assert_int_equal(archive_find_time(a, base + tick_ns(5)), 0);
    assert_int_equal(archive_find_time(a, base + tick_ns(4) + 1), 0);
    assert_int_equal(archive_find_time(a, base + tick_ns(3)), 2);
    assert_int_equal(archive_find_time(a, base + tick_ns(0)), 3);   /* older: the oldest */
    assert_int_equal(archive_find_time(a, base + tick_ns(5) + 1), SIZE_MAX);
    archive_free(a);
}

/* Every frame but a chain's key is deflated against the one before: frames load in any
 * order (each through its chain, or the cache), across several chains and after the
 * ring wrapped many times, when the oldest key has left the ring (its bytes stay while
 * frames of its chain are in it), and after the ring shrinks. */
static void test_chains(void **state)
{
    (void)state;
    struct archive *a = archive_new(150);
    push_ticks(a, 0, 500, 0);                     /* holds 350..499: chains cut anywhere */
    char why[128] = "";
    static const size_t ages[] = { 0, 149, 1, 148, 75, 74, 76, 63, 64, 65, 128, 127, 0 };
    for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
        struct snapshot *s = archive_load(a, ages[i], why, sizeof(why));
        assert_non_null(s);
        assert_int_equal(s->meta.mono_ns, tick_ns(499 - (int)ages[i]));
        snapshot_free(s);
    }
    /* Oldest first, as a window is filled: one inflate each. */
    for (size_t age = 150; age-- > 0;) {
        struct snapshot *s = archive_load(a, age, why, sizeof(why));
        assert_non_null(s);
        assert_int_equal(s->meta.mono_ns, tick_ns(499 - (int)age));
        snapshot_free(s);
    }
    assert_int_equal(archive_resize(a, 37), 0);    /* the oldest 113 go, one by one */
    for (size_t age = 0; age < 37; age++) {
        struct snapshot *s = archive_load(a, 36 - age, why, sizeof(why));
        assert_non_null(s);
        assert_int_equal(s->meta.mono_ns, tick_ns(463 + (int)age));
        snapshot_free(s);
    }
    /* A ring of one: each frame stands alone. */
    assert_int_equal(archive_resize(a, 1), 0);
    push_ticks(a, 500, 503, -1);
    struct snapshot *s = archive_load(a, 0, why, sizeof(why));
    assert_non_null(s);
    assert_int_equal(s->meta.mono_ns, tick_ns(502));
    snapshot_free(s);
    archive_free(a);
}

/* Once full, what the archive holds stays flat: chains leave as whole mappings, and a
 * chain's frames past the ring are at most an eighth of it. */
static void test_full_stays_flat(void **state)
{
    (void)state;
    struct archive *a = archive_new(160);
    push_ticks(a, 0, 200, 0);
    size_t full = archive_bytes(a);
    size_t lo = full, hi = full;
    for (int t = 200; t < 1400; t += 40) {
        push_ticks(a, t, t + 40, -1);
        size_t b = archive_bytes(a);
        lo = b < lo ? b : lo;
        hi = b > hi ? b : hi;
    }
    /* Chains of 20 frames: one more chain's worth at most, and never an ever-growing
     * amount. */
    assert_true(hi <= full + full / 6);
    assert_true(lo >= full - full / 6);
    archive_clear(a);
    assert_true(archive_bytes(a) < full / 4);        /* the chains are unmapped */
    push_ticks(a, 1400, 1403, 1400);
    assert_int_equal(archive_len(a), 3);
    char why[128] = "";
    struct snapshot *s = archive_load(a, 2, why, sizeof(why));
    assert_non_null(s);
    assert_int_equal(s->meta.mono_ns, tick_ns(1400));
    snapshot_free(s);
    archive_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_wrap_keeps_newest),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_packed_round_trip),
        cmocka_unit_test(test_pack_order),
        cmocka_unit_test(test_large_snapshot),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_fill_windows),
        cmocka_unit_test(test_find_time),
        cmocka_unit_test(test_fill_sheds_profiles),
        cmocka_unit_test(test_chains),
        cmocka_unit_test(test_full_stays_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
