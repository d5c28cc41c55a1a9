/* Unit tests for go_globals and x86_riprel: hand-made code and memory, Go fixtures in
 * $GOBIN_DIR (plain, stripped, pie) and $GLOBALS_DIR (stripped-pie, objdump listings). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/go_fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/go_binary.h"
#include "target/go_globals.h"
#include "target/go_offsets.h"
#include "target/target_mem.h"
#include "target/x86_riprel.h"

#define MAX_VERSIONS 16

/* ---- the decoder on hand-made bytes ------------------------------------------------------- */

static void test_decode_known(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[15];
        uint8_t n, len;
        bool riprel;
        int32_t disp;
    } cases[] = {
        /* mov 0x12345(%rip),%rax */
        { { 0x48, 0x8b, 0x05, 0x45, 0x23, 0x01, 0x00 }, 7, 7, true, 0x12345 },
        /* cmpl $0x1,-0x10(%rip): the immediate follows the displacement */
        { { 0x83, 0x3d, 0xf0, 0xff, 0xff, 0xff, 0x01 }, 7, 7, true, -16 },
        /* movl $0x7,0x10(%rip): imm32 after disp32 */
        { { 0xc7, 0x05, 0x10, 0, 0, 0, 7, 0, 0, 0 }, 10, 10, true, 0x10 },
        /* testb $0x1,0x20(%rip) (F6 /0 has an imm8) */
        { { 0xf6, 0x05, 0x20, 0, 0, 0, 1 }, 7, 7, true, 0x20 },
        /* negq (%rax) (F7 /3 has none) */
        { { 0x48, 0xf7, 0x18 }, 3, 3, false, 0 },
        /* movabs $imm64,%rax */
        { { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 10, false, 0 },
        /* vzeroupper: VEX without ModRM */
        { { 0xc5, 0xf8, 0x77 }, 3, 3, false, 0 },
        /* vmovdqu 0x40(%rip),%ymm0 */
        { { 0xc5, 0xfe, 0x6f, 0x05, 0x40, 0, 0, 0 }, 8, 8, true, 0x40 },
        /* lock cmpxchg %ecx,0x8(%rip) */
        { { 0xf0, 0x0f, 0xb1, 0x0d, 8, 0, 0, 0 }, 8, 8, true, 8 },
        /* mov (%rsp,%rbx,8),%rax: SIB, no displacement */
        { { 0x48, 0x8b, 0x04, 0xdc }, 4, 4, false, 0 },
        /* movups %xmm15,0x18(%rsp): SIB and disp8 */
        { { 0x44, 0x0f, 0x11, 0x7c, 0x24, 0x18 }, 6, 6, false, 0 },
        /* pshufd $0x1b,0x30(%rip),%xmm1 */
        { { 0x66, 0x0f, 0x70, 0x0d, 0x30, 0, 0, 0, 0x1b }, 9, 9, true, 0x30 },
        /* jmp rel32 */
        { { 0xe9, 0x60, 0xfe, 0xff, 0xff }, 5, 5, false, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct x86_insn in;
        assert_int_equal(x86_decode(cases[i].bytes, cases[i].n, &in), 0);
        assert_int_equal(in.len, cases[i].len);
        assert_int_equal(in.riprel, cases[i].riprel);
        if (cases[i].riprel)
            assert_int_equal(in.disp, cases[i].disp);
        /* One byte short is truncated, never a shorter guess. */
        assert_int_equal(x86_decode(cases[i].bytes, cases[i].n - 1u, &in), -1);
    }
}

static void test_decode_refuses(void **state)
{
    (void)state;
    struct x86_insn in;
    static const uint8_t invalid64[] = { 0x06, 0x27, 0x60, 0x9a, 0xd4, 0xea };
    for (size_t i = 0; i < sizeof(invalid64); i++)
        assert_int_equal(x86_decode(&invalid64[i], 1, &in), -1);
    uint8_t prefixes[16];
    memset(prefixes, 0x66, sizeof(prefixes));
    assert_int_equal(x86_decode(prefixes, sizeof(prefixes), &in), -1);
    assert_int_equal(x86_decode(prefixes, 0, &in), -1);
    static const uint8_t threednow[] = { 0x0f, 0x0f, 0xc0, 0x9e };
    assert_int_equal(x86_decode(threednow, sizeof(threednow), &in), -1);
    size_t bad = 99;
    static const uint8_t code[] = { 0x90, 0x90, 0x06, 0x90 };
    assert_int_equal(x86_riprel_scan(code, sizeof(code), 0x1000, NULL, NULL, &bad), -1);
    assert_int_equal(bad, 2);
}

/* Random bytes: never a crash, never a length past the buffer. */
static void test_decode_random(void **state)
{
    (void)state;
    uint8_t buf[32];
    unsigned seed = 12345;
    for (int i = 0; i < 200000; i++) {
        for (size_t k = 0; k < sizeof(buf); k++) {
            seed = seed * 1103515245u + 12345u;
            buf[k] = (uint8_t)(seed >> 16);
        }
        size_t n = 1 + (seed >> 8) % 16;
        struct x86_insn in;
        if (x86_decode(buf, n, &in) == 0)
            assert_true(in.len >= 1 && in.len <= n && in.len <= 15);
    }
}

/* ---- fixtures ------------------------------------------------------------------------------ */

static struct {
    const char *dir, *gdir;
    char version[MAX_VERSIONS][64];
    int n;
} fx;

static int fixtures_setup(void **state)
{
    (void)state;
    fx.dir = getenv("GOBIN_DIR");
    fx.gdir = getenv("GLOBALS_DIR");
    fx.n = go_fixtures_versions(fx.dir, fx.version, MAX_VERSIONS);
    return 0;
}

static void need_fixtures(void)
{
    if (!fx.dir || !fx.gdir)
        skip();
    if (fx.n == 0)
        fail_msg("no *.version fixtures in %s", fx.dir);
}

static void fixture_path(char *p, size_t len, const char *dir, const char *v, const char *kind)
{
    int n = snprintf(p, len, "%s/%s-%s", dir, v, kind);
    if (n < 0 || (size_t)n >= len)
        fail_msg("fixture path %s/%s-%s does not fit %zu bytes", dir, v, kind, len);
}

struct sect {
    char name[32];
    uint64_t addr, size;
};

static size_t read_sections(const char *path, struct sect *s, size_t max)
{
    elf_version(EV_CURRENT);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    assert_non_null(e);
    size_t shstrndx, n = 0;
    assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL && n < max) {
        GElf_Shdr sh;
        assert_non_null(gelf_getshdr(scn, &sh));
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (name && (strcmp(name, ".data") == 0 || strcmp(name, ".bss") == 0 ||
                     strcmp(name, ".noptrdata") == 0 || strcmp(name, ".noptrbss") == 0)) {
            snprintf(s[n].name, sizeof(s[n].name), "%s", name);
            s[n].addr = sh.sh_addr;
            s[n++].size = sh.sh_size;
        }
    }
    elf_end(e);
    close(fd);
    return n;
}

