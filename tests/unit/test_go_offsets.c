/* Unit tests for go_offsets and go_dwarf: the committed table, and Go fixtures in $GOBIN_DIR. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/go_fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "target/go_binary.h"
#include "target/go_offsets.h"

#define MAX_VERSIONS 16

/* Measured layouts (FACTS.md) the extractor and the table must both reproduce. */
struct facts {
    const char *family;
    int64_t p_m, runqhead, runqtail, runq, runnext;
    int64_t needspinning, sched_runq, runqsize, timetorun;
    int64_t g_status, g_goid, g_waitreason;
    int64_t nbuckets, overflow_present, nreasons;
};

static const struct facts known[] = {
    { "go1.19", 56, 400, 404, 408, 2456, -1, 96, 112, 312, 144, 152, 176, 720, 0, 27 },
    { "go1.22", 56, 400, 404, 408, 2456, 96, 104, 120, 320, 144, 152, 176, 160, 1, 37 },
    { "go1.23", 48, 392, 396, 400, 2448, 96, 104, 120, 320, 152, 160, 184, 160, 1, 38 },
    /* 1.24: 1.23's layouts, 44 wait reasons (FACTS.md "Go 1.24-1.27"). 1.25+ moved the
     * schedt and m members checked below; their runqueues are checked live against
     * schedtrace (tests/live/sched_versions.sh). */
    { "go1.24", 48, 392, 396, 400, 2448, 96, 104, 120, 320, 152, 160, 184, 160, 1, 44 },
};

static const struct facts *facts_for(const char *version)
{
    char fam[32];
    go_version_family(version, fam, sizeof(fam));
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(known[i].family, fam) == 0)
            return &known[i];
    return NULL;
}

static void check_facts(const struct facts *k, const struct go_offsets *o)
{
    const int64_t *f = o->field;
    assert_int_equal(f[GO_P_ID], 0);
    assert_int_equal(f[GO_P_STATUS], 4);
    assert_int_equal(f[GO_P_SCHEDTICK], 16);
    assert_int_equal(f[GO_P_SYSCALLTICK], 20);
    assert_int_equal(f[GO_P_M], k->p_m);
    assert_int_equal(f[GO_P_RUNQHEAD], k->runqhead);
    assert_int_equal(f[GO_P_RUNQTAIL], k->runqtail);
    assert_int_equal(f[GO_P_RUNQ], k->runq);
    assert_int_equal(f[GO_P_RUNQ_LEN], 256);
    assert_int_equal(f[GO_P_RUNNEXT], k->runnext);
    assert_int_equal(f[GO_SCHED_NPIDLE], 88);
    assert_int_equal(f[GO_SCHED_NMSPINNING], 92);
    assert_int_equal(f[GO_SCHED_NEEDSPINNING], k->needspinning);
    assert_int_equal(f[GO_SCHED_RUNQ], k->sched_runq);
    assert_int_equal(f[GO_SCHED_RUNQSIZE], k->runqsize);
    assert_int_equal(f[GO_SCHED_RUNQ_SIZE], -1);
    assert_int_equal(go_offsets_sched_runqsize(o), k->runqsize);
    assert_int_equal(f[GO_SCHED_TIMETORUN], k->timetorun);
    assert_int_equal(f[GO_M_PROCID], 72);
    assert_int_equal(f[GO_M_CURG], 192);
    assert_int_equal(f[GO_M_P], 208);
    assert_int_equal(f[GO_M_ID], 232);
    assert_int_equal(f[GO_G_ATOMICSTATUS], k->g_status);
    assert_int_equal(f[GO_G_GOID], k->g_goid);
    assert_int_equal(f[GO_G_WAITREASON], k->g_waitreason);
    assert_int_equal(f[GO_TIMEHIST_COUNTS], 0);
    assert_int_equal(f[GO_TIMEHIST_NBUCKETS], k->nbuckets);
    assert_int_equal(f[GO_TIMEHIST_UNDERFLOW], k->nbuckets * 8);
    assert_int_equal(f[GO_TIMEHIST_OVERFLOW], k->overflow_present ? k->nbuckets * 8 + 8 : -1);
    assert_int_equal(f[GO_WAITREASONSTRINGS_LEN], k->nreasons);
    /* Widths decide how many bytes the collectors read. */
    assert_int_equal(o->width[GO_P_RUNQHEAD], 4);
    assert_int_equal(o->width[GO_P_STATUS], 4);
    assert_int_equal(o->width[GO_P_RUNQ], 8);
    assert_int_equal(o->width[GO_G_GOID], 8);
    assert_int_equal(o->width[GO_G_WAITREASON], 1);
    assert_int_equal(o->width[GO_G_ATOMICSTATUS], 4);
    assert_int_equal(o->width[GO_SCHED_RUNQSIZE], 4);
    assert_int_equal(o->width[GO_M_PROCID], 8);
    /* The GC cycle count moved nowhere; the pause histogram did (memstats -> sched). */
    assert_true(f[GO_MSTATS_NUMGC] > 0);
    assert_int_equal(f[GO_MSTATS_PAUSE_NS_LEN], 256);
    assert_true((f[GO_MSTATS_GCPAUSEDIST] >= 0) != (f[GO_SCHED_STWTOTALTIMEGC] >= 0));
}

