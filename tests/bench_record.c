/* bench_record: bytes and CPU per recorded snapshot, for a recording made from a real
 * workload (per-section breakdown) or for synthetic snapshots of a given size. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "model/history.h"
#include "record/archive.h"
#include "record/archive_spill.h"
#include "record/rec_tlv.h"
#include "record/recfile.h"
#include "record/record_codec.h"
#include "record/recorder.h"
#include "tests/synth_snapshot.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Raw and separately-compressed bytes of each section of s, added to the totals. */
static void section_sizes(const struct snapshot *s, double *raw, double *z)
{
    struct rec_buf b = { 0 };
    for (size_t i = 0; i < record_section_count(); i++) {
        const struct record_section *sec = record_section_at(i);
        rec_buf_reset(&b);
        size_t m = rec_begin(&b, sec->tag);
        sec->encode(&b, s);
        rec_end(&b, m);
        uLongf zl = compressBound(b.len);
        uint8_t *out = malloc(zl);
        compress2(out, &zl, b.p, b.len, 6);
        free(out);
        raw[i] += (double)b.len;
        z[i] += (double)zl;
    }
    rec_buf_free(&b);
}

/* Replay-side cost: decode every frame of path. */
/* CPU ms of a step back in the middle of ar: the window of REWIND_WINDOW (120)
 * snapshots the TUI decodes, refilled a snapshot further each time. */
static double step_back_ms(const struct archive *ar)
{
    struct history *h = history_new(120);
    char why[200] = "";
    size_t mid = archive_len(ar) / 2, steps = 0;
    double t0 = cpu_s(), t1 = t0;
    while (h && t1 - t0 < 1.0 && steps < 50) {
        archive_fill(ar, mid + steps % 5, 120, h, why, sizeof(why));
        steps++;
        t1 = cpu_s();
    }
    history_free(h);
    return steps ? (t1 - t0) / (double)steps * 1e3 : 0.0;
}

