/* test_numa_maps: the numa_maps parser on every field and policy the kernel prints,
 * escaped paths, hugetlb, missing fields and cut-off input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc/numa_maps.h"

/* The parser takes buffer + length and must never look at buf[len]: put the bytes at
 * the end of a page followed by a PROT_NONE page so an over-read faults. */
static char *guarded(const char *text, size_t len, char **map)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    assert_true(len <= page);
    *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(*map != MAP_FAILED);
    assert_int_equal(mprotect(*map + page, page, PROT_NONE), 0);
    char *buf = *map + page - len;
    memcpy(buf, text, len);
    return buf;
}

static void unguard(char *map) { munmap(map, 2 * (size_t)sysconf(_SC_PAGESIZE)); }

static int parse(const char *line, struct numa_maps_entry *e)
{
    char *map;
    char *buf = guarded(line, strlen(line), &map);
    int r = numa_maps_parse_line(buf, strlen(line), e);
    unguard(map);
    return r;
}

static void test_all_fields(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    assert_int_equal(parse("7ffd5a3e1000 default stack anon=3 dirty=4 mapped=5 mapmax=6 "
                           "swapcache=7 active=8 writeback=9 N0=3 N1=2 "
                           "kernelpagesize_kB=4", &e), 0);
    assert_true(e.addr == 0x7ffd5a3e1000ULL);
    assert_int_equal(e.mode, NUMA_MODE_DEFAULT);
    assert_string_equal(e.policy, "default");
    assert_string_equal(e.nodelist, "");
    assert_int_equal(e.backing, NUMA_BACK_STACK);
    assert_int_equal(e.anon, 3);
    assert_int_equal(e.dirty, 4);
    assert_int_equal(e.mapped, 5);
    assert_int_equal(e.mapmax, 6);
    assert_int_equal(e.swapcache, 7);
    assert_int_equal(e.active, 8);
    assert_int_equal(e.writeback, 9);
    assert_int_equal(e.have, 0xff);
    assert_int_equal(e.node_pages[0], 3);
    assert_int_equal(e.node_pages[1], 2);
    assert_int_equal(e.total_pages, 5);
    assert_int_equal(e.kernelpagesize_kb, 4);
    assert_int_equal(e.unknown_fields, 0);
    assert_false(e.huge);
}

static void test_missing_fields(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    /* A mapping with nothing resident: only address and policy. */
    assert_int_equal(parse("c000800000 default", &e), 0);
    assert_true(e.addr == 0xc000800000ULL);
    assert_int_equal(e.have, 0);
    assert_int_equal(e.total_pages, 0);
    assert_int_equal(e.kernelpagesize_kb, 0);
    assert_int_equal(e.backing, NUMA_BACK_ANON);
    assert_int_equal(parse("09f10000 default heap anon=1 dirty=1 N0=1", &e), 0);
    assert_int_equal(e.backing, NUMA_BACK_HEAP);
    assert_int_equal(e.have, 0x3);
}

struct pol_case {
    const char *text;
    enum numa_maps_mode mode;
    unsigned flags;
    const char *policy, *nodes;
};

