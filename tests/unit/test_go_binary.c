/* Unit tests for go_binary and go_pclntab: hand-made bytes, and Go fixtures in $GOBIN_DIR. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/go_fixtures.h"

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/go_binary.h"
#include "target/go_pclntab.h"
#include "collectors/park_probe.h"
#include "model/snapshot.h"

#define MAX_VERSIONS 16

/* runtime.osinit has an ABI0 wrapper that a stripped binary's .gopclntab names the
 * same way: the lookup must still give the real function, as go tool nm does. */
static const char *const funcs_checked[] = {
    "runtime.casgstatus", "runtime.gopark", "runtime.execute", "main.main", "runtime.osinit",
};

/* ---- hand-made .go.buildinfo ------------------------------------------------------- */

/* Parse from an exact-size heap copy so that a sanitizer sees any overread. */
static int parse_copy(const uint8_t *buf, size_t len, char *ver, size_t vlen, char *mod,
                      size_t mlen)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    int rc = go_buildinfo_parse(copy, len, ver, vlen, mod, mlen);
    free(copy);
    return rc;
}

static void test_buildinfo_valid(void **state)
{
    (void)state;
    uint8_t buf[1024];
    char ver[64], mod[128], pad[200];
    memset(pad, 'x', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    char modinfo[512];
    /* A long dep line makes the modinfo length a two-byte varint. */
    snprintf(modinfo, sizeof(modinfo),
             "path\texample.com/m/cmd/x\nmod\texample.com/m\t(devel)\t\ndep\t%s\tv1\n", pad);
    size_t len = go_fixtures_buildinfo(buf, "go1.21.3", modinfo);
    assert_int_equal(parse_copy(buf, len, ver, sizeof(ver), mod, sizeof(mod)), GO_BINARY_OK);
    assert_string_equal(ver, "go1.21.3");
    assert_string_equal(mod, "example.com/m");

    /* No mod line: the version still parses, the module path is empty. */
    len = go_fixtures_buildinfo(buf, "go1.22.0", "path\tcommand-line-arguments\n");
    assert_int_equal(parse_copy(buf, len, ver, sizeof(ver), mod, sizeof(mod)), GO_BINARY_OK);
    assert_string_equal(ver, "go1.22.0");
    assert_string_equal(mod, "");

    /* A small output buffer truncates rather than overflowing. */
    assert_int_equal(parse_copy(buf, len, ver, 5, mod, 1), GO_BINARY_OK);
    assert_string_equal(ver, "go1.");
}

static void test_buildinfo_truncated(void **state)
{
    (void)state;
    uint8_t buf[512];
    char ver[64], mod[128];
    size_t len = go_fixtures_buildinfo(buf, "go1.23.5", "mod\tgmptop.test/fixture\t(devel)\t\n");
    assert_int_equal(parse_copy(buf, len, ver, sizeof(ver), mod, sizeof(mod)), GO_BINARY_OK);
    for (size_t n = 0; n < len; n++) {
        int rc = parse_copy(buf, n, ver, sizeof(ver), mod, sizeof(mod));
        assert_int_not_equal(rc, GO_BINARY_OK);
        assert_true(rc == (n < 32 ? GO_BINARY_ERR_NOT_GO : GO_BINARY_ERR_CORRUPT));
    }
}

static void test_buildinfo_bad(void **state)
{
    (void)state;
    uint8_t buf[128];
    char ver[64], mod[64];
    size_t len = go_fixtures_buildinfo(buf, "go1.19.8", "");

    uint8_t bad[128];
    memcpy(bad, buf, 32);
    memset(bad + 32, 0xff, sizeof(bad) - 32);   /* a varint that never ends */
    assert_int_equal(parse_copy(bad, 64, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_CORRUPT);
    bad[32] = 0x80;                              /* huge version length */
    bad[33] = 0x80;
    bad[34] = 0x01;
    assert_int_equal(parse_copy(bad, 35, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_CORRUPT);
    bad[32] = 0;                                 /* empty version */
    assert_int_equal(parse_copy(bad, 40, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_CORRUPT);

    memcpy(bad, buf, len);
    bad[1] = 'g';                                /* wrong magic */
    assert_int_equal(parse_copy(bad, len, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_NOT_GO);
    memcpy(bad, buf, len);
    bad[15] = 0;                                 /* pointer format needs the ELF */
    assert_int_equal(parse_copy(bad, len, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_CORRUPT);
    assert_int_equal(go_buildinfo_parse(NULL, 0, ver, sizeof(ver), mod, sizeof(mod)),
                     GO_BINARY_ERR_NOT_GO);
}

/* ---- hand-made .gopclntab (Go 1.20 layout) ------------------------------------------ */

struct seen_funcs {
    int n;
    char names[4][16];
    uint64_t entry[4], end[4];
};

static int collect(void *ctx, const char *name, uint64_t entry, uint64_t end)
{
    struct seen_funcs *s = ctx;
    if (s->n < 4) {
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
        s->entry[s->n] = entry;
        s->end[s->n] = end;
    }
    s->n++;
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Two functions, main.a at text+0 (0x20 long) and main.b at text+0x20 (0x30 long). */
static size_t make_pclntab(uint8_t *buf, uint64_t text_start)
{
    memset(buf, 0, 128);
    put32(buf, 0xfffffff1);
    buf[6] = 1;
    buf[7] = 8;
    uint64_t words[8] = { 2, 0, text_start, 72, 0, 0, 0, 88 };
    for (int i = 0; i < 8; i++)
        put64(buf + 8 + 8 * i, words[i]);
    memcpy(buf + 72, "main.a\0main.b\0", 14);
    uint32_t ftab[5] = { 0, 20, 0x20, 28, 0x50 };
    for (int i = 0; i < 5; i++)
        put32(buf + 88 + 4 * i, ftab[i]);
    put32(buf + 108, 0);        /* _func main.a: entryOff, nameOff */
    put32(buf + 112, 0);
    put32(buf + 116, 0x20);     /* _func main.b */
    put32(buf + 120, 7);
    return 124;
}

static int pcln_copy(const uint8_t *buf, size_t len, uint64_t text, struct seen_funcs *s)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    memset(s, 0, sizeof(*s));
    size_t n = 0;
    int rc = go_pclntab_parse(copy, len, text, collect, s, &n);
    free(copy);
    if (rc == 0)
        assert_int_equal((int)n, s->n);
    return rc;
}

static void test_pclntab_handmade(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct seen_funcs s;
    size_t len = make_pclntab(buf, 0x401000);
    assert_int_equal(pcln_copy(buf, len, 0, &s), GO_PCLNTAB_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "main.a");
    assert_string_equal(s.names[1], "main.b");
    assert_true(s.entry[0] == 0x401000 && s.end[0] == 0x401020);
    assert_true(s.entry[1] == 0x401020 && s.end[1] == 0x401050);

    /* textStart left 0 in the file: the caller's .text address is used, or it fails. */
    len = make_pclntab(buf, 0);
    assert_int_equal(pcln_copy(buf, len, 0x500000, &s), GO_PCLNTAB_OK);
    assert_true(s.entry[1] == 0x500020);
    assert_int_equal(pcln_copy(buf, len, 0, &s), GO_PCLNTAB_ERR_NO_TEXT);

    len = make_pclntab(buf, 0x401000);
    for (size_t n = 0; n < len; n++)
        assert_int_not_equal(pcln_copy(buf, n, 0, &s), GO_PCLNTAB_OK);
    buf[0] = 0xfb;      /* Go 1.2-1.15 layout: not supported */
    assert_int_equal(pcln_copy(buf, len, 0, &s), GO_PCLNTAB_ERR_MAGIC);
    assert_int_equal(go_pclntab_parse(NULL, 0, 0, collect, &s, NULL), GO_PCLNTAB_ERR_MAGIC);
}

static void test_pclntab_mutations(void **state)
{
    (void)state;
    static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
    uint8_t buf[128], orig[128];
    struct seen_funcs s;
    size_t len = make_pclntab(orig, 0x401000);
    /* Every single-byte change must parse or fail cleanly, never read out of bounds. */
    for (size_t i = 0; i < len; i++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(buf, orig, len);
            buf[i] = values[v];
            int rc = pcln_copy(buf, len, 0x401000, &s);
            assert_true(rc == GO_PCLNTAB_OK || rc < 0);
        }
    }
}

/* ---- non-Go files --------------------------------------------------------------------- */

static void test_open_errors(void **state)
{
    (void)state;
    struct go_binary *b = (struct go_binary *)1;
    char msg[256], ver[32];

    assert_int_equal(go_binary_open("/bin/true", &b, msg, sizeof(msg)), GO_BINARY_ERR_NOT_GO);
    assert_null(b);
    assert_non_null(strstr(msg, "/bin/true: not a Go program"));
    assert_int_equal(go_binary_peek_version("/bin/true", ver, sizeof(ver)),
                     GO_BINARY_ERR_NOT_GO);

    char text[] = "/tmp/gmptop-gobin-XXXXXX";
    int fd = mkstemp(text);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
    close(fd);
    assert_int_equal(go_binary_open(text, &b, msg, sizeof(msg)), GO_BINARY_ERR_NOT_ELF);
    assert_non_null(strstr(msg, "not an ELF file"));
    assert_int_equal(go_binary_peek_version(text, ver, sizeof(ver)), GO_BINARY_ERR_NOT_ELF);
    unlink(text);

    const char *missing = "/nonexistent/gmptop-no-such-file";
    assert_int_equal(go_binary_open(missing, &b, msg, sizeof(msg)), GO_BINARY_ERR_OPEN);
    assert_non_null(strstr(msg, "open: No such file or directory"));
    assert_null(strchr(msg, '\n'));
    assert_int_equal(go_binary_peek_version(missing, ver, sizeof(ver)), GO_BINARY_ERR_OPEN);
    assert_int_equal(go_binary_open("/", &b, msg, sizeof(msg)), GO_BINARY_ERR_OPEN);
}

/* ---- Go fixtures ------------------------------------------------------------------------ */

struct fixtures {
    const char *dir;
    int n;
    char version[MAX_VERSIONS][64];
};

/* fx: tests/gofixture, pure Go; fx_cgo: the same built -tags cgofixture, which calls C,
 * so even its "plain" and "stripped" builds are linked by the system linker. */
static struct fixtures fx, fx_cgo;

static void fixtures_load(struct fixtures *f, const char *env)
{
    f->dir = getenv(env);
    f->n = f->dir ? go_fixtures_versions(f->dir, f->version, MAX_VERSIONS) : 0;
}

static int fixtures_setup(void **state)
{
    (void)state;
    fixtures_load(&fx, "GOBIN_DIR");
    fixtures_load(&fx_cgo, "GOBIN_CGO_DIR");
    return 0;
}

/* Skip without the directory (plain run); with it, an empty directory is a failure. */
static void need_fixtures_of(const struct fixtures *f)
{
    if (!f->dir)
        skip();
    if (f->n == 0)
        fail_msg("no *.version fixtures in %s", f->dir);
}

static void need_fixtures(void)
{
    need_fixtures_of(&fx);
}

/* A truncated path would name some other file and fail far from its cause. */
static void fixture_path_in(const struct fixtures *f, char *out, size_t len, const char *v,
                            const char *suffix)
{
    int n = snprintf(out, len, "%s/%s%s", f->dir, v, suffix);
    if (n < 0 || (size_t)n >= len)
        fail_msg("fixture path %s/%s%s does not fit %zu bytes", f->dir, v, suffix, len);
}

static void fixture_path(char *out, size_t len, const char *v, const char *suffix)
{
    fixture_path_in(&fx, out, len, v, suffix);
}

static void read_first_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: fopen: %s", path, strerror(errno));
    if (!fgets(out, (int)len, f))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* After an idle trim the lookups give what they gave before. */
static void check_after_trim(struct go_binary *b, const char *nm, const char *func,
                             const char *v, const char *variant)
{
    go_binary_trim_symbols(b, mono_ns() + 11000000000LL);
    uint64_t addr = 0, size = 0;
    if (go_binary_lookup(b, func, &addr, &size) != 0 || addr != go_fixtures_nm_addr(nm, func))
        fail_msg("%s%s: %s not found again after the index was trimmed", v, variant, func);
    assert_string_equal(go_binary_func_at(b, addr + 4), func);
}

static struct go_binary *open_ok(const char *path)
{
    struct go_binary *b = NULL;
    char msg[512];
    int rc = go_binary_open(path, &b, msg, sizeof(msg));
    if (rc != GO_BINARY_OK)
        fail_msg("go_binary_open(%s) = %d: %s", path, rc, msg);
    return b;
}

/* The funcdata base of the fixture at path, whose unstripped sibling (itself, or the
 * same build without -s -w) is sibling with nm listing nm: go:func.* (go.func.* in
 * 1.19) from the symbol table, or from runtime.firstmoduledata when stripped, both where
 * go tool nm puts the symbol. */
static uint64_t gofunc_expected(const char *sibling, const char *path, const char *nm)
{
    uint64_t want = go_fixtures_nm_addr(nm, "go:func.*");
    if (want == 0)
        want = go_fixtures_nm_addr(nm, "go.func.*");
    assert_true(want != 0);
    return go_fixtures_same_place(sibling, path, want);
}

static void check_gofunc(const struct go_binary *b, uint64_t want, const char *label)
{
    struct go_binary_pcln_loc loc;
    assert_int_equal(go_binary_pcln(b, &loc), 0);
    if (loc.gofunc != want)
        fail_msg("%s: gofunc %#" PRIx64 ", expected %#" PRIx64, label, loc.gofunc, want);
}

/* Each of funcs_checked where go tool nm of the unstripped build with the same linker
 * puts it. A cgo build links externally in every mode: the C start-up code sits before
 * runtime.text even in its non-PIE builds. */
static void check_variant(const struct fixtures *f, const char *v, const char *variant)
{
    char path[PATH_MAX], nm[PATH_MAX], version_file[PATH_MAX], want[64], peek[64];
    fixture_path_in(f, path, sizeof(path), v, variant);
    bool ext = strncmp(variant, "-extpie", 7) == 0;
    bool pie = ext || strcmp(variant, "-pie") == 0;
    bool stripped = strstr(variant, "stripped") != NULL;
    fixture_path_in(f, nm, sizeof(nm), v, ext ? "-extpie.nm" : pie ? "-pie.nm" : "-plain.nm");
    fixture_path_in(f, version_file, sizeof(version_file), v, ".version");
    read_first_line(version_file, want, sizeof(want));
    print_message("checking %s%s%s\n", v, variant, f == &fx_cgo ? " (cgo)" : "");

    assert_int_equal(go_binary_peek_version(path, peek, sizeof(peek)), GO_BINARY_OK);
    assert_string_equal(peek, want);
    struct go_binary *b = open_ok(path);
    assert_string_equal(go_binary_version(b), want);
    assert_string_equal(go_binary_module_path(b), "gmptop.test/fixture");
    /* The cgo build (-tags cgofixture) has its C call's Go wrapper; the pure one not
     * (named with its ABI suffix in the symbol table, without it in pclntab). */
    uint64_t cfunc = 0;
    assert_int_equal(go_binary_lookup(b, "main._Cfunc_twice.abi0", &cfunc, NULL) == 0 ||
                     go_binary_lookup(b, "main._Cfunc_twice", &cfunc, NULL) == 0,
                     f == &fx_cgo);
    assert_true(strlen(go_binary_build_id(b)) > 0);
    assert_int_equal(go_binary_symbol_source(b),
                     stripped ? GO_SYMBOLS_PCLNTAB : GO_SYMBOLS_SYMTAB);
    assert_int_equal(go_binary_is_pie(b), pie);
    assert_int_equal(go_binary_has_dwarf(b), !stripped);

    for (size_t i = 0; i < sizeof(funcs_checked) / sizeof(funcs_checked[0]); i++) {
        uint64_t addr = 0, size = 0, expect = go_fixtures_nm_addr(nm, funcs_checked[i]);
        assert_true(expect != 0);
        if (go_binary_lookup(b, funcs_checked[i], &addr, &size) != 0)
            fail_msg("%s%s: %s not found", v, variant, funcs_checked[i]);
        if (addr != expect)
            fail_msg("%s%s: %s at %#" PRIx64 ", go tool nm says %#" PRIx64, v, variant,
                     funcs_checked[i], addr, expect);
        assert_true(size > 4);
        assert_non_null(go_binary_func_at(b, addr));
        assert_string_equal(go_binary_func_at(b, addr + 4), funcs_checked[i]);
    }
    uint64_t allp = 0;
    if (stripped) {
        assert_int_equal(go_binary_lookup(b, "runtime.allp", &allp, NULL), -ENOENT);
    } else {
        assert_int_equal(go_binary_lookup(b, "runtime.allp", &allp, NULL), 0);
        assert_true(allp == go_fixtures_nm_addr(nm, "runtime.allp"));
        assert_null(go_binary_func_at(b, allp));    /* data is not a function */
    }
    assert_int_equal(go_binary_lookup(b, "runtime.no_such_symbol", NULL, NULL), -ENOENT);
    assert_null(go_binary_func_at(b, 0));
    /* Used a moment ago: kept. Idle 10 s: given back, and the next lookup rebuilds the
     * same index from the file. */
    go_binary_trim_symbols(b, mono_ns());
    check_after_trim(b, nm, funcs_checked[0], v, variant);
    char sibling[PATH_MAX];
    fixture_path_in(f, sibling, sizeof(sibling), v, ext ? "-extpie" : pie ? "-pie" : "-plain");
    check_gofunc(b, gofunc_expected(sibling, path, nm), path);
    go_binary_free(b);
}

static const char *const variants[] = {
    "-plain", "-stripped", "-pie", "-extpie", "-extpie-stripped",
};

static void check_all_variants(const struct fixtures *f)
{
    need_fixtures_of(f);
    for (int i = 0; i < f->n; i++)
        for (size_t k = 0; k < sizeof(variants) / sizeof(variants[0]); k++)
            check_variant(f, f->version[i], variants[k]);
}

static void test_fixtures(void **state)
{
    (void)state;
    check_all_variants(&fx);
}

static void test_fixtures_cgo(void **state)
{
    (void)state;
    check_all_variants(&fx_cgo);
}

/* A copy of the file src in a new file named from tmpl (mkstemp), open for writing at
 * its end. */
static FILE *copy_to_temp(const char *src, char *tmpl)
{
    FILE *in = fopen(src, "rb");
    assert_non_null(in);
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    assert_non_null(out);
    char block[65536];
    size_t n;
    while ((n = fread(block, 1, sizeof(block), in)) > 0)
        assert_int_equal(fwrite(block, 1, n, out), n);
    fclose(in);
    return out;
}

/* With section headers gone, everything must come from the segments alone: for an
 * externally linked build, runtime.text from PT_DYNAMIC's relocation table (PIE) or
 * runtime.firstmoduledata found in the writable segments. */
static void check_no_section_headers(const struct fixtures *f, const char *v,
                                     const char *variant, const char *nm_suffix)
{
    char src[PATH_MAX], nm[PATH_MAX], tmp[] = "/tmp/gmptop-noshdr-XXXXXX";
    fixture_path_in(f, src, sizeof(src), v, variant);
    fixture_path_in(f, nm, sizeof(nm), v, nm_suffix);
    FILE *out = copy_to_temp(src, tmp);
    /* ELF64 header: e_shoff at 0x28, e_shnum and e_shstrndx at 0x3c and 0x3e. */
    static const uint8_t zero[8];
    assert_int_equal(fseek(out, 0x28, SEEK_SET), 0);
    assert_int_equal(fwrite(zero, 1, 8, out), 8);
    assert_int_equal(fseek(out, 0x3c, SEEK_SET), 0);
    assert_int_equal(fwrite(zero, 1, 4, out), 4);
    assert_int_equal(fclose(out), 0);

    struct go_binary *b = open_ok(tmp);
    unlink(tmp);
    assert_true(strncmp(go_binary_version(b), "go1.", 4) == 0);
    assert_true(strlen(go_binary_build_id(b)) > 0);
    assert_int_equal(go_binary_symbol_source(b), GO_SYMBOLS_PCLNTAB);
    uint64_t addr = 0;
    for (size_t k = 0; k < sizeof(funcs_checked) / sizeof(funcs_checked[0]); k++) {
        if (go_binary_lookup(b, funcs_checked[k], &addr, NULL) != 0)
            fail_msg("%s: %s not found", src, funcs_checked[k]);
        if (addr != go_fixtures_nm_addr(nm, funcs_checked[k]))
            fail_msg("%s without section headers: %s at %#" PRIx64 ", go tool nm says "
                     "%#" PRIx64, src, funcs_checked[k], addr,
                     go_fixtures_nm_addr(nm, funcs_checked[k]));
    }
    /* The same funcdata base as with section headers (found by their names there). */
    struct go_binary *with = open_ok(src);
    struct go_binary_pcln_loc loc;
    assert_int_equal(go_binary_pcln(with, &loc), 0);
    assert_true(loc.gofunc != 0);
    check_gofunc(b, loc.gofunc, src);
    go_binary_free(with);
    go_binary_free(b);
}

static void test_no_section_headers(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++) {
        check_no_section_headers(&fx, fx.version[i], "-stripped", "-plain.nm");
        check_no_section_headers(&fx, fx.version[i], "-extpie-stripped", "-extpie.nm");
    }
}

static void test_no_section_headers_cgo(void **state)
{
    (void)state;
    need_fixtures_of(&fx_cgo);
    for (int i = 0; i < fx_cgo.n; i++) {
        check_no_section_headers(&fx_cgo, fx_cgo.version[i], "-stripped", "-plain.nm");
        check_no_section_headers(&fx_cgo, fx_cgo.version[i], "-extpie-stripped",
                                 "-extpie.nm");
    }
}

/* What the park collector checks before its uprobe goes in, on every fixture build:
 * runtime.casgstatus's address per go_binary starts a nosplit frame setup, and the
 * address a text base 0x100 low would have given (as .text's start did for stripped
 * externally linked Go 1.26+) is refused, with the bytes found in the reason. */
static void check_probe_entry(const struct fixtures *f, const char *v, const char *variant)
{
    char path[PATH_MAX], why[256];
    fixture_path_in(f, path, sizeof(path), v, variant);
    struct go_binary *b = open_ok(path);
    uint64_t addr = 0, size = 0;
    assert_int_equal(go_binary_lookup(b, "runtime.casgstatus", &addr, &size), 0);
    go_binary_free(b);
    uint8_t code[64];
    assert_int_equal(park_read_code(path, addr, code, sizeof(code), why, sizeof(why)), 0);
    if (park_entry_check(code, sizeof(code), true, why, sizeof(why)) != 0)
        fail_msg("%s%s: runtime.casgstatus at %#" PRIx64 " refused: %s", v, variant, addr, why);
    assert_int_equal(park_read_code(path, addr - 0x100, code, sizeof(code), why,
                                    sizeof(why)), 0);
    if (park_entry_check(code, sizeof(code), true, why, sizeof(why)) == 0)
        fail_msg("%s%s: %#" PRIx64 ", 0x100 below runtime.casgstatus, accepted", v, variant,
                 addr - 0x100);
    assert_non_null(strstr(why, "unexpected prologue "));
    /* The collector's status line says it whole: address and verdict around it. */
    assert_true(strlen("runtime.casgstatus at 0x7fffffffffff: ; not attaching") + strlen(why) <
                SNAPSHOT_REASON_LEN);
    print_message("%s%s%s: 0x100 low refused: %s\n", v, variant,
                  f == &fx_cgo ? " (cgo)" : "", why);
}

static void test_probe_entry(void **state)
{
    (void)state;
    need_fixtures();
    const struct fixtures *sets[] = { &fx, &fx_cgo };
    for (size_t s = 0; s < 2; s++)
        for (int i = 0; sets[s]->dir && i < sets[s]->n; i++)
            for (size_t k = 0; k < sizeof(variants) / sizeof(variants[0]); k++)
                check_probe_entry(sets[s], sets[s]->version[i], variants[k]);
}

/* Rewrite a copy's .go.buildinfo into the pre-1.18 layout: pointers to string headers. */
static void make_pointer_buildinfo(const char *src, const char *dst)
{
    char cmd[2 * PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, dst);
    assert_int_equal(system(cmd), 0);
    int fd = open(dst, O_RDWR);
    assert_true(fd >= 0);
    assert_true(elf_version(EV_CURRENT) != EV_NONE);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    assert_non_null(e);
    size_t shstrndx;
    assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
    Elf_Scn *scn = NULL;
    GElf_Shdr sh;
    bool found = false;
    while (!found && (scn = elf_nextscn(e, scn)) != NULL) {
        const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
        found = n && strcmp(n, ".go.buildinfo") == 0;
    }
    elf_end(e);
    assert_true(found && sh.sh_size >= 256);

    /* header | 16: &ver, 24: &mod | 32: ver {ptr,len} | 48: mod {ptr,len} | 64.. bytes */
    static const char ver[] = "go1.16.15";
    static const char mod[] = "0123456789abcdefpath\tx/cmd\nmod\tx.example/old\t(devel)\t"
                              "\n0123456789abcdef";
    uint8_t buf[256];
    uint64_t va = sh.sh_addr;
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "\xff Go buildinf:", 14);
    buf[14] = 8;
    buf[15] = 0;
    put64(buf + 16, va + 32);
    put64(buf + 24, va + 48);
    put64(buf + 32, va + 64);
    put64(buf + 40, sizeof(ver) - 1);
    put64(buf + 48, va + 80);
    put64(buf + 56, sizeof(mod) - 1);
    memcpy(buf + 64, ver, sizeof(ver) - 1);
    memcpy(buf + 80, mod, sizeof(mod) - 1);
    assert_int_equal(pwrite(fd, buf, sizeof(buf), (off_t)sh.sh_offset), (ssize_t)sizeof(buf));
    close(fd);
}

static void test_pointer_buildinfo(void **state)
{
    (void)state;
    need_fixtures();
    char src[PATH_MAX], tmp[] = "/tmp/gmptop-oldbi-XXXXXX", ver[32];
    fixture_path(src, sizeof(src), fx.version[0], "-plain");
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    make_pointer_buildinfo(src, tmp);
    assert_int_equal(go_binary_peek_version(tmp, ver, sizeof(ver)), GO_BINARY_OK);
    assert_string_equal(ver, "go1.16.15");
    struct go_binary *b = open_ok(tmp);
    unlink(tmp);
    assert_string_equal(go_binary_version(b), "go1.16.15");
    assert_string_equal(go_binary_module_path(b), "x.example/old");
    go_binary_free(b);
}

/* ---- live: a running PIE ---------------------------------------------------------------- */

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Whether runtime address addr lies in an r-xp mapping of path in /proc/pid/maps. */
static bool in_exec_mapping(pid_t pid, uint64_t addr, const char *path)
{
    char maps[64], line[PATH_MAX + 128];
    bool ok = false;
    snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(maps, "r");
    assert_non_null(f);
    while (!ok && fgets(line, sizeof(line), f)) {
        uint64_t start, end;
        char perms[8];
        int pos = 0;
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %n", &start, &end, perms,
                   &pos) < 3 || pos == 0)
            continue;
        ok = addr >= start && addr < end && strcmp(perms, "r-xp") == 0 &&
             strcmp(line + pos, path) == 0;
    }
    fclose(f);
    return ok;
}

static void check_live_pie(const char *v)
{
    char path[PATH_MAX], real[PATH_MAX], exe[PATH_MAX], link[64];
    fixture_path(path, sizeof(path), v, "-pie");
    assert_non_null(realpath(path, real));
    struct go_binary *b = open_ok(real);
    uint64_t main_addr = 0, bias = 1;
    assert_int_equal(go_binary_lookup(b, "main.main", &main_addr, NULL), 0);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(real, real, "30", (char *)NULL);
        _exit(127);
    }
    /* Until exec has happened, /proc/PID/exe is still this test program; and the kernel
     * switches exe before it maps the PT_LOAD segments (load_elf_binary calls
     * begin_new_exec first), so under load the maps can still lack the text for a
     * moment after the link changed. Poll until both hold, or 5 s. */
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
    bool execd = false, mapped = false;
    int rc = -ETIMEDOUT;
    for (int i = 0; i < 500 && !mapped; i++) {
        if (i > 0)
            sleep_ms(10);
        ssize_t n = readlink(link, exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        execd = strcmp(exe, real) == 0;
        if (!execd)
            continue;
        rc = go_binary_load_bias(b, pid, &bias);
        mapped = rc == 0 && in_exec_mapping(pid, main_addr + bias, real);
    }
    print_message("%s-pie pid %d: bias 0x%" PRIx64 ", main.main at 0x%" PRIx64 "\n", v,
                  (int)pid, bias, main_addr + bias);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);

    assert_true(execd);
    assert_int_equal(rc, 0);
    assert_true(bias != 0);
    assert_true(bias % (uint64_t)sysconf(_SC_PAGESIZE) == 0);
    assert_true(mapped);

    /* Non-PIE: bias is 0 without looking at the process. */
    char plain[PATH_MAX];
    fixture_path(plain, sizeof(plain), v, "-plain");
    struct go_binary *p = open_ok(plain);
    assert_int_equal(go_binary_load_bias(p, getpid(), &bias), 0);
    assert_true(bias == 0);
    go_binary_free(p);
    /* A process that is not this binary (ourselves) gives no bias. */
    assert_int_equal(go_binary_load_bias(b, getpid(), &bias), -ENOENT);
    go_binary_free(b);
}