/* ---- pure helpers and the committed table ------------------------------------------ */

static void test_version_family(void **state)
{
    (void)state;
    char fam[32];
    static const char *const cases[][2] = {
        { "go1.19.8", "go1.19" },    { "go1.22.12", "go1.22" }, { "go1.21rc2", "go1.21" },
        { "go1.20", "go1.20" },      { "go1.23.5 X:nocoverageredesign", "go1.23" },
        { "devel go1.24-abc", "" }, { "go", "" }, { "", "" }, { "go1.", "" },
        { "gox.1", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        go_version_family(cases[i][0], fam, sizeof(fam));
        assert_string_equal(fam, cases[i][1]);
    }
    go_version_family("go1.19.8", fam, 4); /* too small: empty, not truncated */
    assert_string_equal(fam, "");
}

static void test_table_shape(void **state)
{
    (void)state;
    assert_true(go_offsets_table_len >= 1);
    for (size_t i = 0; i < go_offsets_table_len; i++) {
        const struct go_offsets_table_entry *e = &go_offsets_table[i];
        char fam[32];
        go_version_family(e->version, fam, sizeof(fam));
        assert_string_equal(fam, e->family);
        /* Every version has these; a zero here means a broken generator. */
        assert_true(e->field[GO_P_SIZE].value_plus1 > 1);
        assert_true(e->field[GO_G_GOID].value_plus1 > 1);
        assert_true(e->field[GO_SCHED_NPIDLE].value_plus1 > 1);
    }
}

static void test_table_facts(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        char v[48];
        struct go_offsets o;
        /* A patch release the table cannot have: must come from the family. */
        snprintf(v, sizeof(v), "%s.999", known[i].family);
        memset(&o, 0, sizeof(o));
        int m = go_offsets_from_table(v, &o);
        if (m < 0)
            continue;
        assert_int_equal(m, 1);
        assert_true(strncmp(o.table_version, known[i].family, strlen(known[i].family)) == 0);
        check_facts(&known[i], &o);
        checked++;
    }
    assert_true(checked >= 1);
    struct go_offsets o;
    assert_int_equal(go_offsets_from_table("go1.99.1", &o), -1);
    assert_int_equal(go_offsets_from_table("", &o), -1);
    assert_int_equal(go_offsets_from_table("devel go1.24-abc", &o), -1);
    /* Exact keys, with a build suffix ignored. */
    char key[64];
    snprintf(key, sizeof(key), "%s X:foo", go_offsets_table[0].version);
    assert_int_equal(go_offsets_from_table(key, &o), 0);
    assert_string_equal(o.table_version, go_offsets_table[0].version);
}

static void test_extract_errors(void **state)
{
    (void)state;
    struct go_offsets o;
    char reason[256];
    assert_int_equal(go_dwarf_extract("/nonexistent/gmptop", &o, reason, sizeof(reason)),
                     GO_OFFSETS_ERR_OPEN);
    assert_non_null(strstr(reason, "open /nonexistent/gmptop: No such file"));
    assert_int_equal(o.field[GO_P_RUNQHEAD], -1);

    char path[] = "/tmp/gmptop-offsets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not an elf file\n", 16), 16);
    close(fd);
    assert_int_equal(go_dwarf_extract(path, &o, reason, sizeof(reason)),
                     GO_OFFSETS_ERR_DWARF);
    assert_non_null(strstr(reason, "not an ELF file"));
    unlink(path);
}