static void test_policies(void **state)
{
    (void)state;
    static const struct pol_case cases[] = {
        { "default", NUMA_MODE_DEFAULT, 0, "default", "" },
        { "bind:0", NUMA_MODE_BIND, 0, "bind:0", "0" },
        { "interleave:0", NUMA_MODE_INTERLEAVE, 0, "interleave:0", "0" },
        { "prefer:0", NUMA_MODE_PREFER, 0, "prefer:0", "0" },
        { "local", NUMA_MODE_LOCAL, 0, "local", "" },
        { "prefer (many):0", NUMA_MODE_PREFER_MANY, 0, "prefer (many):0", "0" },
        { "weighted interleave:0", NUMA_MODE_WEIGHTED_INTERLEAVE, 0,
          "weighted interleave:0", "0" },
        { "bind=static:0", NUMA_MODE_BIND, NUMA_FLAG_STATIC, "bind=static:0", "0" },
        { "interleave=relative:0", NUMA_MODE_INTERLEAVE, NUMA_FLAG_RELATIVE,
          "interleave=relative:0", "0" },
        { "bind=static|balancing:0-3,8", NUMA_MODE_BIND,
          NUMA_FLAG_STATIC | NUMA_FLAG_BALANCING, "bind=static|balancing:0-3,8", "0-3,8" },
        { "bind=balancing:1", NUMA_MODE_BIND, NUMA_FLAG_BALANCING, "bind=balancing:1", "1" },
        { "prefer (many)=static:0-1", NUMA_MODE_PREFER_MANY, NUMA_FLAG_STATIC,
          "prefer (many)=static:0-1", "0-1" },
        { "frobnicate:2", NUMA_MODE_UNKNOWN, 0, "frobnicate:2", "2" },
    };
    char line[128];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct numa_maps_entry e;
        snprintf(line, sizeof(line), "7f0000000000 %s anon=2 N0=2 kernelpagesize_kB=4",
                 cases[i].text);
        assert_int_equal(parse(line, &e), 0);
        assert_int_equal(e.mode, cases[i].mode);
        assert_int_equal(e.flags, cases[i].flags);
        assert_string_equal(e.policy, cases[i].policy);
        assert_string_equal(e.nodelist, cases[i].nodes);
        assert_int_equal(e.total_pages, 2);
        assert_int_equal(e.unknown_fields, 0);
        /* Policy alone at the end of the line too. */
        snprintf(line, sizeof(line), "7f0000000000 %s", cases[i].text);
        assert_int_equal(parse(line, &e), 0);
        assert_string_equal(e.policy, cases[i].policy);
    }
    assert_string_equal(numa_maps_mode_name(NUMA_MODE_PREFER_MANY), "prefer (many)");
    assert_string_equal(numa_maps_mode_name(NUMA_MODE_WEIGHTED_INTERLEAVE),
                        "weighted interleave");
    assert_string_equal(numa_maps_mode_name(NUMA_MODE_UNKNOWN), "unknown");
}

static void test_escaped_path(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    assert_int_equal(parse("7fdf1085b000 bind:0 file=/tmp/a\\040b\\075c\\011d\\e\\040(deleted)"
                           " mapped=1 N0=1 kernelpagesize_kB=4", &e), 0);
    assert_int_equal(e.backing, NUMA_BACK_FILE);
    assert_string_equal(e.path, "/tmp/a b=c\td\\e (deleted)");
    assert_false(e.path_truncated);
    /* A cut-off escape stays literal; out-of-range octal is not decoded. */
    assert_int_equal(parse("1000 default file=/x\\04", &e), 0);
    assert_string_equal(e.path, "/x\\04");
    assert_int_equal(parse("1000 default file=/x\\477\\08", &e), 0);
    assert_string_equal(e.path, "/x\\477\\08");
    char line[700];
    snprintf(line, sizeof(line), "1000 default file=/%0600d N0=1", 0);
    assert_int_equal(parse(line, &e), 0);
    assert_true(e.path_truncated);
    assert_int_equal(strlen(e.path), NUMA_MAPS_PATH_LEN - 1);
    assert_int_equal(e.total_pages, 1);
}

