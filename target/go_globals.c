/* go_globals: find the Go runtime's globals in a stripped binary from the machine code
 * that uses them, then check each one against the live process before trusting it. */
#include "target/go_globals.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/x86_riprel.h"

#define MAX_FUNC_BYTES (256u * 1024u)   /* anchors are small; bigger means a bad table */
#define MAX_ANCHORS 5
#define MAX_MEMBERS 5

/* ---- the anchors ------------------------------------------------------------------------ */

/* Go's linker keeps pointer-free variables apart (.noptrdata/.noptrbss) from those the
 * GC must scan (.data/.bss); knowing which side a global lives on rules out neighbours. */
enum sect_kind { SK_PTR = 1, SK_NOPTR = 2 };

/* A member offset inside the global: a layout field, or a literal for layouts Go has not
 * changed (a slice's ptr at 0 and len at 8). */
struct member {
    int16_t field;   /* enum go_field, or -1 for lit */
    int32_t lit;
};
#define LIT(n) { -1, (n) }
#define FLD(f) { (f), 0 }

/* A function that touches the global at every listed member offset, RIP-relatively. */
struct anchor {
    const char *func;
    uint8_t n;
    struct member m[MAX_MEMBERS];
};

struct rule {
    enum go_global g;
    uint8_t sect;
    uint32_t size;          /* bytes the global spans, when no layout field says */
    int16_t size_field;     /* enum go_field giving the size, or -1 */
    struct anchor a[MAX_ANCHORS];
};

/* Chosen by disassembling Go 1.19, 1.22 and 1.23 and kept only where every version uses
 * the global at these offsets. Functions with an assembly (ABI0) twin, such as
 * runtime.osinit, are avoided: .gopclntab names both alike. Order matters: a global found earlier is excluded from
 * later candidates (allm's anchors also all touch sched.lock). */
static const struct rule rules[] = {
    { GO_GLOBAL_ALLP, SK_PTR, 24, -1, {
        { "runtime.retake", 2, { LIT(0), LIT(8) } },
        { "runtime.schedtrace", 2, { LIT(0), LIT(8) } },
        { "runtime.preemptall", 2, { LIT(0), LIT(8) } },
        { "runtime.gcMarkTinyAllocs", 2, { LIT(0), LIT(8) } },
        { "runtime.checkdead", 2, { LIT(0), LIT(8) } } } },
    { GO_GLOBAL_SCHED, SK_PTR, 0, GO_SCHED_SIZE, {
        { "runtime.retake", 2, { FLD(GO_SCHED_NPIDLE), FLD(GO_SCHED_NMSPINNING) } },
        { "runtime.schedtrace", 2, { FLD(GO_SCHED_NPIDLE), FLD(GO_SCHED_NMSPINNING) } },
        { "sync.runtime_canSpin", 2, { FLD(GO_SCHED_NPIDLE), FLD(GO_SCHED_NMSPINNING) } } } },
    { GO_GLOBAL_GOMAXPROCS, SK_NOPTR, 4, -1, {
        { "sync.runtime_canSpin", 1, { LIT(0) } },
        { "runtime.GOMAXPROCS", 1, { LIT(0) } },
        { "runtime.schedtrace", 1, { LIT(0) } },
        { "runtime.procresize", 1, { LIT(0) } } } },
    { GO_GLOBAL_NCPU, SK_NOPTR, 4, -1, {
        { "sync.runtime_canSpin", 1, { LIT(0) } },
        { "runtime.lock2", 1, { LIT(0) } },
        { "runtime.gcStart", 1, { LIT(0) } } } },
    { GO_GLOBAL_ALLGS, SK_PTR, 24, -1, {
        { "runtime.forEachG", 2, { LIT(0), LIT(8) } },
        { "runtime.allgadd", 3, { LIT(0), LIT(8), LIT(16) } },
        { "runtime.gcMarkRootPrepare", 2, { LIT(0), LIT(8) } } } },
    { GO_GLOBAL_ALLGLEN, SK_NOPTR, 8, -1, {
        { "runtime.forEachGRace", 1, { LIT(0) } },
        { "runtime.allgadd", 1, { LIT(0) } } } },
    { GO_GLOBAL_M0, SK_PTR, 0, GO_M_SIZE, {
        { "runtime.mstart1", 1, { LIT(0) } },
        { "runtime.mexit", 1, { LIT(0) } } } },
    { GO_GLOBAL_ALLM, SK_PTR, 8, -1, {
        { "runtime.mcommoninit", 1, { LIT(0) } },
        { "runtime.mexit", 1, { LIT(0) } },
        { "runtime.schedtrace", 1, { LIT(0) } } } },
    { GO_GLOBAL_WAITREASONSTRINGS, SK_PTR, 16, -1, {
        { "runtime.waitReason.String", 1, { LIT(0) } },
        { "runtime.goroutineheader", 1, { LIT(0) } } } },
    { GO_GLOBAL_MEMSTATS, SK_NOPTR, 8, -1, {
        { "runtime.gcMarkTermination", 3,
          { FLD(GO_MSTATS_NUMGC), FLD(GO_MSTATS_PAUSE_TOTAL_NS), FLD(GO_MSTATS_LAST_GC_UNIX) } },
        { "runtime.(*gcCPULimiterState).accumulate", 1, { FLD(GO_MSTATS_NUMGC) } },
        { "runtime.(*gcCPULimiterState).resetCapacity", 1, { FLD(GO_MSTATS_NUMGC) } } } },
};

