/* test_archive_spill: the rewind archive's spill file (what is put comes back, a dropped
 * chain's blocks are given back, an empty file starts again at 0; a directory in memory
 * or missing is refused with its reason) and the archive over it (every snapshot comes
 * back as it went in while only the open chain stays in memory; clear, shrink and a
 * change of file). Real files, in the first disk-backed directory of the build
 * directory, /var/tmp and /tmp; the test is skipped, saying so, where there is none. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <cmocka.h>

#include "export/batch.h"
#include "record/archive.h"
#include "record/archive_spill.h"
#include "tests/synth_snapshot.h"

static const char *disk_dir(void)
{
    static const char *dirs[] = { ".", "/var/tmp", "/tmp" };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char why[256];
        struct archive_spill *sp = archive_spill_open(dirs[i], why, sizeof(why));
        if (sp) {
            archive_spill_close(sp);
            return dirs[i];
        }
    }
    return NULL;
}

static struct archive_spill *open_or_skip(void)
{
    const char *dir = disk_dir();
    if (!dir) {
        printf("SKIP: no disk-backed directory takes a spill file here\n");
        skip();
    }
    char why[256] = "";
    struct archive_spill *sp = archive_spill_open(dir, why, sizeof(why));
    assert_non_null(sp);
    return sp;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static void test_put_get_drop(void **state)
{
    (void)state;
    struct archive_spill *sp = open_or_skip();
    enum { A = 10000, B = 70000, C = 5000 };
    static uint8_t a[A], b[B], c[C], back[B];
    fill(a, A, 1);
    fill(b, B, 2);
    fill(c, C, 3);
    uint64_t oa, ob, oc;
    assert_int_equal(archive_spill_put(sp, a, A, &oa), 0);
    assert_int_equal(archive_spill_put(sp, b, B, &ob), 0);
    assert_int_equal(archive_spill_put(sp, c, C, &oc), 0);
    assert_true(oa < ob && ob < oc);
    assert_int_equal(archive_spill_bytes(sp), A + B + C);
    assert_int_equal(archive_spill_get(sp, ob, back, B), 0);
    assert_memory_equal(back, b, B);
    assert_int_equal(archive_spill_get(sp, oa, back, A), 0);
    assert_memory_equal(back, a, A);
    /* Past the end: a short read is an error, not zeros. */
    assert_int_equal(archive_spill_get(sp, oc + 4096 * 4, back, 100), -EIO);
    uint64_t disk = archive_spill_disk_bytes(sp);
    assert_true(disk >= A + B + C);
    /* The middle one dropped: its blocks go, its neighbours stay whole. */
    archive_spill_drop(sp, ob, B);
    assert_true(archive_spill_disk_bytes(sp) <= disk - 65536);
    assert_int_equal(archive_spill_bytes(sp), A + C);
    assert_int_equal(archive_spill_get(sp, oc, back, C), 0);
    assert_memory_equal(back, c, C);
    assert_int_equal(archive_spill_get(sp, oa, back, A), 0);
    assert_memory_equal(back, a, A);
    archive_spill_drop(sp, oa, A);
    archive_spill_drop(sp, oc, C);
    /* Empty: the file is cut and the next put starts at 0. */
    assert_int_equal(archive_spill_bytes(sp), 0);
    assert_int_equal(archive_spill_disk_bytes(sp), 0);
    assert_int_equal(archive_spill_put(sp, c, C, &oc), 0);
    assert_int_equal(oc, 0);
    archive_spill_close(sp);
    archive_spill_close(NULL);
}