static void test_huge(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    assert_int_equal(parse("7fdf10200000 bind:0 file=/anon_hugepage\\040(deleted) huge "
                           "anon=1 dirty=1 N0=1 N1=2 kernelpagesize_kB=2048", &e), 0);
    assert_true(e.huge);
    assert_string_equal(e.path, "/anon_hugepage (deleted)");
    assert_int_equal(e.kernelpagesize_kb, 2048);
    assert_int_equal(numa_maps_base_pages(&e, 0, 4), 512);
    assert_int_equal(numa_maps_base_pages(&e, 1, 4), 1024);
    assert_int_equal(numa_maps_base_pages(&e, -1, 4), 1536);
    assert_int_equal(numa_maps_base_pages(&e, 99, 4), 0);
    /* THP is already in base pages: kernelpagesize_kB=4, no conversion. */
    assert_int_equal(parse("7fdf0fa00000 default anon=1024 dirty=1024 N0=1024 "
                           "kernelpagesize_kB=4", &e), 0);
    assert_int_equal(numa_maps_base_pages(&e, 0, 4), 1024);
    /* 1 GiB pages, saturating instead of wrapping. */
    assert_int_equal(parse("1000 default huge N0=18446744073709551615 "
                           "kernelpagesize_kB=1048576", &e), 0);
    assert_true(numa_maps_base_pages(&e, 0, 4) == UINT64_MAX);
}

static void test_nodes(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    assert_int_equal(parse("1000 interleave:0-3 N0=1 N3=4 N63=5 N64=6 N1000=7", &e), 0);
    assert_int_equal(e.node_pages[0], 1);
    assert_int_equal(e.node_pages[3], 4);
    assert_int_equal(e.node_pages[63], 5);
    assert_int_equal(e.other_pages, 13);
    assert_int_equal(e.total_pages, 23);
    assert_true(e.nodes_present[0] == ((1ULL << 0) | (1ULL << 3) | (1ULL << 63)));
    /* Malformed node and counter fields are ignored, not half-read. */
    assert_int_equal(parse("1000 default N=1 Nx=2 N0= N0=x anon=-1 dirty=1a N1=99999999999999999999 foo", &e), 0);
    assert_int_equal(e.total_pages, 0);
    assert_int_equal(e.have, 0);
    assert_int_equal(e.unknown_fields, 8);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct numa_maps_entry e;
    assert_int_equal(parse("", &e), -EINVAL);
    assert_int_equal(parse("7f00", &e), -EINVAL);
    assert_int_equal(parse("7f00 ", &e), -EINVAL);
    assert_int_equal(parse("zz default", &e), -EINVAL);
    assert_int_equal(parse(" 1000 default", &e), -EINVAL);
    assert_int_equal(parse("11112222333344445 default", &e), -EINVAL);
    assert_int_equal(parse("1000 :0", &e), -EINVAL);
}

static int count_cb(void *ctx, const struct numa_maps_entry *e)
{
    uint64_t *pages = ctx;
    *pages += e->total_pages;
    return 0;
}

static int stop_cb(void *ctx, const struct numa_maps_entry *e)
{
    (void)ctx;
    (void)e;
    return -EINTR;
}

static void test_file_and_truncation(void **state)
{
    (void)state;
    const char *text =
        "00400000 default file=/usr/bin/x mapped=10 N0=10 kernelpagesize_kB=4\n"
        "\n"
        "garbage line\n"
        "c000000000 bind:0 anon=20 dirty=20 N0=20 kernelpagesize_kB=4\r\n"
        "7ffd00000000 default stack anon=3 dirty=3 N0=3 kernelpagesize_kB=4";
    size_t len = strlen(text), bad = 0;
    uint64_t pages = 0;
    char *map;
    char *buf = guarded(text, len, &map);
    assert_int_equal(numa_maps_parse(buf, len, count_cb, &pages, &bad), 3);
    assert_int_equal(bad, 1);
    assert_int_equal(pages, 33);
    assert_int_equal(numa_maps_parse(buf, len, stop_cb, NULL, NULL), -EINTR);
    unguard(map);
    /* Every prefix of the file: never a crash, never an over-read, and a line cut
     * inside a number yields that shorter number or nothing, never more pages. */
    for (size_t cut = 0; cut <= len; cut++) {
        pages = 0;
        buf = guarded(text, cut, &map);
        int n = numa_maps_parse(buf, cut, count_cb, &pages, NULL);
        assert_true(n >= 0 && n <= 3);
        assert_true(pages <= 33);
        unguard(map);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fields),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_escaped_path),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_file_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