/* ---- fixtures ------------------------------------------------------------------------ */

static struct {
    const char *dir;
    char version[MAX_VERSIONS][64];
    int n;
    char tmp[64];
} fx;

static int fixtures_setup(void **state)
{
    (void)state;
    fx.dir = getenv("GOBIN_DIR");
    fx.n = go_fixtures_versions(fx.dir, fx.version, MAX_VERSIONS);
    snprintf(fx.tmp, sizeof(fx.tmp), "/tmp/gmptop-offsets-XXXXXX");
    if (!mkdtemp(fx.tmp))
        fx.tmp[0] = '\0';
    return 0;
}

static int fixtures_teardown(void **state)
{
    (void)state;
    if (fx.tmp[0]) {
        DIR *d = opendir(fx.tmp);
        struct dirent *e;
        char p[512];
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof(p), "%s/%s", fx.tmp, e->d_name);
            unlink(p);
        }
        if (d)
            closedir(d);
        rmdir(fx.tmp);
    }
    return 0;
}

static void need_fixtures(void)
{
    if (!fx.dir)
        skip();
    if (fx.n == 0)
        fail_msg("no *.version fixtures in %s", fx.dir);
    assert_true(fx.tmp[0] != '\0');
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int load_path(const char *path, struct go_offsets *o, char *reason, size_t len,
                     char *version, size_t vlen)
{
    struct go_binary *b = NULL;
    char msg[256];
    int rc = go_binary_open(path, &b, msg, sizeof(msg));
    if (rc != 0)
        fail_msg("go_binary_open %s: %s", path, msg);
    if (version)
        snprintf(version, vlen, "%s", go_binary_version(b));
    rc = go_offsets_load(b, path, o, reason, len);
    go_binary_free(b);
    return rc;
}

static void test_dwarf_fixtures(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++) {
        const char *v = fx.version[i];
        for (int kind = 0; kind < 2; kind++) {
            const char *k = kind ? "pie" : "plain";
            char path[512], nm[520], reason[256], ver[64];
            struct go_offsets o;
            snprintf(path, sizeof(path), "%s/%s-%s", fx.dir, v, k);
            snprintf(nm, sizeof(nm), "%s.nm", path);
            go_offsets_cache_clear();
            int rc = load_path(path, &o, reason, sizeof(reason), ver, sizeof(ver));
            if (rc != 0)
                fail_msg("%s: %s", path, reason);
            assert_int_equal(o.source, GO_OFFSETS_DWARF);
            assert_string_equal(reason, "");
            assert_string_equal(o.go_version, v);
            print_message("%s-%s: DWARF parsed in %.1f ms\n", v, k, o.parse_ms);
            assert_true(o.parse_ms > 0 && o.parse_ms < 2000);
            const struct facts *f = facts_for(v);
            if (f)
                check_facts(f, &o);
            /* Every global DWARF names must be where the linker put the symbol. */
            for (int g = 0; g < GO_GLOBAL_COUNT; g++) {
                uint64_t want = go_fixtures_nm_addr(nm, go_global_name((enum go_global)g));
                if (want == 0)
                    continue;
                if (o.global[g] != want)
                    fail_msg("%s: %s at %#" PRIx64 ", nm says %#" PRIx64, path,
                             go_global_name((enum go_global)g), o.global[g], want);
            }
            assert_true(o.global[GO_GLOBAL_ALLP] != 0);
            assert_true(o.global[GO_GLOBAL_SCHED] != 0);
            assert_true(o.global[GO_GLOBAL_GOMAXPROCS] != 0);
            assert_true(o.global[GO_GLOBAL_ALLGS] != 0);
            assert_true(o.global[GO_GLOBAL_WAITREASONSTRINGS] != 0);
            /* The committed table must say the same as DWARF for this exact version. */
            struct go_offsets t;
            memset(&t, 0, sizeof(t));
            if (go_offsets_from_table(v, &t) == 0) {
                for (int fi = 0; fi < GO_FIELD_COUNT; fi++) {
                    if (t.field[fi] != o.field[fi] || t.width[fi] != o.width[fi])
                        fail_msg("%s: %s: table %" PRId64 "/%u, DWARF %" PRId64 "/%u", v,
                                 go_field_spec((enum go_field)fi)->id, t.field[fi],
                                 t.width[fi], o.field[fi], o.width[fi]);
                }
            } else {
                print_message("%s is not in the offset table: rerun scripts/gen-offsets.sh\n",
                              v);
            }
        }
    }
}

