/* park_attach: where to place the park uprobe in a Go function (past the stack check, on
 * an instruction the kernel emulates), file offsets for it, and calibration targets. */
#include "collectors/park_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "target/x86_riprel.h"

/* The parts of one instruction the classifier looks at. */
struct insn_view {
    uint8_t rex;
    bool esc;            /* 0F map */
    bool other_prefix;   /* a legacy prefix other than 66 */
    uint8_t opc;
    bool has_modrm;
    uint8_t mod, reg, rm; /* reg and rm with the REX extension bits */
};

static bool legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
           b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65;
}

static void view_insn(const uint8_t *c, size_t len, struct insn_view *v)
{
    size_t i = 0;
    memset(v, 0, sizeof(*v));
    while (i < len && legacy_prefix(c[i])) {
        if (c[i] != 0x66)
            v->other_prefix = true;
        i++;
    }
    if (i < len && (c[i] & 0xf0) == 0x40)
        v->rex = c[i++];
    if (i < len && c[i] == 0x0f) {
        v->esc = true;
        i++;
    }
    if (i < len)
        v->opc = c[i++];
    if (i < len) {
        uint8_t m = c[i];
        v->has_modrm = true;
        v->mod = m >> 6;
        v->reg = (uint8_t)(((m >> 3) & 7) | ((v->rex & 4) ? 8 : 0));
        v->rm = (uint8_t)((m & 7) | ((v->rex & 1) ? 8 : 0));
    }
}

/* RAX, RCX, RBX: where Go's register ABI passes the first three integer arguments. */
static bool is_arg_reg(uint8_t r) { return r == 0 || r == 1 || r == 3; }

static bool is_jcc(const struct insn_view *v)
{
    return (!v->esc && v->opc >= 0x70 && v->opc <= 0x7f) ||
           (v->esc && v->opc >= 0x80 && v->opc <= 0x8f);
}

/* A memory operand based on R14 (Go's current g): rm = 14 needs no SIB byte. */
static bool uses_r14_mem(const struct insn_view *v)
{
    return v->has_modrm && v->mod != 3 && v->rm == 14;
}

/* Emulated in the kernel's uprobe trap handler on x86-64 (no single-step). */
static const char *emulated_name(const struct insn_view *v)
{
    if (v->other_prefix)
        return NULL;
    if (!v->esc && v->opc >= 0x50 && v->opc <= 0x57 && (v->rex & ~1) == 0x40)
        return "push";
    if (!v->esc && v->opc >= 0x50 && v->opc <= 0x57 && v->rex == 0)
        return v->opc == 0x55 ? "push %rbp" : "push";
    if (!v->esc && v->opc == 0x90 && v->rex == 0)
        return "nop";
    if (is_jcc(v))
        return "jcc";
    if (!v->esc && (v->opc == 0xeb || v->opc == 0xe9))
        return "jmp";
    if (!v->esc && v->opc == 0xe8)
        return "call";
    return NULL;
}

/* True when the instruction certainly leaves RAX, RBX and RCX as they were (stores,
 * compares, frame setup, SSE moves): the forms Go emits before it first uses them. */
static bool keeps_args(const struct insn_view *v)
{
    if (v->other_prefix || !v->has_modrm)
        return false;
    if (v->esc) {
        switch (v->opc) {
        case 0x10: case 0x28: case 0x57: return true;        /* movups/movaps load, xorps */
        case 0x11: case 0x29: return v->mod != 3;            /* movups/movaps store */
        case 0xba: return (v->reg & 7) == 4;                 /* bt $imm */
        default: return false;
        }
    }
    switch (v->opc) {
    case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x84: case 0x85:
        return true;                                         /* cmp, test */
    case 0x88: case 0x89: case 0xc6: case 0xc7:
        return v->mod != 3 || !is_arg_reg(v->rm);            /* mov to memory/other reg */
    case 0x8b: case 0x8d:
        return !is_arg_reg(v->reg);                          /* mov/lea into a register */
    case 0x80: case 0x81: case 0x83:
        return (v->reg & 7) == 7 || v->mod != 3 || !is_arg_reg(v->rm);
    default:
        return false;
    }
}

/* Length of the stack-check prologue at the entry, 0 when there is none:
 *   cmp 0x10(%r14),%rsp ; jbe morestack                        (small frames)
 *   lea -N(%rsp),%r12 ; cmp 0x10(%r14),%r12 ; jbe morestack    (big frames)
 *   mov %rsp,%r12 ; sub $N,%r12 ; jb m ; cmp 0x10(%r14),%r12 ; jbe m   (huge frames)
 * Both jumps lead to morestack, which re-enters at the entry: a probe placed after
 * them still fires exactly once per call. */
