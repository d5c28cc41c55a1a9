/* go_derive: runtime layouts from a Go binary's type descriptors and code (amd64). */
#include "target/go_derive.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "target/elf_image.h"
#include "target/x86_riprel.h"

/* abi.Type (runtime._type) on 64-bit, unchanged from Go 1.19 to 1.27: size at 0, kind
 * byte at 23, 48 bytes in all. A struct type's fields slice follows its pkgPath name
 * (at 56); a field is {name *byte, typ *Type, offset uintptr}; an array type's length
 * follows elem and slice (at 64). A name is a flags byte, a varint length, the bytes. */
#define TYPE_SIZE 0
#define TYPE_KIND 23
#define KIND_MASK 0x1f
#define KIND_ARRAY 17
#define KIND_STRUCT 25
#define STRUCT_FIELDS 56
#define ARRAY_LEN 64
#define FIELD_BYTES 24
#define MAX_FIELDS 512
#define CODE_MAX 8192         /* bytes of a function decoded at most */

struct image {
    int fd;
    struct elf_image e;
};

static int image_open(struct image *im, const char *path)
{
    memset(im, 0, sizeof(*im));
    im->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (im->fd < 0)
        return -errno;
    elf_version(EV_CURRENT);
    im->e.elf = elf_begin(im->fd, ELF_C_READ_MMAP, NULL);
    if (im->e.elf)
        im->e.raw = (const uint8_t *)elf_rawfile(im->e.elf, &im->e.size);
    if (!im->e.elf || !im->e.raw || elf_kind(im->e.elf) != ELF_K_ELF ||
        gelf_getclass(im->e.elf) != ELFCLASS64) {
        if (im->e.elf)
            elf_end(im->e.elf);
        close(im->fd);
        return -ENOEXEC;
    }
    return 0;
}

static void image_close(struct image *im)
{
    elf_end(im->e.elf);
    close(im->fd);
}

static const uint8_t *bytes_at(const struct image *im, uint64_t vaddr, size_t n)
{
    return elf_image_bytes(&im->e, vaddr, n);
}

static bool word_at(const struct image *im, uint64_t vaddr, uint64_t *out)
{
    return elf_image_word(&im->e, vaddr, out);
}

/* ---- type descriptors -------------------------------------------------------------- */

/* A field's name from its abi.Name; false when it does not decode. */
static bool name_at(const struct image *im, uint64_t vaddr, char *buf, size_t len)
{
    const uint8_t *p = bytes_at(im, vaddr, 3);
    if (!p)
        return false;
    uint64_t n = 0;
    unsigned shift = 0, used = 1;
    for (; used < 6; used++) {
        const uint8_t *b = bytes_at(im, vaddr + used, 1);
        if (!b)
            return false;
        n |= (uint64_t)(*b & 0x7f) << shift;
        shift += 7;
        if (!(*b & 0x80))
            break;
    }
    p = bytes_at(im, vaddr + used + 1, n);
    if (!p || n == 0 || n >= len)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

struct tfield {
    char name[48];
    uint64_t offset, size, array_len;
    uint64_t typ;                  /* its type descriptor */
    uint8_t kind;
};

struct ttype {
    uint64_t size;
    size_t n;
    struct tfield f[MAX_FIELDS];
};

/* A struct type descriptor at vaddr: its size and its fields. */
static bool read_struct(const struct image *im, uint64_t vaddr, struct ttype *t)
{
    const uint8_t *hdr = bytes_at(im, vaddr, 72);
    uint64_t fptr, n;
    if (!hdr || (hdr[TYPE_KIND] & KIND_MASK) != KIND_STRUCT || !word_at(im, vaddr, &t->size) ||
        !word_at(im, vaddr + STRUCT_FIELDS, &fptr) ||
        !word_at(im, vaddr + STRUCT_FIELDS + 8, &n) || n == 0 || n > MAX_FIELDS)
        return false;
    t->n = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t f = fptr + i * FIELD_BYTES, nptr, typ;
        struct tfield *o = &t->f[t->n];
        if (!word_at(im, f, &nptr) || !word_at(im, f + 8, &typ) ||
            !word_at(im, f + 16, &o->offset) || !name_at(im, nptr, o->name, sizeof(o->name)))
            return false;
        const uint8_t *th = bytes_at(im, typ, 48);
        if (!th || !word_at(im, typ + TYPE_SIZE, &o->size))
            return false;
        o->typ = typ;
        o->kind = th[TYPE_KIND] & KIND_MASK;
        o->array_len = 0;
        if (o->kind == KIND_ARRAY)
            word_at(im, typ + ARRAY_LEN, &o->array_len);
        t->n++;
    }
    return true;
}