static void test_stripped_fixtures(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++) {
        const char *v = fx.version[i];
        char path[512], reason[256];
        struct go_offsets plain, o;
        snprintf(path, sizeof(path), "%s/%s-plain", fx.dir, v);
        assert_int_equal(load_path(path, &plain, reason, sizeof(reason), NULL, 0), 0);
        snprintf(path, sizeof(path), "%s/%s-stripped", fx.dir, v);
        int rc = load_path(path, &o, reason, sizeof(reason), NULL, 0);
        struct go_offsets t;
        if (go_offsets_from_table(v, &t) != 0) {
            /* A toolchain newer than the table: the refusal must say why. */
            assert_int_equal(rc, GO_OFFSETS_ERR_NODATA);
            assert_non_null(strstr(reason, "not in the offset table"));
            print_message("%s: stripped refused: %s\n", v, reason);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: %s", path, reason);
        assert_int_equal(o.source, GO_OFFSETS_TABLE);
        assert_string_equal(o.table_version, v);
        assert_string_equal(o.go_version, v);
        assert_string_equal(reason, "no symbols for globals");
        assert_memory_equal(o.field, plain.field, sizeof(o.field));
        assert_memory_equal(o.width, plain.width, sizeof(o.width));
        for (int g = 0; g < GO_GLOBAL_COUNT; g++)
            assert_int_equal(o.global[g], 0);
    }
}

/* Copy src to dst, replacing the version in .go.buildinfo by one of the same length. */
static void copy_with_version(const char *src, const char *dst, const char *from,
                              const char *to)
{
    assert_int_equal(strlen(from), strlen(to));
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    static const char magic[] = "\xff Go buildinf:";
    uint8_t *p = memmem(buf, (size_t)n, magic, sizeof(magic) - 1);
    assert_non_null(p);
    assert_int_equal(p[32], strlen(from));
    assert_memory_equal(p + 33, from, strlen(from));
    memcpy(p + 33, to, strlen(to));
    int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, (size_t)n), n);
    close(fd);
    free(buf);
}

/* The fixture whose version is shortest: "go1.19.8" gives the "go1.99.1" of the docs. */
static const char *shortest_version(void)
{
    const char *best = fx.version[0];
    for (int i = 1; i < fx.n; i++)
        if (strlen(fx.version[i]) < strlen(best))
            best = fx.version[i];
    return best;
}

static void test_unknown_version(void **state)
{
    (void)state;
    need_fixtures();
    const char *v = shortest_version();
    char src[512], dst[512], fake[64], reason[256], want[256];
    size_t l = strlen(v);
    assert_true(l >= 8 && l < sizeof(fake));
    /* go1.99.1, padded with 1s to the original length. */
    memset(fake, '1', l);
    memcpy(fake, "go1.99.1", 8);
    fake[l] = '\0';
    snprintf(src, sizeof(src), "%s/%s-stripped", fx.dir, v);
    snprintf(dst, sizeof(dst), "%s/unknown", fx.tmp);
    copy_with_version(src, dst, v, fake);
    struct go_offsets o, t;
    go_offsets_cache_clear(); /* same build id as the real stripped fixture */
    /* Not in the table, no DWARF: the layouts are derived from the binary itself. */
    assert_int_equal(load_path(dst, &o, reason, sizeof(reason), NULL, 0), GO_OFFSETS_OK);
    assert_int_equal(o.source, GO_OFFSETS_DERIVED);
    assert_string_equal(o.go_version, fake);
    assert_int_equal(go_offsets_from_table(v, &t), 0);
    assert_int_equal(o.field[GO_P_RUNQHEAD], t.field[GO_P_RUNQHEAD]);
    assert_int_equal(o.field[GO_G_GOID], t.field[GO_G_GOID]);
    assert_true(o.global[GO_GLOBAL_SCHED] != 0);   /* sched.lock, from schedtrace */
    /* Without a file to derive from, nothing: the reason says all three sources. */
    struct go_binary *b = NULL;
    char msg[256];
    assert_int_equal(go_binary_open(dst, &b, msg, sizeof(msg)), 0);
    go_offsets_cache_clear();
    assert_int_equal(go_offsets_load(b, NULL, &o, reason, sizeof(reason)),
                     GO_OFFSETS_ERR_NODATA);
    snprintf(want, sizeof(want), "Go %s: binary has no DWARF, this version is not in the "
             "offset table, and no file to derive layouts from", fake);
    assert_string_equal(reason, want);
    assert_int_equal(o.field[GO_P_RUNQHEAD], -1);
    assert_int_equal(o.global[GO_GLOBAL_ALLP], 0);
    go_binary_free(b);
    go_offsets_cache_clear();
}

