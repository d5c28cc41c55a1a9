/* park.bpf.c: goroutine park and wake-to-run latency from one uprobe on
 * runtime.casgstatus(gp=RAX, old=EBX, new=ECX), filed into log2 histograms per wait
 * reason in per-CPU maps; user space only reads the cumulative maps once per refresh. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "park.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load: where g.waitreason (one byte) lives. */
const volatile __u32 waitreason_off = 0;

/* Attach generation, bumped by the loader each time the probe is (re)attached: a start
 * recorded in an earlier window may have ended unseen while the probe was detached. */
__u32 gen = 0;

/* Keyed by the g pointer: a goroutine has at most one park and one runnable period open. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, PARK_MAX_GS);
    __type(key, __u64);
    __type(value, struct park_start);
} starts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, PARK_MAX_GS);
    __type(key, __u64);
    __type(value, struct park_start);
} runnable SEC(".maps");

/* Per-CPU so the hot path needs no atomic instruction; user space sums the CPUs. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, PARK_NHISTS);
    __type(key, __u32);
    __type(value, struct park_hist);
} hists SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct park_counters);
} counters SEC(".maps");

static __always_inline __u32 slot_of(__u64 d)
{
    if (d >= PARK_SCALE_MAX_NS)
        return PARK_SLOTS - 1;
    __u64 v = d * PARK_SCALE_MUL / PARK_SCALE_DIV;
    __u32 r = 0, shift;
    shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
    shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
    shift = (v > 0xff) << 3; v >>= shift; r |= shift;
    shift = (v > 0xf) << 2; v >>= shift; r |= shift;
    shift = (v > 0x3) << 1; v >>= shift; r |= shift;
    r |= (__u32)(v >> 1);
    return r < PARK_SLOTS ? r : PARK_SLOTS - 1;
}

static __always_inline void file_duration(__u32 idx, __u64 d)
{
    struct park_hist *h = bpf_map_lookup_elem(&hists, &idx);
    if (!h)
        return;
    __u32 s = slot_of(d);
    /* The compiler knows s < PARK_SLOTS and would drop the check the verifier needs. */
    asm volatile("" : "+r"(s));
    h->count++;
    h->sum_ns += d;
    if (d > h->max_ns)
        h->max_ns = d;
    if (s < PARK_SLOTS)
        h->slots[s]++;
}

SEC("uprobe")
int on_casgstatus(struct pt_regs *ctx)
{
    __u32 zero = 0;
    struct park_counters *c = bpf_map_lookup_elem(&counters, &zero);
    if (!c)
        return 0;
    c->c[PARK_C_CALLS]++;
    __u64 gp = ctx->ax;
    /* 32-bit arguments: the upper halves of RBX/RCX are not defined by Go's ABI. */
    __u32 old = (__u32)ctx->bx, new = (__u32)ctx->cx;
    __u64 now = bpf_ktime_get_ns();
    __u32 g = gen;

    if (old == PARK_G_WAITING) {
        struct park_start *s = bpf_map_lookup_elem(&starts, &gp);
        if (!s) {
            c->c[PARK_C_NO_START]++;
        } else {
            if (s->gen != g) {
                c->c[PARK_C_STALE]++;
            } else {
                file_duration(s->reason, now - s->ts_ns);
                c->c[PARK_C_PARK_END]++;
            }
            bpf_map_delete_elem(&starts, &gp);
        }
    }
    if (new == PARK_G_RUNNABLE) {
        struct park_start r = { .ts_ns = now, .reason = 0, .gen = g };
        bpf_map_update_elem(&runnable, &gp, &r, BPF_ANY);
        c->c[PARK_C_RUNNABLE]++;
    } else if (new == PARK_G_RUNNING && old == PARK_G_RUNNABLE) {
        struct park_start *r = bpf_map_lookup_elem(&runnable, &gp);
        if (r) {
            if (r->gen == g) {
                file_duration(PARK_HIST_WAKE, now - r->ts_ns);
                c->c[PARK_C_RUN]++;
            }
            bpf_map_delete_elem(&runnable, &gp);
        }
    } else if (new == PARK_G_WAITING && old == PARK_G_RUNNING) {
        /* gopark stores the reason in gp.waitreason before it switches the status. */
        __u8 reason = 0;
        if (bpf_probe_read_user(&reason, sizeof(reason), (void *)(gp + waitreason_off)) ||
            reason >= PARK_MAX_REASONS) {
            c->c[PARK_C_BAD_REASON]++;
            return 0;
        }
        struct park_start s = { .ts_ns = now, .reason = reason, .gen = g };
        bpf_map_update_elem(&starts, &gp, &s, BPF_ANY);
        c->c[PARK_C_PARK_START]++;
    }
    return 0;
}
