/* test_recfile: the recording file: frames read back, every truncation and corruption
 * replays the complete prefix then names the damage, newer versions are refused, and
 * the writer appends safely and never follows a symlink or overwrites a stranger. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "record/recfile.h"
#include "record/recorder.h"
#include "record/replay.h"
#include "tests/synth_snapshot.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gmptop-recfile-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

/* Writes n frames whose payload is "frame K" repeated; returns the frame end offsets. */
static void write_frames(const char *path, int n, uint64_t *ends)
{
    struct recfile_writer *w;
    char note[200], msg[200];
    assert_int_equal(recfile_writer_open(path, &w, note, sizeof(note), msg, sizeof(msg)), 0);
    for (int k = 0; k < n; k++) {
        char payload[400];
        int len = 0;
        for (int r = 0; r < 20; r++)
            len += snprintf(payload + len, sizeof(payload) - (size_t)len, "frame %d ", k);
        assert_int_equal(recfile_writer_append(w, payload, (size_t)len, k == 0 ? 1 : 0,
                                               1000 + k, 2000 + k, msg, sizeof(msg)), 0);
        if (ends)
            ends[k] = recfile_writer_size(w);
    }
    recfile_writer_close(w);
}

/* Frames readable from path, and whether reading ended in damage (msg says where). */
static int read_frames(const char *path, bool *damaged, char *msg, size_t len)
{
    struct recfile_reader *r;
    *damaged = false;
    int rc = recfile_reader_open(path, &r, msg, len);
    if (rc < 0) {
        *damaged = true;
        return 0;
    }
    struct recfile_frame f;
    const uint8_t *raw;
    int n = 0;
    while ((rc = recfile_reader_next(r, &f, &raw, msg, len)) == 1) {
        char want[32];
        snprintf(want, sizeof(want), "frame %d ", n);
        assert_memory_equal(raw, want, strlen(want));
        assert_int_equal(f.time_ns, 1000 + n);
        assert_int_equal(f.index, n);
        n++;
    }
    *damaged = rc < 0;
    recfile_reader_close(r);
    return n;
}

static void test_frames_read_back(void **state)
{
    (void)state;
    char p[128], msg[300];
    path_of(p, sizeof(p), "ok.gmpr");
    write_frames(p, 5, NULL);
    bool damaged;
    assert_int_equal(read_frames(p, &damaged, msg, sizeof(msg)), 5);
    assert_false(damaged);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
}

static void test_every_truncation(void **state)
{
    (void)state;
    char p[128], t[128], msg[300];
    uint64_t ends[6];
    path_of(p, sizeof(p), "full.gmpr");
    path_of(t, sizeof(t), "cut.gmpr");
    write_frames(p, 6, ends);
    FILE *f = fopen(p, "rb");
    uint8_t buf[8192];
    size_t size = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(size, ends[5]);
    for (size_t cut = 0; cut < size; cut++) {
        f = fopen(t, "wb");
        fwrite(buf, 1, cut, f);
        fclose(f);
        bool damaged;
        msg[0] = '\0';
        int n = read_frames(t, &damaged, msg, sizeof(msg));
        int complete = 0;
        while (complete < 6 && ends[complete] <= cut)
            complete++;
        assert_int_equal(n, complete);           /* the whole complete prefix */
        bool boundary = cut == RECFILE_HEADER_LEN || (complete && ends[complete - 1] == cut);
        if (boundary) {
            assert_false(damaged);
        } else {
            assert_true(damaged);
            if (cut >= 8)
                assert_non_null(strstr(msg, "damaged at byte"));
        }
    }
}

static void test_corruption_detected(void **state)
{
    (void)state;
    char p[128], t[128], msg[300];
    uint64_t ends[4];
    path_of(p, sizeof(p), "c.gmpr");
    path_of(t, sizeof(t), "c2.gmpr");
    write_frames(p, 4, ends);
    FILE *f = fopen(p, "rb");
    uint8_t buf[8192];
    size_t size = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    for (size_t at = 0; at < size; at += 3) {
        buf[at] ^= 0x20;
        f = fopen(t, "wb");
        fwrite(buf, 1, size, f);
        fclose(f);
        buf[at] ^= 0x20;
        bool damaged;
        int n = read_frames(t, &damaged, msg, sizeof(msg));
        assert_true(damaged);
        /* Frames before the flipped byte's frame all replay. */
        int before = 0;
        while (before < 4 && ends[before] <= at)
            before++;
        assert_int_equal(n, at < RECFILE_HEADER_LEN ? 0 : before);
        if (at >= RECFILE_HEADER_LEN) {
            char want[64];
            snprintf(want, sizeof(want), "(frame %d)", before);
            assert_non_null(strstr(msg, want));
        }
    }
}

static void test_newer_version_refused(void **state)
{
    (void)state;
    char p[128], msg[300];
    path_of(p, sizeof(p), "new.gmpr");
    write_frames(p, 1, NULL);
    /* Rewrite the header as major 2 with a valid checksum: a real newer file. */
    FILE *f = fopen(p, "r+b");
    uint8_t h[RECFILE_HEADER_LEN];
    assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
    h[8] = 2;
    h[9] = 0;
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, h, RECFILE_HEADER_LEN - 4);
    for (int i = 0; i < 4; i++)
        h[20 + i] = (uint8_t)(c >> (8 * i));
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, sizeof(h), f);
    fclose(f);
    struct recfile_reader *r;
    assert_int_equal(recfile_reader_open(p, &r, msg, sizeof(msg)), RECFILE_ERR_NEWER);
    assert_non_null(strstr(msg, "newer"));
    /* Nor is it appended to. */
    struct recfile_writer *w;
    char note[200];
    assert_int_equal(recfile_writer_open(p, &w, note, sizeof(note), msg, sizeof(msg)),
                     RECFILE_ERR_NEWER);
}

