/* x86_riprel: an x86-64 instruction length decoder that finds RIP-relative operands. */
#include "target/x86_riprel.h"

#include <string.h>

/* Per-opcode properties. The low nibble says which immediate follows. */
enum {
    I_NONE = 0,
    I_B,      /* 1 byte */
    I_W,      /* 2 bytes */
    I_Z,      /* 2 with a 66 prefix, else 4 */
    I_V,      /* 8 with REX.W, 2 with 66, else 4 (mov r, imm) */
    I_D,      /* 4 bytes whatever the prefixes (rel32) */
    I_WB,     /* 3 bytes (enter) */
    I_MOFFS,  /* an address: 8 bytes, 4 with a 67 prefix */
    I_GRP3B,  /* F6: test Eb,Ib for /0 and /1; no immediate otherwise */
    I_GRP3Z,  /* F7: test Ev,Iz for /0 and /1 */
    M = 0x10, /* a ModRM byte follows the opcode */
    BAD = 0x80,
};

/* The one-byte map. Prefixes (26 2E 36 3E 40-4F 64-67 F0 F2 F3) and escapes (0F C4 C5
 * 62) are handled before the table is consulted, so their entries are unused. */
static const uint8_t map1[256] = {
    /* 00-3F: eight ALU rows, each Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz */
    [0x00] = M, [0x01] = M, [0x02] = M, [0x03] = M, [0x04] = I_B, [0x05] = I_Z,
    [0x08] = M, [0x09] = M, [0x0a] = M, [0x0b] = M, [0x0c] = I_B, [0x0d] = I_Z,
    [0x10] = M, [0x11] = M, [0x12] = M, [0x13] = M, [0x14] = I_B, [0x15] = I_Z,
    [0x18] = M, [0x19] = M, [0x1a] = M, [0x1b] = M, [0x1c] = I_B, [0x1d] = I_Z,
    [0x20] = M, [0x21] = M, [0x22] = M, [0x23] = M, [0x24] = I_B, [0x25] = I_Z,
    [0x28] = M, [0x29] = M, [0x2a] = M, [0x2b] = M, [0x2c] = I_B, [0x2d] = I_Z,
    [0x30] = M, [0x31] = M, [0x32] = M, [0x33] = M, [0x34] = I_B, [0x35] = I_Z,
    [0x38] = M, [0x39] = M, [0x3a] = M, [0x3b] = M, [0x3c] = I_B, [0x3d] = I_Z,
    /* push/pop of segment registers, daa/das/aaa/aas: invalid in 64-bit mode */
    [0x06] = BAD, [0x07] = BAD, [0x0e] = BAD, [0x16] = BAD, [0x17] = BAD,
    [0x1e] = BAD, [0x1f] = BAD, [0x27] = BAD, [0x2f] = BAD, [0x37] = BAD, [0x3f] = BAD,
    /* 50-5F push/pop r: no operand bytes */
    [0x60] = BAD, [0x61] = BAD, [0x63] = M,
    [0x68] = I_Z, [0x69] = M | I_Z, [0x6a] = I_B, [0x6b] = M | I_B,
    [0x70 ... 0x7f] = I_B,
    [0x80] = M | I_B, [0x81] = M | I_Z, [0x82] = BAD, [0x83] = M | I_B,
    [0x84 ... 0x8f] = M,
    /* 90-9F: xchg, cbw, cwd, pushf, popf, sahf, lahf: no operand bytes */
    [0x9a] = BAD,
    [0xa0 ... 0xa3] = I_MOFFS, [0xa8] = I_B, [0xa9] = I_Z,
    [0xb0 ... 0xb7] = I_B, [0xb8 ... 0xbf] = I_V,
    [0xc0] = M | I_B, [0xc1] = M | I_B, [0xc2] = I_W, [0xc6] = M | I_B, [0xc7] = M | I_Z,
    [0xc8] = I_WB, [0xca] = I_W, [0xcd] = I_B, [0xce] = BAD,
    [0xd0 ... 0xd3] = M, [0xd4] = BAD, [0xd5] = BAD, [0xd6] = BAD, [0xd8 ... 0xdf] = M,
    [0xe0 ... 0xe7] = I_B, [0xe8] = I_D, [0xe9] = I_D, [0xea] = BAD, [0xeb] = I_B,
    [0xf6] = M | I_GRP3B, [0xf7] = M | I_GRP3Z, [0xfe] = M, [0xff] = M,
};