/* ---- the ELF file ------------------------------------------------------------------------ */

struct range {
    uint64_t addr, size;
    uint8_t kind;
};

struct elf_view {
    int fd;
    uint64_t text_addr, text_off, text_size;
    struct range data[4];
    size_t ndata;
};

static int view_open(const char *path, struct elf_view *v, char *reason, size_t len)
{
    memset(v, 0, sizeof(*v));
    v->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (v->fd < 0) {
        util_reason(reason, len, "open %s: %s", path, strerror(errno));
        return GO_GLOBALS_ERR_OPEN;
    }
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(v->fd, ELF_C_READ, NULL);
    size_t shstrndx;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) != 0) {
        util_reason(reason, len, "%s: not a readable ELF file (%s)", path, elf_errmsg(-1));
        if (e)
            elf_end(e);
        close(v->fd);
        v->fd = -1;
        return GO_GLOBALS_ERR_ELF;
    }
    static const struct { const char *name; uint8_t kind; } data_names[] = {
        { ".data", SK_PTR }, { ".bss", SK_PTR },
        { ".noptrdata", SK_NOPTR }, { ".noptrbss", SK_NOPTR },
    };
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name)
            continue;
        if (strcmp(name, ".text") == 0 && sh.sh_type == SHT_PROGBITS) {
            v->text_addr = sh.sh_addr;
            v->text_off = sh.sh_offset;
            v->text_size = sh.sh_size;
        }
        for (size_t i = 0; i < sizeof(data_names) / sizeof(data_names[0]); i++)
            if (strcmp(name, data_names[i].name) == 0 && v->ndata < 4)
                v->data[v->ndata++] = (struct range){ sh.sh_addr, sh.sh_size,
                                                      data_names[i].kind };
    }
    elf_end(e);
    if (!v->text_size || !v->ndata) {
        util_reason(reason, len, "%s: no .text or no Go data sections", path);
        close(v->fd);
        v->fd = -1;
        return GO_GLOBALS_ERR_ELF;
    }
    return 0;
}

static bool in_data(const struct elf_view *v, uint64_t addr, uint8_t kind)
{
    for (size_t i = 0; i < v->ndata; i++)
        if ((v->data[i].kind & kind) && addr >= v->data[i].addr &&
            addr - v->data[i].addr < v->data[i].size)
            return true;
    return false;
}

/* ---- decoding one anchor ---------------------------------------------------------------- */

struct addr_set {
    uint64_t *v;
    size_t n, cap;
};

static int set_add(struct addr_set *s, uint64_t a)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == a)
            return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        uint64_t *nv = realloc(s->v, cap * sizeof(*nv));
        if (!nv)
            return -ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = a;
    return 0;
}

static bool set_has(const struct addr_set *s, uint64_t a)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == a)
            return true;
    return false;
}