/* -s -w changes the build settings recorded in the binary, so its data sections start a
 * few bytes away from the plain build's; their contents are laid out alike. Map a plain
 * address into the stripped file by its offset in the same-named section, after checking
 * that the two sections have the same size. */
static uint64_t map_address(const char *from, const char *to, uint64_t addr)
{
    struct sect a[8], b[8];
    size_t na = read_sections(from, a, 8), nb = read_sections(to, b, 8);
    for (size_t i = 0; i < na; i++) {
        if (addr < a[i].addr || addr - a[i].addr >= a[i].size)
            continue;
        for (size_t k = 0; k < nb; k++)
            if (strcmp(a[i].name, b[k].name) == 0) {
                assert_int_equal(a[i].size, b[k].size);
                return addr - a[i].addr + b[k].addr;
            }
    }
    fail_msg("%#" PRIx64 " is in no data section of %s", addr, from);
    return 0;
}

static void open_fixture(const char *path, struct go_binary **b, struct go_offsets *off)
{
    char msg[256];
    int rc = go_binary_open(path, b, msg, sizeof(msg));
    if (rc != 0)
        fail_msg("%s: %s", path, msg);
    go_offsets_cache_clear();
    rc = go_offsets_load(*b, path, off, msg, sizeof(msg));
    if (rc != 0)
        fail_msg("go_offsets_load %s: %s", path, msg);
}

