/* test_go_derive: layouts derived from each Go fixture (every installed toolchain; plain,
 * stripped, PIE and stripped external-linker PIE) equal the committed offset table field
 * by field, widths included; the schedt counters, derived relative to sched.lock, land
 * on the same addresses as runtime.sched + the table's offsets (plain builds, whose
 * symbol table names runtime.sched); and bad input derives nothing. */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "target/go_binary.h"
#include "target/go_derive.h"
#include "target/go_offsets.h"
#include "tests/unit/go_fixtures.h"

#define MAX_VERSIONS 16

static struct {
    const char *dir;
    char version[MAX_VERSIONS][64];
    int n;
} fx;

static const enum go_field schedt_fields[] = {
    GO_SCHED_NMIDLE, GO_SCHED_MNEXT, GO_SCHED_NMFREED, GO_SCHED_NPIDLE,
    GO_SCHED_NMSPINNING, GO_SCHED_NEEDSPINNING, GO_SCHED_NGSYS,
};

static bool is_struct_owner(const char *owner)
{
    return strcmp(owner, "runtime.p") == 0 || strcmp(owner, "runtime.m") == 0 ||
           strcmp(owner, "runtime.g") == 0;
}

static void derive(const char *path, struct go_binary **b, struct go_offsets *d)
{
    char msg[256];
    if (go_binary_open(path, b, msg, sizeof(msg)) != 0)
        fail_msg("%s: %s", path, msg);
    memset(d, 0, sizeof(*d));
    if (go_derive_layout(*b, path, d, msg, sizeof(msg)) != GO_OFFSETS_OK)
        fail_msg("%s: %s", path, msg);
}

static void test_matches_table(void **state)
{
    (void)state;
    if (!fx.dir || fx.n == 0)
        fail_msg("no Go fixtures in GOBIN_DIR");
    static const char *const variant[] = { "plain", "stripped", "pie", "extpie-stripped" };
    int checked = 0;
    for (int i = 0; i < fx.n; i++) {
        struct go_offsets t;
        memset(&t, 0, sizeof(t));
        if (go_offsets_from_table(fx.version[i], &t) != 0)
            fail_msg("%s is not in the offset table: run scripts/gen-offsets.sh",
                     fx.version[i]);
        for (size_t k = 0; k < sizeof(variant) / sizeof(variant[0]); k++) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s/%s-%s", fx.dir, fx.version[i], variant[k]);
            struct go_binary *b = NULL;
            struct go_offsets d;
            derive(path, &b, &d);
            for (int f = 0; f < GO_FIELD_COUNT; f++) {
                const struct go_field_spec *sp = go_field_spec((enum go_field)f);
                if (!is_struct_owner(sp->owner))
                    continue;
                if (d.field[f] != t.field[f] || (sp->kind == GO_KIND_OFFSET &&
                                                 d.width[f] != t.width[f]))
                    fail_msg("%s: %s derived %" PRId64 " (width %u), table %" PRId64
                             " (width %u)", path, sp->id, d.field[f], d.width[f],
                             t.field[f], t.width[f]);
            }
            /* schedt: relative to sched.lock; the table's are from runtime.sched. */
            int64_t rq = go_offsets_sched_runqsize(&t);
            int64_t shift = t.field[GO_SCHED_NMIDLE] - d.field[GO_SCHED_NMIDLE];
            assert_true(shift > 0);
            for (size_t s = 0; s < sizeof(schedt_fields) / sizeof(schedt_fields[0]); s++) {
                enum go_field f = schedt_fields[s];
                int64_t want = t.field[f] < 0 ? -1 : t.field[f] - shift;
                if (d.field[f] != want)
                    fail_msg("%s: %s derived %" PRId64 ", table says %" PRId64, path,
                             go_field_spec(f)->id, d.field[f], want);
            }
            assert_int_equal(d.field[GO_SCHED_RUNQSIZE], rq - shift);
            assert_int_equal(d.field[GO_WAITREASONSTRINGS_LEN],
                             t.field[GO_WAITREASONSTRINGS_LEN]);
            if (strcmp(variant[k], "plain") == 0) {
                char nm[PATH_MAX + 8];
                if ((size_t)snprintf(nm, sizeof(nm), "%s.nm", path) >= sizeof(nm))
                    fail_msg("%s: path too long", path);
                uint64_t sched = go_fixtures_nm_addr(nm, "runtime.sched");
                assert_int_equal(d.global[GO_GLOBAL_SCHED], sched + (uint64_t)shift);
            }
            go_binary_free(b);
            checked++;
        }
    }
    print_message("derived layouts equal the table on %d builds of %d versions\n", checked,
                  fx.n);
}

static void test_refuses(void **state)
{
    (void)state;
    char why[256];
    struct go_offsets d;
    /* gmptop itself is not a Go program: go_binary_open refuses it before; a Go binary
     * whose file vanished derives nothing and says why. */
    if (fx.n == 0)
        skip();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s-stripped", fx.dir, fx.version[0]);
    struct go_binary *b = NULL;
    char msg[256];
    assert_int_equal(go_binary_open(path, &b, msg, sizeof(msg)), 0);
    assert_int_equal(go_derive_layout(b, "/nonexistent/file", &d, why, sizeof(why)),
                     GO_OFFSETS_ERR_NODATA);
    assert_non_null(strstr(why, "/nonexistent/file"));
    assert_int_equal(d.field[GO_P_RUNQHEAD], -1);
    go_binary_free(b);
}

static int fixtures_setup(void **state)
{
    (void)state;
    fx.dir = getenv("GOBIN_DIR");
    fx.n = fx.dir ? go_fixtures_versions(fx.dir, fx.version, MAX_VERSIONS) : 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_table),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, NULL);
}
