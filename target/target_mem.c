/* target_mem: bounded, batched reads of another process's memory. */
#define _GNU_SOURCE
#include "target/target_mem.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* Count how many whole requests fit in the first `got` bytes. */
static int complete_requests(const struct mem_req *reqs, size_t n, size_t got)
{
    size_t done = 0;
    while (done < n && reqs[done].len <= got) {
        got -= reqs[done].len;
        done++;
    }
    return (int)done;
}

static int live_readv(void *ctx, const struct mem_req *reqs, size_t n)
{
    pid_t pid = *(pid_t *)ctx;
    struct iovec local[64], remote[64];
    size_t total = 0;
    while (total < n) {
        size_t chunk = n - total;
        if (chunk > sizeof(local) / sizeof(local[0]))
            chunk = sizeof(local) / sizeof(local[0]);
        size_t want = 0;
        for (size_t i = 0; i < chunk; i++) {
            const struct mem_req *q = &reqs[total + i];
            local[i] = (struct iovec){ .iov_base = q->buf, .iov_len = q->len };
            remote[i] = (struct iovec){ .iov_base = (void *)(uintptr_t)q->addr,
                                        .iov_len = q->len };
            want += q->len;
        }
        ssize_t got = process_vm_readv(pid, local, chunk, remote, chunk, 0);
        if (got < 0) {
            /* EFAULT on the first iovec: nothing readable at all. */
            if (errno == EFAULT)
                return (int)total;
            return -errno;
        }
        int done = complete_requests(&reqs[total], chunk, (size_t)got);
        total += (size_t)done;
        if ((size_t)got < want)
            return (int)total;
    }
    return (int)total;
}

struct mem_reader target_mem_live(pid_t *pid)
{
    return (struct mem_reader){ .readv = live_readv, .ctx = pid };
}

int target_mem_read(const struct mem_reader *r, uint64_t addr, void *buf, size_t len)
{
    struct mem_req q = { .addr = addr, .buf = buf, .len = len };
    int rc = r->readv(r->ctx, &q, 1);
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : -EFAULT;
}

static int image_readv(void *ctx, const struct mem_req *reqs, size_t n)
{
    const struct mem_image *img = ctx;
    for (size_t i = 0; i < n; i++) {
        const struct mem_req *q = &reqs[i];
        if (q->addr < img->base || q->addr - img->base > img->len ||
            q->len > img->len - (q->addr - img->base))
            return (int)i;
        memcpy(q->buf, img->data + (q->addr - img->base), q->len);
    }
    return (int)n;
}

struct mem_reader target_mem_image(struct mem_image *img)
{
    return (struct mem_reader){ .readv = image_readv, .ctx = img };
}
