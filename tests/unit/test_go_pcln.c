/* test_go_pcln: go_pclntab_pc_lookup (pc -> function, file, line, SP delta) from the pcln
 * table alone. Against Go's own reader: tests/unit/test_go_pcln.sh asks each toolchain's
 * `go tool addr2line` about a few hundred pcs of its fixture, and every answer must be
 * gmptop's, in the stripped build and the plain one. Then hand-made tables at the edges
 * and mutated real tables: no crash, no read outside the buffer (run under ASan). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/go_pclntab.h"
#include "tests/unit/go_fixtures.h"

#define MAX_VERSIONS 16

/* runtime.text from the nm listing: the base a table without textStart needs. */
static uint64_t text_start(const char *nm)
{
    return go_fixtures_nm_addr(nm, "runtime.text");
}

/* Compare every line of DIR/V.ref ("0xPC func file:line") with the lookup. */
static int check_version(const char *bindir, const char *refdir, const char *v,
                         const char *variant)
{
    char path[4096], nm[4096], ref[4096];
    snprintf(path, sizeof(path), "%s/%s-%s", bindir, v, variant);
    snprintf(nm, sizeof(nm), "%s/%s-plain.nm", bindir, v);
    snprintf(ref, sizeof(ref), "%s/%s.ref", refdir, v);
    size_t len = 0;
    uint8_t *tab = go_fixtures_pclntab(path, &len);
    uint64_t base = text_start(nm);
    FILE *f = fopen(ref, "r");
    assert_non_null(f);
    char line[8192];
    int n = 0, with_line = 0;
    while (fgets(line, sizeof(line), f)) {
        /* pc, then the function (generic instances have spaces in their names), then
         * file:line, the last word. */
        char func[4096], where[4096];
        uint64_t pc;
        line[strcspn(line, "\n")] = '\0';
        char *sp1 = strchr(line, ' '), *sp2 = strrchr(line, ' ');
        if (!sp1 || sp2 == sp1 || sscanf(line, "%" SCNx64, &pc) != 1)
            fail_msg("%s: bad reference line: %s", ref, line);
        snprintf(func, sizeof(func), "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
        snprintf(where, sizeof(where), "%s", sp2 + 1);
        /* No file but a line (Go 1.25's go:textfipsstart marker: ":-5"): no position
         * either, whatever line its table holds. */
        if (where[0] == ':')
            snprintf(where, sizeof(where), ":-1");
        struct go_pcln_pos pos;
        int rc = go_pclntab_pc_lookup(tab, len, base, pc, &pos);
        /* Go prints ":-1" where the tables have no position (e.g. an init's padding). */
        char got[4600] = ":-1";
        if (rc == GO_PCLNTAB_OK && pos.file)
            snprintf(got, sizeof(got), "%s:%d", pos.file, (int)pos.line);
        if (strcmp(func, "?") == 0) {
            /* addr2line knows no function there (padding between functions). */
            if (rc == GO_PCLNTAB_OK)
                fail_msg("%s %s 0x%" PRIx64 ": addr2line has no function, gmptop says %s",
                         v, variant, pc, pos.func);
            continue;
        }
        if (rc != GO_PCLNTAB_OK)
            fail_msg("%s %s 0x%" PRIx64 " (%s): lookup failed: %d", v, variant, pc, func, rc);
        if (strcmp(pos.func, func) != 0 || strcmp(got, where) != 0)
            fail_msg("%s %s 0x%" PRIx64 ": go tool addr2line says %s %s, gmptop %s %s", v,
                     variant, pc, func, where, pos.func, got);
        assert_true(pos.entry <= pc);
        /* 9 bytes in, a frame has been set up or the function is frameless: the SP delta
         * is known and small; at the entry it is 0 (nothing pushed yet). */
        if (pos.file && (pos.sp_delta < 0 || pos.sp_delta >= (1 << 20) ||
                         (pc == pos.entry && pos.sp_delta != 0)))
            fail_msg("%s %s 0x%" PRIx64 " (%s, %s): SP delta %d", v, variant, pc, func, where,
                     (int)pos.sp_delta);
        /* The lookup for unwinding agrees on what it gives. */
        struct go_pcln_pos fn;
        assert_int_equal(go_pclntab_pc_func(tab, len, base, pc, &fn), GO_PCLNTAB_OK);
        if (strcmp(fn.func, pos.func) != 0 || fn.entry != pos.entry ||
            fn.sp_delta != pos.sp_delta || fn.func_id != pos.func_id || fn.file || fn.line ||
            fn.inl_index != -1)
            fail_msg("%s %s 0x%" PRIx64 ": pc_func says %s+%d, pc_lookup %s+%d", v, variant,
                     pc, fn.func, (int)fn.sp_delta, pos.func, (int)pos.sp_delta);
        with_line += pos.line > 0;
        n++;
    }
    fclose(f);
    free(tab);
    print_message("%s %s: %d pcs agree (%d with a line)\n", v, variant, n, with_line);
    assert_true(n > 100 && with_line > n / 2);
    return n;
}

static void test_against_go_addr2line(void **state)
{
    (void)state;
    const char *bindir = getenv("GOBIN_DIR"), *refdir = getenv("GOBIN_PCLN_REF");
    if (!bindir || !refdir)
        skip();
    char versions[MAX_VERSIONS][64];
    int nv = go_fixtures_versions(bindir, versions, MAX_VERSIONS);
    assert_true(nv > 0);
    for (int i = 0; i < nv; i++) {
        check_version(bindir, refdir, versions[i], "stripped");
        check_version(bindir, refdir, versions[i], "plain");
    }
}

/* Fixture number i (of those built)'s stripped pcln table, its text base, and the path
 * of its plain build's nm listing; skips when there are no fixtures. */
static uint8_t *load_fixture(int i, size_t *len, uint64_t *base, char *nm, size_t nmlen)
{
    const char *bindir = getenv("GOBIN_DIR");
    if (!bindir)
        skip();
    char versions[MAX_VERSIONS][64], path[4096];
    int nv = go_fixtures_versions(bindir, versions, MAX_VERSIONS);
    assert_true(nv > 0);
    if (i < 0)
        i = nv - 1;
    snprintf(path, sizeof(path), "%s/%s-stripped", bindir, versions[i]);
    snprintf(nm, nmlen, "%s/%s-plain.nm", bindir, versions[i]);
    *base = text_start(nm);
    return go_fixtures_pclntab(path, len);
}

/* Every byte of a real table flipped in turn, and every length cut: lookups of a few pcs
 * return an error or an answer whose strings lie inside the buffer, never crash. */
static void test_mutations(void **state)
{
    (void)state;
    char nm[4096];
    size_t len = 0;
    uint64_t base = 0;
    uint8_t *tab = load_fixture(-1, &len, &base, nm, sizeof(nm));
    uint64_t pc = go_fixtures_nm_addr(nm, "main.worker") + 9;
    struct go_pcln_pos pos;
    assert_int_equal(go_pclntab_pc_lookup(tab, len, base, pc, &pos), GO_PCLNTAB_OK);
    assert_string_equal(pos.func, "main.worker");
    /* The header and the first functab entries, where a flip changes most. */
    size_t span = len < 4096 ? len : 4096;
    for (size_t i = 0; i < span; i++) {
        uint8_t *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, tab, len);
        copy[i] ^= 0xa5;
        if (go_pclntab_pc_lookup(copy, len, base, pc, &pos) == GO_PCLNTAB_OK) {
            assert_true((const uint8_t *)pos.func >= copy &&
                        (const uint8_t *)pos.func < copy + len);
            assert_true(!pos.file || ((const uint8_t *)pos.file >= copy &&
                                      (const uint8_t *)pos.file < copy + len));
        }
        free(copy);
    }
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, tab, cut);
        (void)go_pclntab_pc_lookup(copy, cut, base, pc, &pos);
        free(copy);
    }
    free(tab);
}

/* A pc outside every function: 1, not an error and not a neighbour's name. */
static void test_outside(void **state)
{
    (void)state;
    char nm[4096];
    size_t len = 0;
    uint64_t base = 0;
    uint8_t *tab = load_fixture(0, &len, &base, nm, sizeof(nm));
    struct go_pcln_pos pos;
    assert_int_equal(go_pclntab_pc_lookup(tab, len, base, base - 1, &pos), 1);
    assert_int_equal(go_pclntab_pc_lookup(tab, len, base, UINT64_MAX, &pos), 1);
    assert_int_equal(go_pclntab_pc_lookup(tab, 7, base, base, &pos), GO_PCLNTAB_ERR_MAGIC);
    free(tab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_go_addr2line),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