static const struct tfield *field_named(const struct ttype *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->f[i].name, name) == 0)
            return &t->f[i];
    return NULL;
}

/* ---- code -------------------------------------------------------------------------- */

/* Prefixes, REX and opcode of one instruction (enough to tell loads, lea and call). */
struct op {
    uint8_t rex, opc, opc2, modrm;
    bool has_modrm;
};

static void op_view(const uint8_t *c, size_t n, struct op *o)
{
    size_t i = 0;
    memset(o, 0, sizeof(*o));
    while (i < n && (c[i] == 0x66 || c[i] == 0xf2 || c[i] == 0xf3 || c[i] == 0xf0 ||
                     c[i] == 0x2e || c[i] == 0x3e || c[i] == 0x64 || c[i] == 0x65))
        i++;
    if (i < n && (c[i] & 0xf0) == 0x40)
        o->rex = c[i++];
    if (i < n)
        o->opc = c[i++];
    if (o->opc == 0x0f && i < n)
        o->opc2 = c[i++];
    if (i < n) {
        o->modrm = c[i];
        o->has_modrm = true;
    }
}

struct code {
    const uint8_t *p;
    size_t len;
    uint64_t addr;
};

static bool code_of(const struct image *im, const struct go_binary *bin, const char *fn,
                    struct code *c)
{
    uint64_t size = 0;
    if (go_binary_lookup(bin, fn, &c->addr, &size) != 0 || size == 0)
        return false;
    c->len = size < CODE_MAX ? (size_t)size : CODE_MAX;
    c->p = bytes_at(im, c->addr, c->len);
    return c->p != NULL;
}

/* The type descriptor fn allocates first: the target of the `lea X(%rip),%rax` at most
 * two instructions before its first `call runtime.newobject`. */
static bool new_type_in(const struct image *im, const struct go_binary *bin, const char *fn,
                        uint64_t *type)
{
    struct code c;
    uint64_t newobject = 0;
    if (!code_of(im, bin, fn, &c) ||
        go_binary_lookup(bin, "runtime.newobject", &newobject, NULL) != 0)
        return false;
    uint64_t lea = 0;
    int since = 99;
    for (size_t pos = 0; pos < c.len;) {
        struct x86_insn in;
        if (x86_decode(c.p + pos, c.len - pos, &in) < 0)
            return false;
        uint64_t at = c.addr + pos;
        struct op o;
        op_view(c.p + pos, in.len, &o);
        since++;
        if (in.riprel && o.opc == 0x8d && (o.rex & 0x8) && !(o.rex & 0x4) &&
            ((o.modrm >> 3) & 7) == 0) {                      /* lea X(%rip),%rax */
            lea = at + in.len + (int64_t)in.disp;
            since = 0;
        } else if (c.p[pos] == 0xe8 && in.len == 5) {
            int32_t rel;
            memcpy(&rel, c.p + pos + 1, 4);
            if (at + 5 + (int64_t)rel == newobject) {
                if (lea && since <= 2) {
                    *type = lea;
                    return true;
                }
                return false;
            }
        }
        pos += in.len;
    }
    return false;
}

/* Fill out's fields owned by `owner` from the struct type allocated in fn. */
static bool derive_struct(const struct image *im, const struct go_binary *bin,
                          const char *fn, const char *owner, const char *must_have,
                          struct ttype *t, struct go_offsets *out)
{
    uint64_t type = 0;
    if (!new_type_in(im, bin, fn, &type) || !read_struct(im, type, t))
        return false;
    /* Go 1.26 allocates an M as mPadded{m; pad}: the struct we want is embedded first. */
    if (!field_named(t, must_have) && t->n > 0 && t->f[0].kind == KIND_STRUCT &&
        t->f[0].offset == 0 && !read_struct(im, t->f[0].typ, t))
        return false;
    if (!field_named(t, must_have))
        return false;
    /* One level of nesting (g.sched.sp, g.stack.lo): the member struct's descriptor. */
    struct ttype *inner = malloc(sizeof(*inner));
    if (!inner)
        return false;
    for (int f = 0; f < GO_FIELD_COUNT; f++) {
        const struct go_field_spec *sp = go_field_spec((enum go_field)f);
        if (strcmp(sp->owner, owner) != 0)
            continue;
        if (sp->kind == GO_KIND_SIZE) {
            out->field[f] = (int64_t)t->size;
            continue;
        }
        const char *dot = strchr(sp->path, '.');
        const struct tfield *tf;
        uint64_t base = 0;
        if (dot) {
            char outer[48];
            snprintf(outer, sizeof(outer), "%.*s", (int)(dot - sp->path), sp->path);
            const struct tfield *of = field_named(t, outer);
            if (!of || of->kind != KIND_STRUCT || strchr(dot + 1, '.') ||
                !read_struct(im, of->typ, inner))
                continue;
            base = of->offset;
            tf = field_named(inner, dot + 1);
        } else {
            tf = field_named(t, sp->path);
        }
        if (!tf)
            continue;
        if (sp->kind == GO_KIND_OFFSET) {
            /* An array's width is its element's, as DWARF's member type gives it. */
            uint64_t w = tf->kind == KIND_ARRAY && tf->array_len ? tf->size / tf->array_len
                                                                   : tf->size;
            out->field[f] = (int64_t)(base + tf->offset);
            out->width[f] = w <= 255 ? (uint8_t)w : 0;
        } else if (sp->kind == GO_KIND_LEN && tf->array_len) {
            out->field[f] = (int64_t)tf->array_len;
        }
    }
    free(inner);
    return true;
}