/* Every global found in `path` equals its symbol in `nmfile` (mapped from `symfile` when
 * that is a different build). Returns how many were checked. */
static int check_static(const char *path, const char *symfile, const char *nmfile)
{
    struct go_binary *b = NULL;
    struct go_offsets off;
    open_fixture(path, &b, &off);
    struct go_globals g;
    memset(&g, 0, sizeof(g));
    char reason[256];
    int rc = go_globals_find(path, b, &off, &g, reason, sizeof(reason));
    if (rc != 0)
        fail_msg("go_globals_find %s: %s", path, reason);
    int n = 0;
    for (int i = 0; i < GO_GLOBAL_COUNT; i++) {
        const char *name = go_global_name((enum go_global)i);
        uint64_t want = go_fixtures_nm_addr(nmfile, name);
        /* Go 1.25 renamed runtime.ncpu to numCPUStartup; its code references are the
         * same, so the stripped search finds it under the old role. */
        if (want == 0 && i == GO_GLOBAL_NCPU)
            want = go_fixtures_nm_addr(nmfile, "runtime.numCPUStartup");
        if (want == 0) {
            /* Not in this version (runtime.ncpu became numCPUStartup in Go 1.25). */
            if (g.addr[i] != 0)
                fail_msg("%s: %s found at %#" PRIx64 " but the version has no such symbol",
                         path, name, g.addr[i]);
            continue;
        }
        if (strcmp(symfile, path) != 0)
            want = map_address(symfile, path, want);
        if (g.addr[i] != want)
            fail_msg("%s: %s found %#" PRIx64 " (%s), symbol says %#" PRIx64, path, name,
                     g.addr[i], g.why[i], want);
        assert_true(g.anchors[i] >= 2);
        n++;
    }
    go_binary_free(b);
    return n;
}

static void test_static_plain_and_pie(void **state)
{
    (void)state;
    need_fixtures();
    char path[512], nm[600];
    for (int v = 0; v < fx.n; v++) {
        static const char *const kinds[] = { "plain", "pie" };
        for (int k = 0; k < 2; k++) {
            fixture_path(path, sizeof(path), fx.dir, fx.version[v], kinds[k]);
            snprintf(nm, sizeof(nm), "%s.nm", path);
            assert_int_equal(check_static(path, path, nm), GO_GLOBAL_COUNT);
        }
    }
}

static void test_static_stripped(void **state)
{
    (void)state;
    need_fixtures();
    char path[512], plain[512], nm[600];
    for (int v = 0; v < fx.n; v++) {
        fixture_path(path, sizeof(path), fx.dir, fx.version[v], "stripped");
        fixture_path(plain, sizeof(plain), fx.dir, fx.version[v], "plain");
        snprintf(nm, sizeof(nm), "%s.nm", plain);
        assert_int_equal(check_static(path, plain, nm), GO_GLOBAL_COUNT);
        fixture_path(path, sizeof(path), fx.gdir, fx.version[v], "stripped-pie");
        fixture_path(plain, sizeof(plain), fx.dir, fx.version[v], "pie");
        snprintf(nm, sizeof(nm), "%s.nm", plain);
        assert_int_equal(check_static(path, plain, nm), GO_GLOBAL_COUNT);
    }
}