static void test_writer_refusals(void **state)
{
    (void)state;
    char p[128], l[128], msg[300], note[300];
    struct recfile_writer *w;
    /* A stranger's file is never overwritten. */
    path_of(p, sizeof(p), "notes.txt");
    FILE *f = fopen(p, "w");
    fputs("my precious notes\n", f);
    fclose(f);
    assert_int_equal(recfile_writer_open(p, &w, note, sizeof(note), msg, sizeof(msg)),
                     RECFILE_ERR_NOT_RECORDING);
    assert_non_null(strstr(msg, "not overwriting"));
    f = fopen(p, "r");
    char line[64];
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    assert_string_equal(line, "my precious notes\n");
    /* A symlink planted where the recording goes is not followed. */
    path_of(l, sizeof(l), "planted.gmpr");
    assert_int_equal(symlink(p, l), 0);
    assert_int_equal(recfile_writer_open(l, &w, note, sizeof(note), msg, sizeof(msg)), -ELOOP);
    char dangling[128];
    path_of(dangling, sizeof(dangling), "dangling.gmpr");
    char target[128];
    path_of(target, sizeof(target), "would-be-created");
    assert_int_equal(symlink(target, dangling), 0);
    assert_true(recfile_writer_open(dangling, &w, note, sizeof(note), msg, sizeof(msg)) < 0);
    assert_int_equal(access(target, F_OK), -1);
    /* Not a regular file. */
    assert_true(recfile_writer_open(dir, &w, note, sizeof(note), msg, sizeof(msg)) < 0);
}

static void test_append_and_torn_tail(void **state)
{
    (void)state;
    char p[128], msg[300], note[300];
    uint64_t ends[3];
    path_of(p, sizeof(p), "app.gmpr");
    write_frames(p, 3, ends);
    /* A torn last frame, as a kill -9 mid-write would leave. */
    assert_int_equal(truncate(p, (off_t)(ends[2] - 5)), 0);
    struct recfile_writer *w;
    assert_int_equal(recfile_writer_open(p, &w, note, sizeof(note), msg, sizeof(msg)), 0);
    assert_non_null(strstr(note, "torn"));
    assert_int_equal(recfile_writer_size(w), ends[1]);
    /* A second writer is refused while the first holds the file. */
    struct recfile_writer *w2;
    assert_int_equal(recfile_writer_open(p, &w2, note, sizeof(note), msg, sizeof(msg)),
                     RECFILE_ERR_BUSY);
    char payload[200];
    int len = 0;
    for (int r = 0; r < 20; r++)
        len += snprintf(payload + len, sizeof(payload) - (size_t)len, "frame %d ", 2);
    assert_int_equal(recfile_writer_append(w, payload, (size_t)len, 1, 1002, 2002, msg,
                                           sizeof(msg)), 0);
    recfile_writer_close(w);
    bool damaged;
    assert_int_equal(read_frames(p, &damaged, msg, sizeof(msg)), 3);
    assert_false(damaged);
    /* Damage that is not a torn tail: refused, file untouched. */
    struct stat before, after;
    stat(p, &before);
    int fd = open(p, O_WRONLY);
    assert_true(pwrite(fd, "X", 1, (off_t)ends[0] + 40) == 1);
    close(fd);
    assert_int_equal(recfile_writer_open(p, &w, note, sizeof(note), msg, sizeof(msg)),
                     RECFILE_ERR_DAMAGED);
    stat(p, &after);
    assert_int_equal(before.st_size, after.st_size);
}

/* recorder + replay: snapshots through the whole stack, run starts honoured. */
static void test_recorder_replay(void **state)
{
    (void)state;
    char p[128], msg[300], note[300];
    path_of(p, sizeof(p), "snap.gmpr");
    struct recorder *rec;
    assert_int_equal(recorder_open(p, &rec, note, sizeof(note), msg, sizeof(msg)), 0);
    for (int k = 0; k < 4; k++) {
        struct snapshot *s = synth_snapshot(k, 4, 10, 2);
        assert_int_equal(recorder_write(rec, s, k == 0 || k == 2), 0);
        snapshot_free(s);
    }
    struct recorder_stats st;
    recorder_stats(rec, &st);
    assert_int_equal(st.frames, 4);
    assert_true(st.file_bytes < st.raw_bytes);
    recorder_close(rec);
    struct replay *rp;
    assert_int_equal(replay_open(p, &rp, msg, sizeof(msg)), 0);
    assert_int_equal(replay_count(rp), 4);
    assert_string_equal(replay_damage(rp), "");
    struct history *h = history_new(16);
    assert_int_equal(replay_tick(rp, h), 0);
    assert_int_equal(replay_tick(rp, h), 0);
    assert_int_equal(history_len(h), 2);
    assert_int_equal(replay_tick(rp, h), 0);      /* a run start: fresh history */
    assert_int_equal(history_len(h), 1);
    assert_int_equal(replay_tick(rp, h), 0);
    assert_int_equal(replay_tick(rp, h), -ENODATA);
    assert_int_equal(replay_seek(rp, h, 1), 0);
    assert_int_equal(replay_pos(rp), 1);
    assert_int_equal(history_len(h), 2);
    assert_int_equal(history_get(h, 0)->meta.time_ns, 1795780800123000000LL + 1000000000LL);
    assert_true(replay_gap_ms(rp, 0) > 999 && replay_gap_ms(rp, 0) < 1001);
    history_free(h);
    replay_close(rp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_read_back),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_corruption_detected),
        cmocka_unit_test(test_newer_version_refused),
        cmocka_unit_test(test_writer_refusals),
        cmocka_unit_test(test_append_and_torn_tail),
        cmocka_unit_test(test_recorder_replay),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