/* runtime.schedtrace: after `lea X(%rip),%rax; call runtime.lock2` (lock(&sched.lock)),
 * the reads of sched until the first call that prints. */
struct sched_reads {
    uint64_t lock;
    uint64_t mnext, nmfreed;
    uint64_t w32[8];
    size_t n32;
};

static bool schedtrace_reads(const struct image *im, const struct go_binary *bin,
                             struct sched_reads *r)
{
    struct code c;
    uint64_t lock2 = 0, lock = 0;
    if (!code_of(im, bin, "runtime.schedtrace", &c))
        return false;
    go_binary_lookup(bin, "runtime.lock2", &lock2, NULL);
    go_binary_lookup(bin, "runtime.lock", &lock, NULL);
    memset(r, 0, sizeof(*r));
    uint64_t lea = 0, last64 = 0;
    for (size_t pos = 0; pos < c.len;) {
        struct x86_insn in;
        if (x86_decode(c.p + pos, c.len - pos, &in) < 0)
            return false;
        uint64_t at = c.addr + pos, target = at + in.len + (int64_t)in.disp;
        struct op o;
        op_view(c.p + pos, in.len, &o);
        if (c.p[pos] == 0xe8 && in.len == 5) {
            int32_t rel;
            memcpy(&rel, c.p + pos + 1, 4);
            uint64_t callee = at + 5 + (int64_t)rel;
            if (!r->lock && lea && callee && (callee == lock2 || callee == lock))
                r->lock = lea;
            else if (r->lock)
                return r->mnext && r->n32 >= 4;   /* the printing starts */
        } else if (in.riprel && o.opc == 0x8d && (o.rex & 0x8)) {
            lea = target;
        } else if (in.riprel && r->lock && target >= r->lock && target - r->lock < 4096) {
            bool w = o.rex & 0x8;
            if (o.opc == 0x8b && w) {
                last64 = target;                                   /* mov m64,r64 */
            } else if (o.opc == 0x2b && w && last64) {
                r->mnext = last64;                                 /* sub m64,r64 */
                r->nmfreed = target;
            } else if (((o.opc == 0x8b && !w) || (o.opc == 0x63 && w)) && r->n32 < 8) {
                r->w32[r->n32++] = target;                         /* 32-bit load */
            }
        }
        pos += in.len;
    }
    return false;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* sched.ngsys (system goroutines, which runtime.NumGoroutine leaves out): the one
 * field of sched whose address runtime.newproc1 takes (`lea`, for the atomic add when
 * it starts a system goroutine), in every release from 1.19 to 1.27; it must also sit
 * where schedt's field order puts it, right after nmfreed. */
static void derive_ngsys(const struct image *im, const struct go_binary *bin, uint64_t lock,
                         uint64_t nmfreed, struct go_offsets *out)
{
    struct code c;
    if (!code_of(im, bin, "runtime.newproc1", &c))
        return;
    uint64_t found = 0;
    for (size_t pos = 0; pos < c.len;) {
        struct x86_insn in;
        if (x86_decode(c.p + pos, c.len - pos, &in) < 0)
            return;
        struct op o;
        op_view(c.p + pos, in.len, &o);
        uint64_t target = c.addr + pos + in.len + (int64_t)in.disp;
        if (in.riprel && o.opc == 0x8d && target >= lock && target - lock < 4096) {
            if (found && found != target)
                return;                   /* two sched fields: not the shape we know */
            found = target;
        }
        pos += in.len;
    }
    if (found && found == nmfreed + 8) {
        out->field[GO_SCHED_NGSYS] = (int64_t)(found - lock);
        out->width[GO_SCHED_NGSYS] = 4;
    }
}

/* Offsets are from sched.lock, which is what GO_GLOBAL_SCHED then points at: fields
 * before it (goidgen, lastpoll) are not derived, nor needed. */
static bool derive_schedt(const struct image *im, const struct go_binary *bin,
                          struct go_offsets *out)
{
    struct sched_reads r;
    if (!schedtrace_reads(im, bin, &r) || r.n32 > 5)
        return false;
    qsort(r.w32, r.n32, sizeof(r.w32[0]), cmp_u64);
    /* In schedt: nmidle < mnext < nmfreed < npidle, nmspinning = npidle + 4, then
     * needspinning (Go 1.21+) and the global queue's size. */
    uint64_t nmidle = r.w32[0], npidle = r.w32[1], nmspinning = r.w32[2];
    uint64_t runq = r.w32[r.n32 - 1];
    if (!(nmidle < r.mnext && r.mnext < r.nmfreed && r.nmfreed < npidle) ||
        nmspinning != npidle + 4 || runq <= nmspinning)
        return false;
    int64_t base = (int64_t)r.lock;
    out->field[GO_SCHED_NMIDLE] = (int64_t)nmidle - base;
    out->field[GO_SCHED_MNEXT] = (int64_t)r.mnext - base;
    out->field[GO_SCHED_NMFREED] = (int64_t)r.nmfreed - base;
    out->field[GO_SCHED_NPIDLE] = (int64_t)npidle - base;
    out->field[GO_SCHED_NMSPINNING] = (int64_t)nmspinning - base;
    out->field[GO_SCHED_RUNQSIZE] = (int64_t)runq - base;
    out->width[GO_SCHED_NMIDLE] = out->width[GO_SCHED_NPIDLE] = 4;
    out->width[GO_SCHED_NMSPINNING] = out->width[GO_SCHED_RUNQSIZE] = 4;
    out->width[GO_SCHED_MNEXT] = out->width[GO_SCHED_NMFREED] = 8;
    if (r.n32 == 5) {
        out->field[GO_SCHED_NEEDSPINNING] = (int64_t)r.w32[3] - base;
        out->width[GO_SCHED_NEEDSPINNING] = 4;
    }
    /* Not the struct's size: the span the reader needs from sched.lock on. */
    out->field[GO_SCHED_SIZE] = (int64_t)runq - base + 8;
    out->global[GO_GLOBAL_SCHED] = r.lock;
    derive_ngsys(im, bin, r.lock, r.nmfreed, out);
    return true;
}

/* waitReason.String starts with `if wr >= waitReason(len(waitReasonStrings))`:
 * cmp $N,%al (3c ib) or cmp $N,%eax / r8 forms. */
static void derive_nreasons(const struct image *im, const struct go_binary *bin,
                            struct go_offsets *out)
{
    struct code c;
    if (!code_of(im, bin, "runtime.waitReason.String", &c) || c.len < 3)
        return;
    int64_t n = -1;
    if (c.p[0] == 0x3c)
        n = c.p[1];
    else if ((c.p[0] == 0x80 || c.p[0] == 0x83) && c.p[1] == 0xf8)
        n = c.p[2];
    if (n > 0 && n < 256)
        out->field[GO_WAITREASONSTRINGS_LEN] = n;
}

int go_derive_layout(const struct go_binary *bin, const char *path, struct go_offsets *out,
                     char *why, size_t len)
{
    for (int f = 0; f < GO_FIELD_COUNT; f++) {
        out->field[f] = -1;
        out->width[f] = 0;
    }
    memset(out->global, 0, sizeof(out->global));
    if (strcmp(go_binary_arch(bin), "amd64") != 0) {
        util_reason(why, len, "layouts are derived from amd64 code only");
        return GO_OFFSETS_ERR_NODATA;
    }
    struct image im;
    int rc = image_open(&im, path);
    if (rc < 0) {
        util_reason(why, len, "%s: %s", path, strerror(-rc));
        return GO_OFFSETS_ERR_NODATA;
    }
    static __thread struct ttype t;   /* 40 KB: not on the stack */
    const char *missing = NULL;
    if (!derive_struct(&im, bin, "runtime.procresize", "runtime.p", "runqhead", &t, out))
        missing = "runtime.p (no type descriptor allocated by runtime.procresize)";
    else if (!derive_struct(&im, bin, "runtime.allocm", "runtime.m", "procid", &t, out))
        missing = "runtime.m (no type descriptor allocated by runtime.allocm)";
    else if (!derive_struct(&im, bin, "runtime.malg", "runtime.g", "goid", &t, out))
        missing = "runtime.g (no type descriptor allocated by runtime.malg)";
    else if (!derive_schedt(&im, bin, out))
        missing = "runtime.schedt (runtime.schedtrace not recognised)";
    else
        derive_nreasons(&im, bin, out);
    image_close(&im);
    if (missing) {
        util_reason(why, len, "cannot derive %s", missing);
        return GO_OFFSETS_ERR_NODATA;
    }
    return GO_OFFSETS_OK;
}