struct collect {
    const struct elf_view *v;
    uint8_t kind;
    struct addr_set targets;
};

static int collect_cb(void *ctx, uint64_t insn_addr, uint64_t target)
{
    (void)insn_addr;
    struct collect *c = ctx;
    return in_data(c->v, target, c->kind) ? set_add(&c->targets, target) : 0;
}

static bool member_offset(const struct member *m, const struct go_offsets *off, int64_t *out)
{
    if (m->field < 0) {
        *out = m->lit;
        return true;
    }
    *out = off->field[m->field];
    return *out >= 0;
}

/* The addresses b for which the function touches b + every member offset. Returns 0,
 * 1 when the function is absent (not an error: it may have been inlined or renamed), or
 * a negative value with why. */
static int anchor_candidates(const struct elf_view *v, const struct go_binary *bin,
                             const struct go_offsets *off, const struct anchor *a,
                             uint8_t kind, struct addr_set *out, char *why, size_t wlen)
{
    int64_t mo[MAX_MEMBERS];
    if (a->n == 0 || a->n > MAX_MEMBERS) {
        util_reason(why, wlen, "%s: anchor with %u members", a->func, (unsigned)a->n);
        return -1;
    }
    for (uint8_t i = 0; i < a->n; i++)
        if (!member_offset(&a->m[i], off, &mo[i])) {
            util_reason(why, wlen, "layout of %s unknown", go_field_spec(a->m[i].field)->id);
            return -1;
        }
    uint64_t faddr = 0, fsize = 0;
    if (go_binary_lookup(bin, a->func, &faddr, &fsize) != 0)
        return 1;
    if (fsize == 0 || fsize > MAX_FUNC_BYTES || faddr < v->text_addr ||
        faddr - v->text_addr > v->text_size || fsize > v->text_size - (faddr - v->text_addr)) {
        util_reason(why, wlen, "%s has implausible bounds", a->func);
        return -1;
    }
    uint8_t *code = malloc(fsize);
    if (!code)
        return -ENOMEM;
    ssize_t got = pread(v->fd, code, fsize, (off_t)(v->text_off + (faddr - v->text_addr)));
    if (got != (ssize_t)fsize) {
        util_reason(why, wlen, "pread %s: %s", a->func, got < 0 ? strerror(errno) : "short");
        free(code);
        return -1;
    }
    struct collect c = { .v = v, .kind = kind };
    size_t bad = 0;
    int rc = x86_riprel_scan(code, fsize, faddr, collect_cb, &c, &bad);
    free(code);
    if (rc != 0) {
        if (rc == -1)
            util_reason(why, wlen, "%s+%#zx: undecodable instruction", a->func, bad);
        free(c.targets.v);
        return rc == -ENOMEM ? -ENOMEM : -1;
    }
    rc = 0;
    for (size_t i = 0; i < c.targets.n && rc == 0; i++) {
        uint64_t base = c.targets.v[i] - (uint64_t)mo[0];
        bool all = true;
        for (uint8_t k = 1; k < a->n && all; k++)
            all = set_has(&c.targets, base + (uint64_t)mo[k]);
        if (all)
            rc = set_add(out, base);
    }
    free(c.targets.v);
    return rc;
}

/* ---- finding ------------------------------------------------------------------------------ */

static uint64_t rule_extent(const struct rule *r, const struct go_offsets *off)
{
    uint64_t size = r->size;
    if (r->size_field >= 0 && off->field[r->size_field] > 0)
        size = (uint64_t)off->field[r->size_field];
    if (r->g == GO_GLOBAL_WAITREASONSTRINGS && off->field[GO_WAITREASONSTRINGS_LEN] > 0)
        size = 16 * (uint64_t)off->field[GO_WAITREASONSTRINGS_LEN];
    for (int i = 0; i < MAX_ANCHORS && r->a[i].func; i++)
        for (uint8_t k = 0; k < r->a[i].n; k++) {
            int64_t mo;
            if (member_offset(&r->a[i].m[k], off, &mo) && (uint64_t)mo + 1 > size)
                size = (uint64_t)mo + 1;
        }
    return size ? size : 1;
}