/* The 0F map; 0F 38 and 0F 3A are three-byte maps handled separately. */
static const uint8_t map2[256] = {
    [0x00 ... 0x03] = M, [0x04] = BAD, [0x0a] = BAD, [0x0c] = BAD, [0x0d] = M,
    [0x0f] = BAD,  /* 3DNow! */
    [0x10 ... 0x1f] = M, [0x20 ... 0x23] = M, [0x24 ... 0x27] = BAD, [0x28 ... 0x2f] = M,
    [0x36] = BAD, [0x39] = BAD, [0x3b ... 0x3f] = BAD,
    [0x40 ... 0x4f] = M, [0x50 ... 0x6f] = M, [0x70 ... 0x73] = M | I_B,
    [0x74 ... 0x76] = M, [0x78 ... 0x7f] = M,
    [0x80 ... 0x8f] = I_D, [0x90 ... 0x9f] = M,
    [0xa3] = M, [0xa4] = M | I_B, [0xa5] = M, [0xa6] = BAD, [0xa7] = BAD,
    [0xab] = M, [0xac] = M | I_B, [0xad] = M, [0xae] = M, [0xaf] = M,
    [0xb0 ... 0xb9] = M, [0xba] = M | I_B, [0xbb ... 0xbf] = M,
    [0xc0] = M, [0xc1] = M, [0xc2] = M | I_B, [0xc3] = M, [0xc4 ... 0xc6] = M | I_B,
    [0xc7] = M, [0xd0 ... 0xff] = M,
};

struct cursor {
    const uint8_t *p;
    size_t avail;
    size_t pos;
};

static int take(struct cursor *c, uint8_t *byte)
{
    if (c->pos >= c->avail || c->pos >= 15)
        return -1;
    *byte = c->p[c->pos++];
    return 0;
}

static int skip(struct cursor *c, size_t n)
{
    if (n > c->avail - c->pos || c->pos + n > 15)
        return -1;
    c->pos += n;
    return 0;
}