/* Another patch release of a minor the table has: layouts from the family, said so. */
static void test_same_minor_version(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++) {
        const char *v = fx.version[i];
        struct go_offsets t, o;
        if (go_offsets_from_table(v, &t) != 0)
            continue;
        char fake[64], src[512], dst[512], reason[256];
        snprintf(fake, sizeof(fake), "%s", v);
        size_t l = strlen(fake);
        for (char c = '9'; c >= '0'; c--) {
            fake[l - 1] = c;
            if (go_offsets_from_table(fake, &t) == 1)
                break;
        }
        assert_int_equal(go_offsets_from_table(fake, &t), 1);
        snprintf(src, sizeof(src), "%s/%s-stripped", fx.dir, v);
        snprintf(dst, sizeof(dst), "%s/minor-%s", fx.tmp, v);
        copy_with_version(src, dst, v, fake);
        go_offsets_cache_clear();
        int rc = load_path(dst, &o, reason, sizeof(reason), NULL, 0);
        if (rc != 0)
            fail_msg("%s: %s", fake, reason);
        assert_int_equal(o.source, GO_OFFSETS_TABLE);
        assert_string_equal(o.go_version, fake);
        assert_string_equal(o.table_version, t.table_version);
        assert_non_null(strstr(reason, "same minor release"));
        assert_non_null(strstr(reason, t.table_version));
        assert_non_null(strstr(reason, "no symbols for globals"));
        unlink(dst);
    }
}

/* -w without -s: no DWARF, but the symbol table still places the globals. */
static void test_symtab_globals(void **state)
{
    (void)state;
    need_fixtures();
    if (system("command -v objcopy >/dev/null 2>&1") != 0)
        skip();
    for (int i = 0; i < fx.n; i++) {
        const char *v = fx.version[i];
        char src[512], dst[512], cmd[1200], nm[520], reason[256];
        struct go_offsets t, o;
        if (go_offsets_from_table(v, &t) != 0)
            continue;
        snprintf(src, sizeof(src), "%s/%s-plain", fx.dir, v);
        snprintf(nm, sizeof(nm), "%s.nm", src);
        snprintf(dst, sizeof(dst), "%s/nodwarf-%s", fx.tmp, v);
        snprintf(cmd, sizeof(cmd), "objcopy --strip-debug '%s' '%s'", src, dst);
        assert_int_equal(system(cmd), 0);
        go_offsets_cache_clear();
        int rc = load_path(dst, &o, reason, sizeof(reason), NULL, 0);
        if (rc != 0)
            fail_msg("%s: %s", dst, reason);
        assert_int_equal(o.source, GO_OFFSETS_TABLE);
        assert_string_equal(reason, "");
        assert_int_equal(o.global[GO_GLOBAL_ALLP], go_fixtures_nm_addr(nm, "runtime.allp"));
        assert_int_equal(o.global[GO_GLOBAL_SCHED], go_fixtures_nm_addr(nm, "runtime.sched"));
        assert_true(o.global[GO_GLOBAL_ALLP] != 0);
        unlink(dst);
    }
}