static size_t stack_check_len(const uint8_t *code, size_t len)
{
    size_t pos = 0;
    bool saw_r14 = false;
    for (int n = 0; n < 6 && pos < len; n++) {
        struct x86_insn in;
        if (x86_decode(code + pos, len - pos, &in) < 0)
            return 0;
        struct insn_view v;
        view_insn(code + pos, in.len, &v);
        pos += in.len;
        if (is_jcc(&v)) {
            if (saw_r14)
                return pos;
            continue;                     /* the huge-frame carry check */
        }
        if (uses_r14_mem(&v) && !v.esc && (v.opc == 0x3b || v.opc == 0x39)) {
            saw_r14 = true;
            continue;
        }
        /* Only R12 is computed on the way to the compare. */
        bool r12 = (!v.esc && (v.opc == 0x8d || v.opc == 0x8b) && v.reg == 12) ||
                   (!v.esc && v.opc == 0x89 && v.mod == 3 && v.rm == 12) ||
                   (!v.esc && (v.opc == 0x81 || v.opc == 0x83) && v.mod == 3 && v.rm == 12);
        if (!r12)
            return 0;
    }
    return 0;
}

/* The frame setup a nosplit Go function starts with: push %rbp, or sub $N,%rsp (Go 1.19's
 * casgstatus) where the frame pointer is saved inside the frame. */
static bool nosplit_frame_setup(const uint8_t *code, size_t len)
{
    return (len >= 1 && code[0] == 0x55) ||
           (len >= 4 && code[0] == 0x48 && (code[1] == 0x83 || code[1] == 0x81) &&
            code[2] == 0xec);
}

/* The reason is kept short: with "runtime.casgstatus at 0x...: " before it and
 * "; not attaching" after it, it must fit a collector's one-line status. */
int park_entry_check(const uint8_t *code, size_t len, bool nosplit, char *why, size_t wlen)
{
    const char *what = NULL;
    if (!code || len == 0) {
        snprintf(why, wlen, "no code to check");
        return -1;
    }
    if (nosplit && stack_check_len(code, len) > 0)
        what = "found a stack check, so another function's entry";
    else if (nosplit && !nosplit_frame_setup(code, len))
        what = "not a nosplit frame setup (push %rbp or sub $N,%rsp)";
    else if (!nosplit && stack_check_len(code, len) == 0 && !nosplit_frame_setup(code, len))
        what = "neither a stack check nor a frame setup";
    if (!what)
        return 0;
    char hex[3 * 8 + 1] = "";
    for (size_t i = 0, n = 0; i < len && i < 8; i++)
        n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s%02x", i ? " " : "", code[i]);
    snprintf(why, wlen, "unexpected prologue %s: %s", hex, what);
    return -1;
}

int park_probe_choose(const uint8_t *code, size_t len, struct park_probe_point *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = PARK_INSN_STEPPED;
    snprintf(out->insn, sizeof(out->insn), "?");
    if (!code || len == 0)
        return -1;
    size_t start = stack_check_len(code, len);
    out->stack_check_len = (uint32_t)start;
    out->offset = (uint32_t)start;
    size_t pos = start;
    for (int n = 0; n < 16 && pos < len; n++) {
        struct x86_insn in;
        if (x86_decode(code + pos, len - pos, &in) < 0)
            break;
        struct insn_view v;
        view_insn(code + pos, in.len, &v);
        const char *name = emulated_name(&v);
        if (name) {
            out->offset = (uint32_t)pos;
            out->kind = PARK_INSN_EMULATED;
            snprintf(out->insn, sizeof(out->insn), "%s", name);
            return 0;
        }
        if (!keeps_args(&v))
            break;
        pos += in.len;
    }
    /* Nothing emulated before the arguments change: the first instruction after the
     * stack check is still correct, only dearer. */
    struct x86_insn in;
    if (start >= len || x86_decode(code + start, len - start, &in) < 0) {
        out->offset = 0;
        return start ? 0 : -1;
    }
    snprintf(out->insn, sizeof(out->insn), "stepped");
    return 0;
}