static int from_file(const char *path)
{
    struct recfile_reader *r;
    char msg[300];
    if (recfile_reader_open(path, &r, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "bench_record: %s\n", msg);
        return 1;
    }
    double raw[32] = { 0 }, z[32] = { 0 }, clen = 0, rlen = 0;
    struct recfile_frame f;
    const uint8_t *p;
    size_t n = 0;
    /* The same snapshots written again, to measure the writer's cost on real data. */
    char again[] = "/tmp/bench-record-again-XXXXXX", note[200];
    int fd = mkstemp(again);
    struct recorder *rec = NULL;
    if (fd >= 0) {
        close(fd);
        unlink(again);
        if (recorder_open(again, &rec, note, sizeof(note), msg, sizeof(msg)) < 0)
            rec = NULL;
    }
    double decode = 0, push = 0;
    /* The live rewind archive holding the same snapshots: what the TUI keeps for them. */
    struct archive *ar = archive_new(1 << 16);
    /* ...and the same over a spill file, as the TUI keeps it where it can. */
    char spill_why[256] = "";
    struct archive *sa = archive_new(1 << 16);
    struct archive_spill *sp = archive_spill_open_default(spill_why, sizeof(spill_why));
    if (sa && sp)
        archive_spill_into(sa, sp);
    else {
        archive_spill_close(sp);
        archive_free(sa);
        sa = NULL;
    }
    while (recfile_reader_next(r, &f, &p, msg, sizeof(msg)) == 1) {
        char why[200];
        double t0 = cpu_s();
        struct snapshot *s = record_decode(p, f.rlen, why, sizeof(why));
        decode += cpu_s() - t0;
        if (!s) {
            fprintf(stderr, "bench_record: frame %zu: %s\n", n, why);
            return 1;
        }
        recorder_write(rec, s, (f.flags & RECFILE_FRAME_START) != 0);
        t0 = cpu_s();
        if (ar && archive_push(ar, s, (f.flags & RECFILE_FRAME_START) != 0) != 0) {
            archive_free(ar);
            ar = NULL;
        }
        push += cpu_s() - t0;
        if (sa && archive_push(sa, s, (f.flags & RECFILE_FRAME_START) != 0) != 0) {
            archive_free(sa);
            sa = NULL;
        }
        section_sizes(s, raw, z);
        clen += RECFILE_FRAME_HDR + f.clen;
        rlen += f.rlen;
        snapshot_free(s);
        n++;
    }
    recfile_reader_close(r);
    struct recorder_stats st = { 0 };
    if (rec) {
        recorder_stats(rec, &st);
        recorder_close(rec);
        unlink(again);
    }
    if (!n)
        return 1;
    printf("%s: %zu snapshots, %.0f B/snapshot (snapshot frames; raw %.0f B); writing "
           "%.0f us CPU/snapshot (encode, deflate, write, fdatasync); decoding %.0f us\n",
           path, n, clen / n, rlen / n, st.frames ? (double)st.cpu_ns / st.frames / 1e3 : 0,
           decode / n * 1e6);
    size_t held = ar ? archive_bytes(ar) : 0;     /* live: no walk's bytes yet */
    if (ar && archive_len(ar) > 1) {
        double step_ms = step_back_ms(ar);
        printf("rewind archive: %.0f B/snapshot held (%zu snapshots, %.0f KB for an hour at "
               "1 s); keeping one %.0f us CPU; a step back (decoding up to 120) %.1f ms, "
               "%.0f KB more held while rewound\n",
               (double)held / (double)archive_len(ar), archive_len(ar),
               (double)held / (double)archive_len(ar) * 3600 / 1024,
               push / n * 1e6, step_ms, (double)(archive_bytes(ar) - held) / 1024);
    }
    archive_free(ar);
    if (sa && archive_len(sa) > 1) {
        size_t in_mem = archive_bytes(sa), in_file = archive_spilled_bytes(sa);
        printf("over a spill file: %.0f KB held in memory, %.0f KB in the file (%.0f "
               "B/snapshot); a step back %.1f ms\n", (double)in_mem / 1024,
               (double)in_file / 1024, (double)in_file / (double)archive_len(sa),
               step_back_ms(sa));
    } else if (!sa) {
        printf("no spill file: %s\n", spill_why);
    }
    archive_free(sa);
    printf("  %-14s %8s %10s\n", "section", "raw B", "alone z B");
    for (size_t i = 0; i < record_section_count(); i++)
        printf("  %-14s %8.0f %10.0f\n", record_section_at(i)->name, raw[i] / n, z[i] / n);
    return 0;
}

static int synthetic(size_t nps, size_t nthreads, size_t ncpus, int count)
{
    char path[] = "/tmp/bench-record-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    unlink(path);
    struct recorder *rec;
    char note[200], msg[300];
    if (recorder_open(path, &rec, note, sizeof(note), msg, sizeof(msg)) < 0) {
        fprintf(stderr, "bench_record: %s\n", msg);
        return 1;
    }
    for (int k = 0; k < count; k++) {
        struct snapshot *s = synth_snapshot(k, nps, nthreads, ncpus);
        if (recorder_write(rec, s, k == 0) < 0) {
            fprintf(stderr, "bench_record: %s\n", recorder_error(rec));
            return 1;
        }
        snapshot_free(s);
    }
    struct recorder_stats st;
    recorder_stats(rec, &st);
    recorder_close(rec);
    printf("synthetic %zu Ps, %zu threads, %zu CPUs: %llu snapshots, %.0f B/snapshot in the "
           "file (all frames), raw %.0f B\n", nps, nthreads, ncpus,
           (unsigned long long)st.frames, (double)st.file_bytes / st.frames,
           (double)st.raw_bytes / st.frames);
    int rc = from_file(path);
    unlink(path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--file") == 0)
        return from_file(argv[2]);
    if (argc == 6 && strcmp(argv[1], "--synthetic") == 0)
        return synthetic(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
                         strtoul(argv[4], NULL, 10), atoi(argv[5]));
    fprintf(stderr, "usage: bench_record --file RECORDING\n"
                    "       bench_record --synthetic NPS NTHREADS NCPUS COUNT\n");
    return 2;
}