/* Every instruction boundary and RIP-relative target in .text, as objdump sees them. */
static void test_decode_matches_objdump(void **state)
{
    (void)state;
    need_fixtures();
    char path[512], listing[512];
    int compared = 0;
    for (int v = 0; v < fx.n; v++) {
        fixture_path(path, sizeof(path), fx.dir, fx.version[v], "plain");
        snprintf(listing, sizeof(listing), "%s/%s-plain.insns", fx.gdir, fx.version[v]);
        FILE *f = fopen(listing, "r");
        if (!f)
            continue;   /* the driver found no objdump */
        elf_version(EV_CURRENT);
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        Elf *e = elf_begin(fd, ELF_C_READ, NULL);
        size_t shstrndx;
        assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
        Elf_Scn *scn = NULL;
        GElf_Shdr sh;
        Elf_Data *d = NULL;
        while ((scn = elf_nextscn(e, scn)) != NULL) {
            assert_non_null(gelf_getshdr(scn, &sh));
            if (strcmp(elf_strptr(e, shstrndx, sh.sh_name), ".text") == 0) {
                d = elf_getdata(scn, NULL);
                break;
            }
        }
        assert_non_null(d);
        const uint8_t *code = d->d_buf;
        size_t off = 0, lines = 0;
        char line[128];
        while (fgets(line, sizeof(line), f)) {
            uint64_t a, t = 0;
            int nf = sscanf(line, "%" SCNx64 " %" SCNx64, &a, &t);
            assert_true(nf >= 1);
            struct x86_insn in;
            if (a != sh.sh_addr + off)
                fail_msg("%s: objdump has an instruction at %#" PRIx64 ", decoder at %#"
                         PRIx64, path, a, sh.sh_addr + off);
            assert_int_equal(x86_decode(code + off, d->d_size - off, &in), 0);
            assert_int_equal(in.riprel, nf == 2);
            if (nf == 2)
                assert_int_equal(a + in.len + (uint64_t)(int64_t)in.disp, t);
            off += in.len;
            lines++;
        }
        assert_int_equal(off, d->d_size);
        assert_true(lines > 10000);
        fclose(f);
        elf_end(e);
        close(fd);
        compared++;
    }
    if (compared == 0)
        skip();
}

/* ---- live: the stripped fixtures running with GOMAXPROCS=3 -------------------------------- */

static pid_t start_fixture(const char *path)
{
    char real[4096];
    assert_non_null(realpath(path, real));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        setenv("GOMAXPROCS", "3", 1);
        execl(real, real, "30", (char *)NULL);
        _exit(127);
    }
    /* Until exec has happened, /proc/PID/exe is still this test program; then give the
     * runtime time to start its Ps and goroutines. */
    char exe[4096], link[64];
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
    for (int i = 0; i < 200; i++) {
        ssize_t n = readlink(link, exe, sizeof(exe) - 1);
        if (n > 0) {
            exe[n] = '\0';
            if (strcmp(exe, real) == 0)
                break;
        }
        usleep(10000);
    }
    usleep(300000);
    return pid;
}

static void stop_fixture(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void check_live(const char *path)
{
    struct go_binary *b = NULL;
    struct go_offsets off, want;
    open_fixture(path, &b, &off);
    for (int i = 0; i < GO_GLOBAL_COUNT; i++)
        assert_int_equal(off.global[i], 0);   /* stripped: nothing from symbols */
    struct go_globals g;
    memset(&g, 0, sizeof(g));
    char reason[1024];
    assert_int_equal(go_globals_find(path, b, &off, &g, reason, sizeof(reason)), 0);
    want = off;
    memcpy(want.global, g.addr, sizeof(want.global));

    pid_t pid = start_fixture(path);
    uint64_t bias = 0;
    int brc = go_binary_load_bias(b, pid, &bias);
    struct mem_reader mem = target_mem_live(&pid);
    int rc = brc == 0 ? go_globals_resolve(path, b, &off, &mem, bias, pid, reason,
                                           sizeof(reason)) : brc;
    int32_t gmp = -1;
    uint64_t allp[3] = { 0 };
    if (rc == 0 && off.global[GO_GLOBAL_GOMAXPROCS])
        target_mem_read(&mem, off.global[GO_GLOBAL_GOMAXPROCS] + bias, &gmp, 4);
    if (rc == 0)
        target_mem_read(&mem, off.global[GO_GLOBAL_ALLP] + bias, allp, sizeof(allp));
    stop_fixture(pid);
    bool pie = go_binary_is_pie(b);
    go_binary_free(b);

    if (brc != 0)
        fail_msg("%s: go_binary_load_bias: %s", path, strerror(-brc));
    if (rc != 0)
        fail_msg("%s: go_globals_resolve %d: %s", path, rc, reason);
    if (reason[0])
        fail_msg("%s: left unknown: %s", path, reason);
    for (int i = 0; i < GO_GLOBAL_COUNT; i++)
        assert_int_equal(off.global[i], want.global[i]);
    assert_int_equal(gmp, 3);
    assert_int_equal(allp[1], 3);
    assert_int_equal(pie ? bias != 0 : bias == 0, 1);
}

static void test_live_stripped(void **state)
{
    (void)state;
    need_fixtures();
    char path[512];
    for (int v = 0; v < fx.n; v++) {
        fixture_path(path, sizeof(path), fx.dir, fx.version[v], "stripped");
        check_live(path);
        fixture_path(path, sizeof(path), fx.gdir, fx.version[v], "stripped-pie");
        check_live(path);
    }
}

/* ---- live checks on hand-made memory ------------------------------------------------------ */

#define IMG_BASE 0x100000u
#define IMG_SIZE 0x10000u
#define A_ALLP 0x20u
#define A_GOMAXPROCS 0x40u
#define A_ARRAY 0x100u
#define A_SCHED 0x200u

static uint8_t img[IMG_SIZE];

static void put64(uint32_t at, uint64_t v) { memcpy(img + at, &v, 8); }
static void put32(uint32_t at, uint32_t v) { memcpy(img + at, &v, 4); }

/* Three Ps with the given ids, allp and gomaxprocs (= gmp), and a sane sched. */
static void make_image(const uint32_t ids[3], uint32_t gmp, struct go_offsets *off)
{
    memset(off, 0, sizeof(*off));
    assert_true(go_offsets_from_table("go1.22.12", off) >= 0);
    memset(img, 0, sizeof(img));
    put64(A_ALLP, IMG_BASE + A_ARRAY);
    put64(A_ALLP + 8, 3);
    put64(A_ALLP + 16, 3);
    put32(A_GOMAXPROCS, gmp);
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t p = 0x1000u + i * 0x1000u;
        put64(A_ARRAY + 8 * i, IMG_BASE + p);
        put32(p + (uint32_t)off->field[GO_P_ID], ids[i]);
        put32(p + (uint32_t)off->field[GO_P_STATUS], i == 0 ? 1 : 0);
    }
    put32(A_SCHED + (uint32_t)off->field[GO_SCHED_NPIDLE], 2);
    put64(A_SCHED + (uint32_t)off->field[GO_SCHED_MNEXT], 5);
    put32(A_SCHED + (uint32_t)off->field[GO_SCHED_NMIDLE], 2);
}