int park_file_offset(const char *path, uint64_t vaddr, uint64_t *off, char *why, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, len, "open %s: %s", path, strerror(e));
        return -e;
    }
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    int rc = -ENOENT;
    size_t n = 0;
    if (!e || elf_getphdrnum(e, &n) != 0) {
        snprintf(why, len, "%s: not a readable ELF file (%s)", path, elf_errmsg(-1));
        rc = -ENOEXEC;
    }
    for (size_t i = 0; e && rc == -ENOENT && i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
            continue;
        if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
            *off = vaddr - ph.p_vaddr + ph.p_offset;
            rc = 0;
        }
    }
    if (rc == -ENOENT)
        snprintf(why, len, "%s: address 0x%" PRIx64 " is in no loaded segment", path, vaddr);
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

int park_read_code(const char *path, uint64_t vaddr, uint8_t *buf, size_t len, char *why,
                   size_t wlen)
{
    uint64_t off = 0;
    int rc = park_file_offset(path, vaddr, &off, why, wlen);
    if (rc < 0)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, wlen, "open %s: %s", path, strerror(e));
        return -e;
    }
    ssize_t got = pread(fd, buf, len, (off_t)off);
    int e = errno;
    close(fd);
    if (got != (ssize_t)len) {
        snprintf(why, wlen, "pread %s: %s", path, got < 0 ? strerror(e) : "short read");
        return got < 0 ? -e : -EIO;
    }
    return 0;
}

/* Calibration targets. Their first instructions are what the probe meets in Go: an
 * emulated push %rbp, or an instruction that has to be single-stepped. The trampoline
 * loads the registers the way Go's ABI passes casgstatus's arguments. */
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".type gmptop_park_calib_emul, @function\n"
    "gmptop_park_calib_emul:\n"
    "    push %rbp\n"
    "    mov %rsp, %rbp\n"
    "    pop %rbp\n"
    "    ret\n"
    ".size gmptop_park_calib_emul, .-gmptop_park_calib_emul\n"
    ".p2align 4\n"
    ".type gmptop_park_calib_step, @function\n"
    "gmptop_park_calib_step:\n"
    "    sub $8, %rsp\n"
    "    add $8, %rsp\n"
    "    ret\n"
    ".size gmptop_park_calib_step, .-gmptop_park_calib_step\n"
    ".p2align 4\n"
    ".globl gmptop_park_calib_call\n"
    ".hidden gmptop_park_calib_call\n"
    ".type gmptop_park_calib_call, @function\n"
    "gmptop_park_calib_call:\n"          /* (fn=rdi, gp=rsi, old=edx, new=ecx) */
    "    push %rbx\n"
    "    mov %rsi, %rax\n"
    "    mov %edx, %ebx\n"
    "    call *%rdi\n"
    "    pop %rbx\n"
    "    ret\n"
    ".size gmptop_park_calib_call, .-gmptop_park_calib_call\n"
    ".globl gmptop_park_calib_fns\n"
    ".hidden gmptop_park_calib_fns\n"
    ".section .data.rel.ro, \"aw\"\n"
    ".p2align 3\n"
    "gmptop_park_calib_fns:\n"
    "    .quad gmptop_park_calib_emul\n"
    "    .quad gmptop_park_calib_step\n"
    ".text\n");

extern void gmptop_park_calib_call(void (*fn)(void), uint64_t gp, uint32_t oldv,
                                   uint32_t newv);
extern void (*const gmptop_park_calib_fns[2])(void);

void park_calib_call(void (*fn)(void), uint64_t gp, uint32_t oldv, uint32_t newv)
{
    gmptop_park_calib_call(fn, gp, oldv, newv);
}

void (*park_calib_fn(enum park_insn_kind kind))(void)
{
    return gmptop_park_calib_fns[kind == PARK_INSN_EMULATED ? 0 : 1];
}

int park_self_offset(const void *fn, uint64_t *off, char *why, size_t len)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f) {
        int e = errno;
        snprintf(why, len, "open /proc/self/maps: %s", strerror(e));
        return -e;
    }
    uint64_t a = (uint64_t)(uintptr_t)fn;
    char line[512];
    int rc = -ENOENT;
    while (rc && fgets(line, sizeof(line), f)) {
        unsigned long long lo, hi, pgoff;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s %llx", &lo, &hi, perms, &pgoff) != 4)
            continue;
        if (a >= lo && a < hi && perms[2] == 'x') {
            *off = a - lo + pgoff;
            rc = 0;
        }
    }
    fclose(f);
    if (rc)
        snprintf(why, len, "gmptop's own code is not in /proc/self/maps");
    return rc;
}