static const struct rule *rule_for(enum go_global g)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].g == g)
            return &rules[i];
    return NULL;
}

/* Inside a global already known (another variable's member, not this one). */
static bool inside_known(const struct go_globals *out, const struct go_offsets *off,
                         enum go_global self, uint64_t a)
{
    for (int g = 0; g < GO_GLOBAL_COUNT; g++) {
        const struct rule *r = rule_for((enum go_global)g);
        if (g == (int)self || !out->addr[g] || !r)
            continue;
        if (a >= out->addr[g] && a - out->addr[g] < rule_extent(r, off))
            return true;
    }
    return false;
}

static int find_one(const struct elf_view *v, const struct go_binary *bin,
                    const struct go_offsets *off, const struct rule *r, struct go_globals *out)
{
    char *why = out->why[r->g];
    size_t wlen = sizeof(out->why[r->g]);
    struct addr_set common = { 0 };
    int used = 0, rc = 0;
    for (int i = 0; i < MAX_ANCHORS && r->a[i].func && rc == 0; i++) {
        struct addr_set cand = { 0 };
        int arc = anchor_candidates(v, bin, off, &r->a[i], r->sect, &cand, why, wlen);
        if (arc < 0) {
            rc = arc;
        } else if (arc == 0 && used == 0) {
            common = cand;          /* the first anchor's candidates, kept */
            cand.v = NULL;
        } else if (arc == 0) {
            size_t keep = 0;        /* intersect with each further anchor */
            for (size_t k = 0; k < common.n; k++)
                if (set_has(&cand, common.v[k]))
                    common.v[keep++] = common.v[k];
            common.n = keep;
        }
        if (arc == 0)
            used++;
        free(cand.v);
    }
    if (rc == 0) {
        size_t keep = 0;
        for (size_t k = 0; k < common.n; k++)
            if (!inside_known(out, off, r->g, common.v[k]))
                common.v[keep++] = common.v[k];
        common.n = keep;
        if (used < 2)
            util_reason(why, wlen, "only %d of its anchor functions in the binary", used);
        else if (common.n == 0)
            util_reason(why, wlen, "its %d anchor functions disagree", used);
        else if (common.n > 1)
            util_reason(why, wlen, "%zu addresses fit its %d anchor functions", common.n, used);
        else {
            out->addr[r->g] = common.v[0];
            out->anchors[r->g] = (uint8_t)used;
            why[0] = '\0';
        }
    }
    free(common.v);
    return rc == -ENOMEM ? rc : 0;
}

int go_globals_find(const char *path, const struct go_binary *bin, const struct go_offsets *off,
                    struct go_globals *out, char *reason, size_t len)
{
    util_reason(reason, len, "%s", "");
    if (!path || !bin || !off || !out) {
        util_reason(reason, len, "no binary");
        return GO_GLOBALS_ERR_OPEN;
    }
    struct elf_view v;
    int rc = view_open(path, &v, reason, len);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && rc == 0; i++)
        if (!out->addr[rules[i].g])
            rc = find_one(&v, bin, off, &rules[i], out);
    close(v.fd);
    if (rc == -ENOMEM) {
        util_reason(reason, len, "out of memory decoding %s", path);
        return GO_GLOBALS_ERR_OPEN;
    }
    return 0;
}

/* ---- checking against the live process ---------------------------------------------------- */

#define MAX_PROCS 4096          /* allp longer than this is not a P table */
#define MAX_ALLGS (1u << 24)
#define MAX_MS 100000

struct live {
    const struct mem_reader *mem;
    uint64_t bias;
    const struct go_offsets *off;
    struct go_globals *g;
    int err;                    /* first -errno from the reader other than a short read */
};

/* 0, or -EFAULT for an unreadable address; other errors are kept in l->err. */
static int rd(struct live *l, uint64_t runtime_addr, void *buf, size_t len)
{
    int rc = target_mem_read(l->mem, runtime_addr, buf, len);
    if (rc < 0 && rc != -EFAULT && !l->err)
        l->err = rc;
    return rc;
}

static uint64_t at(struct live *l, enum go_global g)
{
    return l->g->addr[g] + l->bias;
}