static int verify_image(struct go_globals *g, const struct go_offsets *off)
{
    memset(g, 0, sizeof(*g));
    g->addr[GO_GLOBAL_ALLP] = A_ALLP;
    g->addr[GO_GLOBAL_GOMAXPROCS] = A_GOMAXPROCS;
    g->addr[GO_GLOBAL_SCHED] = A_SCHED;
    struct mem_image mi = { .base = IMG_BASE, .data = img, .len = sizeof(img) };
    struct mem_reader r = target_mem_image(&mi);
    /* Link-time addresses are image offsets: the bias is the image base, as for a PIE. */
    return go_globals_verify(g, off, &r, IMG_BASE, 0);
}

static void test_image_good(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    assert_int_equal(verify_image(&g, &off), 3);
    assert_true(g.verified[GO_GLOBAL_ALLP] && g.verified[GO_GLOBAL_GOMAXPROCS] &&
                g.verified[GO_GLOBAL_SCHED]);
    assert_int_equal(g.addr[GO_GLOBAL_ALLP], A_ALLP);
}

static void test_image_wrong_ids(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    make_image((const uint32_t[3]){ 0, 2, 1 }, 3, &off);
    assert_int_equal(verify_image(&g, &off), 1);   /* sched alone, bounded by 4096 Ps */
    assert_int_equal(g.addr[GO_GLOBAL_ALLP], 0);
    assert_false(g.verified[GO_GLOBAL_ALLP]);
    assert_non_null(strstr(g.why[GO_GLOBAL_ALLP], "element 1 has id 2"));
    assert_int_equal(g.addr[GO_GLOBAL_GOMAXPROCS], 0);
    assert_non_null(strstr(g.why[GO_GLOBAL_GOMAXPROCS], "allp failed"));
}

static void test_image_len_mismatch(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    make_image((const uint32_t[3]){ 0, 1, 2 }, 4, &off);
    verify_image(&g, &off);
    assert_int_equal(g.addr[GO_GLOBAL_ALLP], 0);
    assert_non_null(strstr(g.why[GO_GLOBAL_ALLP], "len 3 but gomaxprocs 4"));
    assert_int_equal(g.addr[GO_GLOBAL_GOMAXPROCS], 0);
}

