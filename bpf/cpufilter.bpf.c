/* cpufilter.bpf.c: the on-CPU sampler's per-CPU cpu-clock events interrupt whatever runs
 * on each CPU; this program, attached to each event, keeps the samples of the target's
 * threads and drops the rest before the kernel copies their call chain and stack. Per-CPU
 * events cost the target nothing at its context switches, where per-thread events add
 * about a microsecond to every one (the kernel switches their context and re-arms their
 * timer): a Go program that blocks and wakes often paid that without a sample taken. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cpufilter.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load: the target as gmptop's pid namespace numbers it, and
 * that namespace (the device and inode of /proc/self/ns/pid). */
const volatile __u64 pidns_dev = 0;
const volatile __u64 pidns_ino = 0;
const volatile __u32 target_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, CPUFILTER_NCOUNTERS);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 slot)
{
    __u64 *c = bpf_map_lookup_elem(&counts, &slot);
    if (c)
        (*c)++;
}

SEC("perf_event")
int keep_target(void *ctx)
{
    struct bpf_pidns_info ns = {};
    /* Fails for a task outside gmptop's namespace (it cannot be the target). */
    if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)) ||
        ns.tgid != target_tgid) {
        count(CPUFILTER_DROPPED);
        return 0;
    }
    count(CPUFILTER_KEPT);
    return 1;
}