static int reject(struct live *l, enum go_global g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(struct live *l, enum go_global g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->g->why[g], sizeof(l->g->why[g]), fmt, ap);
    va_end(ap);
    l->g->verified[g] = false;
    return -1;
}

/* Read `width` bytes (1, 4 or 8) at base + field as an unsigned number. */
static int rd_field(struct live *l, uint64_t base, enum go_field f, uint64_t *out)
{
    int64_t o = l->off->field[f];
    size_t w = l->off->width[f] ? l->off->width[f] : 4;
    if (o < 0 || (w != 1 && w != 4 && w != 8))
        return -ENOENT;
    uint8_t b[8] = { 0 };
    int rc = rd(l, base + (uint64_t)o, b, w);
    if (rc < 0)
        return rc;
    uint64_t v = 0;
    memcpy(&v, b, w);   /* little-endian target and host */
    *out = v;
    return 0;
}

struct slice {
    uint64_t ptr, len, cap;
};

/* allp: {ptr,len,cap} of Ps whose id is their index and whose status is a P status. */
static int check_allp(struct live *l, struct slice *s)
{
    const enum go_global G = GO_GLOBAL_ALLP;
    if (rd(l, at(l, G), s, sizeof(*s)) < 0)
        return reject(l, G, "unreadable at %#" PRIx64, at(l, G));
    if (s->len < 1 || s->len > s->cap || s->cap > MAX_PROCS || !s->ptr)
        return reject(l, G, "not a P slice (len %" PRIu64 ", cap %" PRIu64 ")", s->len,
                      s->cap);
    uint64_t ps[MAX_PROCS];
    if (rd(l, s->ptr, ps, s->len * 8) < 0)
        return reject(l, G, "its array at %#" PRIx64 " is unreadable", s->ptr);
    for (uint64_t i = 0; i < s->len; i++) {
        uint64_t id, status;
        if (!ps[i] || rd_field(l, ps[i], GO_P_ID, &id) < 0 ||
            rd_field(l, ps[i], GO_P_STATUS, &status) < 0)
            return reject(l, G, "element %" PRIu64 " is not a readable P", i);
        if (id != i || status > 4)
            return reject(l, G, "element %" PRIu64 " has id %" PRIu64 " status %" PRIu64
                          ": not a P table", i, id, status);
    }
    return 0;
}

/* allp and gomaxprocs vouch for each other: len(allp) == gomaxprocs outside the brief
 * stop-the-world of procresize, so a mismatch is retried before it counts. */
static void verify_procs(struct live *l, uint64_t *nprocs)
{
    struct go_globals *g = l->g;
    *nprocs = 0;
    if (!g->addr[GO_GLOBAL_ALLP]) {
        if (g->addr[GO_GLOBAL_GOMAXPROCS])
            reject(l, GO_GLOBAL_GOMAXPROCS, "no runtime.allp to check it against");
        return;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        struct slice s;
        if (check_allp(l, &s) < 0) {
            if (g->addr[GO_GLOBAL_GOMAXPROCS])
                reject(l, GO_GLOBAL_GOMAXPROCS, "runtime.allp failed its check");
            return;
        }
        if (!g->addr[GO_GLOBAL_GOMAXPROCS]) {
            g->verified[GO_GLOBAL_ALLP] = true;
            *nprocs = s.len;
            return;
        }
        int32_t gmp;
        if (rd(l, at(l, GO_GLOBAL_GOMAXPROCS), &gmp, 4) < 0) {
            reject(l, GO_GLOBAL_GOMAXPROCS, "unreadable");
            g->verified[GO_GLOBAL_ALLP] = true;
            *nprocs = s.len;
            return;
        }
        if ((uint64_t)gmp == s.len) {
            g->verified[GO_GLOBAL_ALLP] = g->verified[GO_GLOBAL_GOMAXPROCS] = true;
            *nprocs = s.len;
            return;
        }
        if (attempt == 2) {
            reject(l, GO_GLOBAL_ALLP, "len %" PRIu64 " but gomaxprocs %" PRId32, s.len, gmp);
            reject(l, GO_GLOBAL_GOMAXPROCS, "%" PRId32 " but len(allp) %" PRIu64, gmp, s.len);
        }
        usleep(1000);
    }
}