static void test_image_garbage(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    /* Idle Ps outnumbering Ps: not sched. */
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    put32(A_SCHED + (uint32_t)off.field[GO_SCHED_NPIDLE], 1000);
    assert_int_equal(verify_image(&g, &off), 2);
    assert_int_equal(g.addr[GO_GLOBAL_SCHED], 0);
    assert_non_null(strstr(g.why[GO_GLOBAL_SCHED], "implausible"));
    /* A slice pointing outside memory, and one of length 0. */
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    put64(A_ALLP, 0xdead0000u);
    verify_image(&g, &off);
    assert_non_null(strstr(g.why[GO_GLOBAL_ALLP], "unreadable"));
    make_image((const uint32_t[3]){ 0, 1, 2 }, 0, &off);
    put64(A_ALLP + 8, 0);
    verify_image(&g, &off);
    assert_non_null(strstr(g.why[GO_GLOBAL_ALLP], "not a P slice"));
    /* P status out of range. */
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    put32(0x2000u + (uint32_t)off.field[GO_P_STATUS], 77);
    verify_image(&g, &off);
    assert_non_null(strstr(g.why[GO_GLOBAL_ALLP], "status 77"));
}

/* Random memory at random addresses: every global rejected or not, never a crash. */
static void test_image_random(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    unsigned seed = 777;
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    struct mem_image mi = { .base = IMG_BASE, .data = img, .len = sizeof(img) };
    struct mem_reader r = target_mem_image(&mi);
    for (int round = 0; round < 300; round++) {
        for (size_t i = 0; i < sizeof(img); i += 4) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly small numbers and pointers into the image, as real memory has. */
            uint32_t v = seed >> 8;
            if (seed & 1)
                v = (v & 7) == 0 ? IMG_BASE + (v % IMG_SIZE & ~7u) : v & 0xf;
            memcpy(img + i, &v, 4);
        }
        memset(&g, 0, sizeof(g));
        for (int k = 0; k < GO_GLOBAL_COUNT; k++) {
            seed = seed * 1103515245u + 12345u;
            g.addr[k] = 8 + (seed >> 8) % (IMG_SIZE - 64);
        }
        int n = go_globals_verify(&g, &off, &r, IMG_BASE, 1);
        assert_true(n >= 0 && n <= GO_GLOBAL_COUNT);
        assert_false(g.verified[GO_GLOBAL_ALLP] && g.verified[GO_GLOBAL_M0]);
    }
}

static int gone_readv(void *ctx, const struct mem_req *reqs, size_t n)
{
    (void)ctx;
    (void)reqs;
    (void)n;
    return -ESRCH;
}

static void test_reader_errors(void **state)
{
    (void)state;
    struct go_offsets off;
    struct go_globals g;
    make_image((const uint32_t[3]){ 0, 1, 2 }, 3, &off);
    memset(&g, 0, sizeof(g));
    g.addr[GO_GLOBAL_ALLP] = A_ALLP;
    struct mem_reader gone = { .readv = gone_readv, .ctx = NULL };
    assert_int_equal(go_globals_verify(&g, &off, &gone, 0, 0), -ESRCH);
    char reason[128];
    assert_int_equal(go_globals_resolve("/nonexistent", NULL, &off, NULL, 0, 0, reason,
                                        sizeof(reason)), GO_GLOBALS_ERR_READ);
    assert_int_equal(go_globals_find("/nonexistent", NULL, &off, &g, reason, sizeof(reason)),
                     GO_GLOBALS_ERR_OPEN);
    assert_non_null(strstr(reason, "no binary"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_known),
        cmocka_unit_test(test_decode_refuses),
        cmocka_unit_test(test_decode_random),
        cmocka_unit_test(test_image_good),
        cmocka_unit_test(test_image_wrong_ids),
        cmocka_unit_test(test_image_len_mismatch),
        cmocka_unit_test(test_image_garbage),
        cmocka_unit_test(test_image_random),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_decode_matches_objdump),
        cmocka_unit_test(test_static_plain_and_pie),
        cmocka_unit_test(test_static_stripped),
        cmocka_unit_test(test_live_stripped),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, NULL);
}
