/* x86_riprel: an x86-64 instruction length decoder that finds RIP-relative operands. */
#ifndef GMPTOP_X86_RIPREL_H
#define GMPTOP_X86_RIPREL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_insn {
    uint8_t len;      /* bytes, 1..15 */
    bool riprel;      /* has a [rip + disp32] memory operand */
    int32_t disp;     /* that displacement; the target is address + len + disp */
};

/* Decode one 64-bit-mode instruction at code[0..avail). Returns 0, or -1 when the bytes
 * are truncated, longer than 15 bytes, or an opcode this decoder does not know (invalid
 * in 64-bit mode, 3DNow!, XOP): the caller must then stop, since every later length
 * would be a guess. */
int x86_decode(const uint8_t *code, size_t avail, struct x86_insn *out);

/* Called for each RIP-relative operand: insn_addr is where the instruction starts,
 * target = insn_addr + len + disp. A nonzero return stops the scan and is returned. */
typedef int (*x86_riprel_cb)(void *ctx, uint64_t insn_addr, uint64_t target);

/* Decode code[0..len), which starts at address addr, from its first byte to its last.
 * Returns 0, a callback's nonzero value, or -1 with *bad_off (if not NULL) set to the
 * offset of the instruction that could not be decoded. */
int x86_riprel_scan(const uint8_t *code, size_t len, uint64_t addr, x86_riprel_cb cb,
                    void *ctx, size_t *bad_off);

#endif