/* sched: counters bounded by the number of Ps and Ms. */
static void verify_sched(struct live *l, uint64_t nprocs, uint64_t *mnext)
{
    const enum go_global G = GO_GLOBAL_SCHED;
    uint64_t base = at(l, G), npidle, nmspin, nmidle, mn, rq = 0;
    *mnext = 0;
    enum go_field rqf = l->off->field[GO_SCHED_RUNQSIZE] >= 0 ? GO_SCHED_RUNQSIZE
                                                             : GO_SCHED_RUNQ_SIZE;
    if (rd_field(l, base, GO_SCHED_NPIDLE, &npidle) < 0 ||
        rd_field(l, base, GO_SCHED_NMSPINNING, &nmspin) < 0 ||
        rd_field(l, base, GO_SCHED_NMIDLE, &nmidle) < 0 ||
        rd_field(l, base, GO_SCHED_MNEXT, &mn) < 0 || rd_field(l, base, rqf, &rq) < 0) {
        reject(l, G, "unreadable, or its layout is unknown");
        return;
    }
    uint64_t maxp = nprocs ? nprocs : MAX_PROCS;
    if (npidle > maxp || nmspin > maxp || (uint32_t)rq > (1u << 28) || mn < 1 ||
        mn > MAX_MS || (uint32_t)nmidle > mn) {
        reject(l, G, "implausible: npidle %" PRIu64 " nmspinning %" PRIu64 " runqsize %"
               PRIu64 " nmidle %" PRIu64 " mnext %" PRIu64 " with %" PRIu64 " Ps", npidle,
               nmspin, rq, nmidle, mn, maxp);
        return;
    }
    l->g->verified[G] = true;
    *mnext = mn;
}

/* allgs and allglen agree (allgadd publishes both under a lock; retry a race), the first
 * G is the main goroutine (goid 1) and statuses are G statuses (up to Go 1.26's 11). */
static void verify_allgs(struct live *l)
{
    struct go_globals *g = l->g;
    if (!g->addr[GO_GLOBAL_ALLGS]) {
        if (g->addr[GO_GLOBAL_ALLGLEN])
            reject(l, GO_GLOBAL_ALLGLEN, "no runtime.allgs to check it against");
        return;
    }
    struct slice s;
    uint64_t glen = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (rd(l, at(l, GO_GLOBAL_ALLGS), &s, sizeof(s)) < 0 ||
            (g->addr[GO_GLOBAL_ALLGLEN] && rd(l, at(l, GO_GLOBAL_ALLGLEN), &glen, 8) < 0)) {
            reject(l, GO_GLOBAL_ALLGS, "unreadable");
            reject(l, GO_GLOBAL_ALLGLEN, "unreadable, or runtime.allgs is");
            return;
        }
        if (!g->addr[GO_GLOBAL_ALLGLEN] || glen == s.len)
            break;
        usleep(1000);
    }
    /* Go 1.26 added _Gleaked (10) and _Gdeadextra (11, a cgo extra M's goroutine). */
    enum { G_STATUS_MAX = 11 };
    uint64_t p[16], goid, status;
    size_t n = s.len < 16 ? s.len : 16;
    bool ok = s.len >= 1 && s.len <= s.cap && s.cap <= MAX_ALLGS && s.ptr &&
              rd(l, s.ptr, p, n * 8) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = p[i] && rd_field(l, p[i], GO_G_GOID, &goid) == 0 &&
             rd_field(l, p[i], GO_G_ATOMICSTATUS, &status) == 0 &&
             (status & ~0x1000u) <= G_STATUS_MAX && (i > 0 || goid == 1);
    if (!ok) {
        reject(l, GO_GLOBAL_ALLGS, "not a G slice starting with goroutine 1");
        if (g->addr[GO_GLOBAL_ALLGLEN])
            reject(l, GO_GLOBAL_ALLGLEN, "runtime.allgs failed its check");
        return;
    }
    g->verified[GO_GLOBAL_ALLGS] = true;
    if (!g->addr[GO_GLOBAL_ALLGLEN])
        return;
    if (glen != s.len)
        reject(l, GO_GLOBAL_ALLGLEN, "%" PRIu64 " but len(allgs) %" PRIu64, glen, s.len);
    else
        g->verified[GO_GLOBAL_ALLGLEN] = true;
}