static void test_refused_dirs(void **state)
{
    (void)state;
    char why[256] = "";
    assert_null(archive_spill_open("/nonexistent/gmptop", why, sizeof(why)));
    assert_non_null(strstr(why, "/nonexistent/gmptop"));
    assert_non_null(strstr(why, "No such file"));
    assert_null(archive_spill_open("", why, sizeof(why)));
    struct statfs fs;
    if (statfs("/dev/shm", &fs) == 0 && (unsigned long)fs.f_type == 0x01021994) {
        assert_null(archive_spill_open("/dev/shm", why, sizeof(why)));
        assert_non_null(strstr(why, "tmpfs"));
    } else {
        printf("no tmpfs at /dev/shm: the refusal of one is not checked here\n");
    }
}

static struct snapshot *tick_snap(int tick)
{
    struct snapshot *s = synth_snapshot(tick, 4, 3 + (size_t)(tick % 5), 2);
    assert_non_null(s);
    s->meta.mono_ns = 1000000000LL * (tick + 1);
    s->meta.time_ns = 1700000000000000000LL + s->meta.mono_ns;
    return s;
}

/* An archive over a spill file gives back what went in, at every age and in any order,
 * while it holds in memory a fraction of what the same archive without one holds. */
static void test_archive_over_spill(void **state)
{
    (void)state;
    struct archive_spill *sp = open_or_skip();
    enum { CAP = 256, N = 700 };                 /* chains of 32: the ring wrapped twice */
    struct archive *a = archive_new(CAP), *mem = archive_new(CAP);
    archive_spill_into(a, sp);
    struct snapshot *orig[CAP] = { 0 };
    for (int t = 0; t < N; t++) {
        struct snapshot *s = tick_snap(t);
        assert_int_equal(archive_push(a, s, t == 0), 0);
        assert_int_equal(archive_push(mem, s, t == 0), 0);
        if (t >= N - CAP)
            orig[t - (N - CAP)] = s;
        else
            snapshot_free(s);
    }
    assert_true(archive_spilled_bytes(a) > 0);
    assert_int_equal(archive_spilled_bytes(mem), 0);
    assert_true(archive_bytes(a) * 3 < archive_bytes(mem));
    char why[200] = "";
    static const size_t ages[] = { 255, 254, 0, 1, 128, 127, 31, 32, 33, 200, 0, 255 };
    for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
        struct snapshot *back = archive_load(a, ages[i], why, sizeof(why));
        assert_non_null(back);
        char *x = batch_json(NULL, orig[CAP - 1 - ages[i]]), *y = batch_json(NULL, back);
        assert_string_equal(x, y);
        free(x);
        free(y);
        snapshot_free(back);
    }
    /* Shrunk: the chains that left give their bytes back. */
    size_t before = archive_spilled_bytes(a);
    assert_int_equal(archive_resize(a, 40), 0);
    assert_true(archive_spilled_bytes(a) < before / 3);
    struct snapshot *s = archive_load(a, 39, why, sizeof(why));
    assert_non_null(s);
    assert_int_equal(s->meta.mono_ns, orig[CAP - 40]->meta.mono_ns);
    snapshot_free(s);
    /* Cleared: nothing left in the file. */
    archive_clear(a);
    assert_int_equal(archive_spilled_bytes(a), 0);
    /* Back to memory: what comes next stays there. */
    for (int t = 0; t < 60; t++) {
        struct snapshot *x = tick_snap(t);
        assert_int_equal(archive_push(a, x, t == 0), 0);
        snapshot_free(x);
    }
    archive_spill_into(a, NULL);
    assert_int_equal(archive_len(a), 0);
    for (int t = 0; t < 60; t++) {
        struct snapshot *x = tick_snap(t);
        assert_int_equal(archive_push(a, x, t == 0), 0);
        snapshot_free(x);
    }
    assert_int_equal(archive_spilled_bytes(a), 0);
    s = archive_load(a, 39, why, sizeof(why));
    assert_non_null(s);
    snapshot_free(s);
    for (int i = 0; i < CAP; i++)
        snapshot_free(orig[i]);
    archive_free(a);
    archive_free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_drop),
        cmocka_unit_test(test_refused_dirs),
        cmocka_unit_test(test_archive_over_spill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