/* ModRM, SIB and displacement. Records a RIP-relative disp32 (mod 00, rm 101). */
static int modrm(struct cursor *c, uint8_t *reg, struct x86_insn *out)
{
    uint8_t b, sib;
    if (take(c, &b) < 0)
        return -1;
    unsigned mod = b >> 6, rm = b & 7;
    *reg = (b >> 3) & 7;
    if (mod == 3)
        return 0;
    if (rm == 4) {
        if (take(c, &sib) < 0)
            return -1;
        if (mod == 0 && (sib & 7) == 5)
            return skip(c, 4);
    }
    if (mod == 0 && rm == 5) {
        if (c->avail - c->pos < 4)
            return -1;
        uint32_t d;
        memcpy(&d, c->p + c->pos, 4);   /* x86 is little-endian, as is this host */
        out->riprel = true;
        out->disp = (int32_t)d;
        return skip(c, 4);
    }
    return skip(c, mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static size_t imm_size(uint8_t kind, bool opsize16, bool rexw, bool addr32, uint8_t reg)
{
    switch (kind & 0x0f) {
    case I_B: return 1;
    case I_W: return 2;
    case I_Z: return opsize16 ? 2 : 4;
    case I_V: return rexw ? 8 : opsize16 ? 2 : 4;
    case I_D: return 4;
    case I_WB: return 3;
    case I_MOFFS: return addr32 ? 4 : 8;
    case I_GRP3B: return reg > 1 ? 0 : 1;
    case I_GRP3Z: return reg > 1 ? 0 : opsize16 ? 2 : 4;
    default: return 0;
    }
}

/* VEX (C4/C5) and EVEX (62): the prefix names the opcode map; ModRM always follows. */
static int decode_vex(struct cursor *c, uint8_t first, struct x86_insn *out)
{
    uint8_t b1, b2, b3, op, reg;
    unsigned map;
    if (take(c, &b1) < 0)
        return -1;
    if (first == 0xc5) {
        map = 1;
    } else if (first == 0xc4) {
        if (take(c, &b2) < 0)
            return -1;
        map = b1 & 0x1f;
    } else {
        if (take(c, &b2) < 0 || take(c, &b3) < 0)
            return -1;
        map = b1 & 0x07;
    }
    if (map < 1 || map > 3)
        return -1;
    if (take(c, &op) < 0)
        return -1;
    if (map == 1 && op == 0x77)
        return 0;   /* vzeroupper/vzeroall: the one VEX opcode without ModRM */
    if (modrm(c, &reg, out) < 0)
        return -1;
    bool ib = map == 3 || (map == 1 && (map2[op] & 0x0f) == I_B);
    return ib ? skip(c, 1) : 0;
}

int x86_decode(const uint8_t *code, size_t avail, struct x86_insn *out)
{
    struct cursor c = { .p = code, .avail = avail, .pos = 0 };
    bool opsize16 = false, addr32 = false, rexw = false;
    uint8_t b, reg = 0;
    *out = (struct x86_insn){ 0 };

    for (;;) {
        if (take(&c, &b) < 0)
            return -1;
        if (b == 0x66) {
            opsize16 = true;
        } else if (b == 0x67) {
            addr32 = true;
        } else if (b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e ||
                   b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65) {
            /* lock, rep, segment overrides: no effect on length */
        } else {
            break;
        }
    }
    /* REX only counts immediately before the opcode. */
    if ((b & 0xf0) == 0x40) {
        rexw = (b & 8) != 0;
        if (take(&c, &b) < 0)
            return -1;
    }

    uint8_t kind;
    if (b == 0xc4 || b == 0xc5 || b == 0x62) {
        if (decode_vex(&c, b, out) < 0)
            return -1;
        kind = 0;
    } else if (b == 0x0f) {
        if (take(&c, &b) < 0)
            return -1;
        if (b == 0x38 || b == 0x3a) {
            bool ib = b == 0x3a;
            if (take(&c, &b) < 0 || modrm(&c, &reg, out) < 0)
                return -1;
            kind = ib ? I_B : 0;
        } else {
            kind = map2[b];
            if (kind & BAD)
                return -1;
            if ((kind & M) && modrm(&c, &reg, out) < 0)
                return -1;
        }
    } else {
        if ((b & 0xf0) == 0x40)
            return -1;  /* two REX prefixes */
        kind = map1[b];
        if (kind & BAD)
            return -1;
        if ((kind & M) && modrm(&c, &reg, out) < 0)
            return -1;
    }
    if (skip(&c, imm_size(kind, opsize16, rexw, addr32, reg)) < 0)
        return -1;
    out->len = (uint8_t)c.pos;
    return 0;
}

int x86_riprel_scan(const uint8_t *code, size_t len, uint64_t addr, x86_riprel_cb cb,
                    void *ctx, size_t *bad_off)
{
    size_t off = 0;
    while (off < len) {
        struct x86_insn in;
        if (x86_decode(code + off, len - off, &in) < 0) {
            if (bad_off)
                *bad_off = off;
            return -1;
        }
        if (in.riprel) {
            uint64_t next = addr + off + in.len;
            int rc = cb(ctx, addr + off, next + (uint64_t)(int64_t)in.disp);
            if (rc)
                return rc;
        }
        off += in.len;
    }
    return 0;
}
