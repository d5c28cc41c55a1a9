/* target_mem: bounded, batched reads of another process's memory, behind an interface
 * so decoders can be fed recorded or hostile bytes exactly as the live path feeds them. */
#ifndef GMPTOP_TARGET_MEM_H
#define GMPTOP_TARGET_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mem_req {
    uint64_t addr;     /* address in the target */
    void *buf;         /* local destination */
    size_t len;
};

/* Reads reqs[0..n) in order. Returns how many requests were filled completely (the
 * rest are untouched), or -errno: -ESRCH when the process is gone, -EPERM/-EACCES
 * without permission. A short count means an unmapped or unreadable address. */
struct mem_reader {
    int (*readv)(void *ctx, const struct mem_req *reqs, size_t n);
    void *ctx;
};

/* The live reader: process_vm_readv(2) in as few calls as IOV_MAX allows; never stops,
 * signals or writes to the target. ctx holds the pid. */
struct mem_reader target_mem_live(pid_t *pid);

/* Convenience: one request; 0 on a complete read, -EFAULT on a short one, -errno. */
int target_mem_read(const struct mem_reader *r, uint64_t addr, void *buf, size_t len);

/* A reader over a fixed image of memory [base, base+len): for tests and fuzzing. */
struct mem_image {
    uint64_t base;
    const uint8_t *data;
    size_t len;
};
struct mem_reader target_mem_image(struct mem_image *img);

#endif