/* m0 has id 0 and runs on the main thread; allm is a list of Ms ending at m0. */
static void verify_ms(struct live *l, pid_t pid, uint64_t mnext)
{
    struct go_globals *g = l->g;
    if (g->addr[GO_GLOBAL_M0]) {
        uint64_t id, procid;
        if (rd_field(l, at(l, GO_GLOBAL_M0), GO_M_ID, &id) < 0 ||
            rd_field(l, at(l, GO_GLOBAL_M0), GO_M_PROCID, &procid) < 0)
            reject(l, GO_GLOBAL_M0, "unreadable, or its layout is unknown");
        else if (id != 0 || procid == 0 || (pid > 0 && procid != (uint64_t)pid))
            reject(l, GO_GLOBAL_M0, "id %" PRIu64 " thread %" PRIu64 ": not the main M", id,
                   procid);
        else
            g->verified[GO_GLOBAL_M0] = true;
    }
    if (!g->addr[GO_GLOBAL_ALLM])
        return;
    uint64_t m, id = 1, last = 0;
    if (rd(l, at(l, GO_GLOBAL_ALLM), &m, 8) < 0) {
        reject(l, GO_GLOBAL_ALLM, "unreadable");
        return;
    }
    uint64_t limit = mnext ? mnext : MAX_MS;
    for (uint64_t n = 0; m; n++) {
        if (n >= limit || rd_field(l, m, GO_M_ID, &id) < 0 || id >= limit) {
            reject(l, GO_GLOBAL_ALLM, "not a list of Ms (step %" PRIu64 ")", n);
            return;
        }
        last = m;
        if (rd_field(l, m, GO_M_ALLLINK, &m) < 0) {
            reject(l, GO_GLOBAL_ALLM, "an M's alllink is unreadable");
            return;
        }
    }
    if (!last || id != 0 || (g->verified[GO_GLOBAL_M0] && last != at(l, GO_GLOBAL_M0)))
        reject(l, GO_GLOBAL_ALLM, "its list does not end at m0");
    else
        g->verified[GO_GLOBAL_ALLM] = true;
}

static bool gostring_is(struct live *l, const uint64_t hdr[2], const char *want)
{
    char buf[64];
    size_t n = strlen(want);
    return hdr[1] == n && n < sizeof(buf) && rd(l, hdr[0], buf, n) == 0 &&
           memcmp(buf, want, n) == 0;
}

/* waitReasonStrings: [N]string, "" first, short names, two of which every Go has. */
static void verify_wait_reasons(struct live *l)
{
    const enum go_global G = GO_GLOBAL_WAITREASONSTRINGS;
    int64_t n = l->off->field[GO_WAITREASONSTRINGS_LEN];
    uint64_t s[64][2];
    if (n < 16 || n > 64)
        n = 16;
    if (rd(l, at(l, G), s, (size_t)n * 16) < 0) {
        reject(l, G, "unreadable");
        return;
    }
    bool recv = false, send = false;
    for (int64_t i = 0; i < n; i++) {
        if ((i == 0) != (s[i][1] == 0) || s[i][1] > 48 || (i > 0 && !s[i][0])) {
            reject(l, G, "entry %" PRId64 " is not a wait reason", i);
            return;
        }
        recv = recv || gostring_is(l, s[i], "chan receive");
        send = send || gostring_is(l, s[i], "chan send");
    }
    if (!recv || !send)
        reject(l, G, "no \"chan receive\" and \"chan send\" among its entries");
    else
        l->g->verified[G] = true;
}