static void test_live_load_bias(void **state)
{
    (void)state;
    need_fixtures();
    for (int i = 0; i < fx.n; i++)
        check_live_pie(fx.version[i]);
}

/* A trimmed index is rebuilt only from the file it was read from: once that file is
 * replaced (the target exec'd, or was rebuilt in place), lookups find nothing rather
 * than another program's addresses. */
static void test_trim_replaced_file(void **state)
{
    (void)state;
    need_fixtures();
    char src[PATH_MAX], tmp[] = "/tmp/gmptop-trim-XXXXXX";
    fixture_path(src, sizeof(src), fx.version[0], "-stripped");
    fclose(copy_to_temp(src, tmp));
    struct go_binary *b = open_ok(tmp);
    uint64_t addr = 0;
    assert_int_equal(go_binary_lookup(b, "runtime.casgstatus", &addr, NULL), 0);
    go_binary_trim_symbols(b, mono_ns() + 11000000000LL);
    assert_int_equal(go_binary_lookup(b, "runtime.casgstatus", &addr, NULL), 0);
    go_binary_trim_symbols(b, mono_ns() + 11000000000LL);
    /* A new file under the same name: another inode. */
    assert_int_equal(unlink(tmp), 0);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\177ELF", 4), 4);
    close(fd);
    assert_int_equal(go_binary_lookup(b, "runtime.casgstatus", &addr, NULL), -ENOENT);
    assert_null(go_binary_func_at(b, addr + 4));
    unlink(tmp);
    go_binary_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buildinfo_valid),
        cmocka_unit_test(test_buildinfo_truncated),
        cmocka_unit_test(test_buildinfo_bad),
        cmocka_unit_test(test_pclntab_handmade),
        cmocka_unit_test(test_pclntab_mutations),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_fixtures_cgo),
        cmocka_unit_test(test_trim_replaced_file),
        cmocka_unit_test(test_no_section_headers),
        cmocka_unit_test(test_no_section_headers_cgo),
        cmocka_unit_test(test_probe_entry),
        cmocka_unit_test(test_pointer_buildinfo),
        cmocka_unit_test(test_live_load_bias),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, NULL);
}
