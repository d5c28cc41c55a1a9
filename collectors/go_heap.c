/* go_heap: a few addresses inside the target's Go heap, from runtime.allp. */
#include "collectors/go_heap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target/go_binary.h"
#include "target/go_globals.h"
#include "target/go_offsets.h"
#include "target/target_mem.h"

#define MAX_PS 1024

int go_heap_anchors(const struct target *t, uint64_t *out, size_t max, char *why,
                    size_t len)
{
    if (!t || !t->bin || max == 0) {
        snprintf(why, len, "no Go binary");
        return -EINVAL;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
    struct go_offsets off;
    if (go_offsets_load(t->bin, path, &off, why, len) != 0)
        return -ENOTSUP;
    uint64_t bias = 0;
    int rc = go_binary_load_bias(t->bin, t->pid, &bias);
    if (rc < 0) {
        snprintf(why, len, "no load address: %s", strerror(-rc));
        return rc;
    }
    pid_t pid = t->pid;
    struct mem_reader mem = target_mem_live(&pid);
    if (!off.global[GO_GLOBAL_ALLP] &&
        go_globals_resolve(path, t->bin, &off, &mem, bias, t->pid, why, len) != 0)
        return -ENOTSUP;
    if (!off.global[GO_GLOBAL_ALLP]) {
        snprintf(why, len, "runtime.allp not found");
        return -ENOENT;
    }
    uint64_t hdr[3], ps[MAX_PS];
    rc = target_mem_read(&mem, off.global[GO_GLOBAL_ALLP] + bias, hdr, sizeof(hdr));
    if (rc == 0 && (hdr[1] == 0 || hdr[1] > MAX_PS || hdr[2] < hdr[1] || !hdr[0]))
        rc = -EAGAIN;
    if (rc == 0)
        rc = target_mem_read(&mem, hdr[0], ps, hdr[1] * 8);
    if (rc != 0) {
        snprintf(why, len, "reading runtime.allp: %s", strerror(-rc));
        return rc;
    }
    size_t n = 0;
    out[n++] = hdr[0];
    for (size_t i = 0; i < hdr[1] && n < max; i++)
        if (ps[i])
            out[n++] = ps[i];
    return (int)n;
}