/* Nested member paths: what a Go 1.25 "runq.size" lookup relies on. */
static void test_nested_lookup(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++) {
        const char *v = fx.version[i];
        const struct facts *k = facts_for(v);
        char path[512], reason[256];
        int64_t val;
        uint8_t w;
        snprintf(path, sizeof(path), "%s/%s-plain", fx.dir, v);
        struct go_field_spec tail = { "t", "runtime.schedt", "runq.tail", GO_KIND_OFFSET };
        assert_int_equal(go_dwarf_lookup(path, &tail, &val, &w, reason, sizeof(reason)), 0);
        if (k)
            assert_int_equal(val, k->sched_runq + 8);
        assert_int_equal(w, 8);
        /* atomic.Int32 since 1.22: a struct whose "value" sits at the member's offset. */
        struct go_field_spec npidle = { "n", "runtime.schedt", "npidle.value",
                                        GO_KIND_OFFSET };
        int rc = go_dwarf_lookup(path, &npidle, &val, &w, reason, sizeof(reason));
        if (k && k->needspinning < 0) {
            assert_int_equal(rc, GO_OFFSETS_ERR_NODATA);
            assert_int_equal(val, -1);
            assert_non_null(strstr(reason, "DWARF has no runtime.schedt.npidle.value"));
        } else if (k) {
            assert_int_equal(rc, 0);
            assert_int_equal(val, 88);
            assert_int_equal(w, 4);
        }
        struct go_field_spec size = { "s", "runtime.schedt", "runq.size", GO_KIND_OFFSET };
        rc = go_dwarf_lookup(path, &size, &val, &w, reason, sizeof(reason));
        if (util_go_minor(v) >= 25) {  /* schedt.runqsize became runq.size in Go 1.25 */
            assert_int_equal(rc, 0);
            assert_int_equal(w, 4);
        } else {
            assert_int_equal(rc, GO_OFFSETS_ERR_NODATA);
        }
        struct go_field_spec nreasons = { "r", "runtime.waitReasonStrings", "",
                                          GO_KIND_VARLEN };
        assert_int_equal(go_dwarf_lookup(path, &nreasons, &val, &w, reason, sizeof(reason)),
                         0);
        if (k)
            assert_int_equal(val, k->nreasons);
        snprintf(path, sizeof(path), "%s/%s-stripped", fx.dir, v);
        assert_int_equal(go_dwarf_lookup(path, &tail, &val, &w, reason, sizeof(reason)),
                         GO_OFFSETS_ERR_NODATA);
        assert_non_null(strstr(reason, "no DWARF"));
    }
}

static void test_cache(void **state)
{
    (void)state;
    need_fixtures();
    char path[512], reason[256];
    struct go_offsets a, b;
    snprintf(path, sizeof(path), "%s/%s-plain", fx.dir, fx.version[0]);
    go_offsets_cache_clear();
    double t0 = now_ms();
    assert_int_equal(load_path(path, &a, reason, sizeof(reason), NULL, 0), 0);
    double t1 = now_ms();
    assert_int_equal(load_path(path, &b, reason, sizeof(reason), NULL, 0), 0);
    double t2 = now_ms();
    assert_memory_equal(&a, &b, sizeof(a));
    print_message("first load %.2f ms, cached %.2f ms (incl. go_binary_open)\n", t1 - t0,
                  t2 - t1);
    /* A cache hit skips DWARF entirely: what remains is go_binary_open. */
    struct go_binary *bin = NULL;
    char msg[256];
    assert_int_equal(go_binary_open(path, &bin, msg, sizeof(msg)), 0);
    t0 = now_ms();
    for (int i = 0; i < 100; i++)
        assert_int_equal(go_offsets_load(bin, path, &b, reason, sizeof(reason)), 0);
    t1 = now_ms();
    go_binary_free(bin);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_true((t1 - t0) / 100 < 1.0);
    /* More binaries than slots: still correct, oldest evicted. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < fx.n; i++) {
            for (int k = 0; k < 3; k++) {
                static const char *const kinds[] = { "plain", "pie", "stripped" };
                snprintf(path, sizeof(path), "%s/%s-%s", fx.dir, fx.version[i], kinds[k]);
                int rc = load_path(path, &b, reason, sizeof(reason), NULL, 0);
                assert_true(rc == 0 || k == 2);
                if (rc == 0)
                    assert_int_equal(b.source,
                                     k == 2 ? GO_OFFSETS_TABLE : GO_OFFSETS_DWARF);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_family),
        cmocka_unit_test(test_table_shape),
        cmocka_unit_test(test_table_facts),
        cmocka_unit_test(test_extract_errors),
        cmocka_unit_test(test_dwarf_fixtures),
        cmocka_unit_test(test_stripped_fixtures),
        cmocka_unit_test(test_unknown_version),
        cmocka_unit_test(test_same_minor_version),
        cmocka_unit_test(test_symtab_globals),
        cmocka_unit_test(test_nested_lookup),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, fixtures_teardown);
}