static void verify_scalars(struct live *l)
{
    struct go_globals *g = l->g;
    if (g->addr[GO_GLOBAL_NCPU]) {
        int32_t ncpu;
        long conf = sysconf(_SC_NPROCESSORS_CONF);
        if (rd(l, at(l, GO_GLOBAL_NCPU), &ncpu, 4) < 0)
            reject(l, GO_GLOBAL_NCPU, "unreadable");
        else if (ncpu < 1 || ncpu > (conf > 0 ? conf : 65536))
            reject(l, GO_GLOBAL_NCPU, "%" PRId32 " CPUs on a machine with %ld", ncpu, conf);
        else
            g->verified[GO_GLOBAL_NCPU] = true;
    }
    if (g->addr[GO_GLOBAL_MEMSTATS]) {
        /* Before the first GC all three are zero; after it the last GC is a real date. */
        uint64_t base = at(l, GO_GLOBAL_MEMSTATS), numgc, last, total;
        const uint64_t y2015 = 1420070400ull * 1000000000ull;
        if (rd_field(l, base, GO_MSTATS_NUMGC, &numgc) < 0 ||
            rd_field(l, base, GO_MSTATS_LAST_GC_UNIX, &last) < 0 ||
            rd_field(l, base, GO_MSTATS_PAUSE_TOTAL_NS, &total) < 0)
            reject(l, GO_GLOBAL_MEMSTATS, "unreadable, or its layout is unknown");
        else if (numgc == 0 ? (last != 0 || total != 0)
                            : (numgc > (1u << 30) || last < y2015 || total == 0))
            reject(l, GO_GLOBAL_MEMSTATS, "implausible: numgc %" PRIu64 " last_gc %" PRIu64,
                   numgc, last);
        else
            g->verified[GO_GLOBAL_MEMSTATS] = true;
    }
}

int go_globals_verify(struct go_globals *g, const struct go_offsets *off,
                      const struct mem_reader *mem, uint64_t bias, pid_t pid)
{
    if (!g || !off || !mem)
        return -EINVAL;
    struct live l = { .mem = mem, .bias = bias, .off = off, .g = g };
    memset(g->verified, 0, sizeof(g->verified));
    uint64_t nprocs = 0, mnext = 0;
    verify_procs(&l, &nprocs);
    if (g->addr[GO_GLOBAL_SCHED])
        verify_sched(&l, nprocs, &mnext);
    verify_allgs(&l);
    verify_ms(&l, pid, mnext);
    if (g->addr[GO_GLOBAL_WAITREASONSTRINGS])
        verify_wait_reasons(&l);
    verify_scalars(&l);
    if (l.err)
        return l.err;
    int n = 0;
    for (int i = 0; i < GO_GLOBAL_COUNT; i++) {
        if (g->verified[i])
            n++;
        else if (g->addr[i])
            g->addr[i] = 0;
    }
    return n;
}

int go_globals_resolve(const char *path, const struct go_binary *bin, struct go_offsets *off,
                       const struct mem_reader *mem, uint64_t bias, pid_t pid, char *reason,
                       size_t len)
{
    util_reason(reason, len, "%s", "");
    if (!mem) {
        util_reason(reason, len, "no reader for the target: globals not checked");
        return GO_GLOBALS_ERR_READ;
    }
    struct go_globals *g = calloc(1, sizeof(*g));
    if (!g) {
        util_reason(reason, len, "out of memory");
        return GO_GLOBALS_ERR_OPEN;
    }
    memcpy(g->addr, off->global, sizeof(g->addr));
    int rc = go_globals_find(path, bin, off, g, reason, len);
    if (rc == 0) {
        int v = go_globals_verify(g, off, mem, bias, pid);
        if (v < 0) {
            util_reason(reason, len, "reading the target: %s", strerror(-v));
            rc = GO_GLOBALS_ERR_READ;
        }
    }
    if (rc == 0) {
        size_t used = 0;
        for (int i = 0; i < GO_GLOBAL_COUNT; i++) {
            if (off->global[i])
                continue;
            if (g->verified[i])
                off->global[i] = g->addr[i];
            else if (len > used + 1)
                used += (size_t)snprintf(reason + used, len - used, "%s%s: %s",
                                         used ? "; " : "", go_global_name((enum go_global)i),
                                         g->why[i][0] ? g->why[i] : "not found");
            if (used >= len)
                used = len - 1;
        }
        if (!off->global[GO_GLOBAL_ALLP] || !off->global[GO_GLOBAL_SCHED])
            rc = GO_GLOBALS_ERR_NOTFOUND;
    }
    free(g);
    return rc;
}
