/* proc_parse: pure parsers for /proc text files (no I/O but proc_read_file). */
#include "proc/proc_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Every parser walks [p, end) through this cursor: the input comes from the kernel
 * but also from fuzzers and recordings, so it need not be NUL-terminated and nothing
 * may be read at or past end. */
struct cursor {
    const char *p;
    const char *end;
};

static bool cur_eof(const struct cursor *c) { return c->p >= c->end; }

static bool is_space(char ch) { return ch == ' ' || ch == '\t'; }

static void skip_blanks(struct cursor *c)
{
    while (!cur_eof(c) && is_space(*c->p))
        c->p++;
}

/* Unsigned decimal with overflow detection; false when no digit or it overflows. */
static bool take_u64(struct cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    const char *start = c->p;
    while (!cur_eof(c) && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        c->p++;
    }
    if (c->p == start)
        return false;
    *out = v;
    return true;
}

static bool take_i64(struct cursor *c, int64_t *out)
{
    bool neg = false;
    uint64_t v;
    if (!cur_eof(c) && (*c->p == '-' || *c->p == '+')) {
        neg = *c->p == '-';
        c->p++;
    }
    if (!take_u64(c, &v))
        return false;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

static bool take_int(struct cursor *c, int *out)
{
    int64_t v;
    if (!take_i64(c, &v) || v < -2147483647 - 1 || v > 2147483647)
        return false;
    *out = (int)v;
    return true;
}

/* A number that must end at a field boundary (blank, newline or end of input). */
static bool at_boundary(const struct cursor *c)
{
    return cur_eof(c) || is_space(*c->p) || *c->p == '\n';
}

/* Skip one blank-separated token on the current line; false when there is none. */
static bool skip_token(struct cursor *c)
{
    skip_blanks(c);
    const char *start = c->p;
    while (!cur_eof(c) && !is_space(*c->p) && *c->p != '\n')
        c->p++;
    return c->p != start;
}

/* Copy [s, s+n) into dst (size dsize), truncating, always NUL-terminated. */
static void copy_span(char *dst, size_t dsize, const char *s, size_t n)
{
    if (dsize == 0)
        return;
    if (n > dsize - 1)
        n = dsize - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* ---- /proc/PID/stat ------------------------------------------------------------------ */

static bool stat_u64(struct cursor *c, uint64_t *out)
{
    skip_blanks(c);
    return take_u64(c, out) && at_boundary(c);
}

static bool stat_i64(struct cursor *c, int64_t *out)
{
    skip_blanks(c);
    return take_i64(c, out) && at_boundary(c);
}

static bool stat_int(struct cursor *c, int *out)
{
    skip_blanks(c);
    return take_int(c, out) && at_boundary(c);
}

static bool stat_skip(struct cursor *c, int n)
{
    for (int i = 0; i < n; i++)
        if (!skip_token(c))
            return false;
    return true;
}

/* Fields after the comm, numbered as in proc(5): 3 state ... 39 processor. All of them
 * up to the processor are required, so a truncated line is rejected rather than read
 * as zeros. */
static bool stat_after_comm(struct cursor *c, struct proc_stat *out)
{
    skip_blanks(c);
    if (cur_eof(c) || *c->p == '\n')
        return false;
    out->state = *c->p++;
    if (!at_boundary(c))
        return false;
    return stat_int(c, &out->ppid)
        && stat_skip(c, 9)                      /* 5 pgrp .. 13 cmajflt */
        && stat_u64(c, &out->utime)             /* 14 */
        && stat_u64(c, &out->stime)             /* 15 */
        && stat_skip(c, 4)                      /* 16 cutime .. 19 nice */
        && stat_i64(c, &out->num_threads)       /* 20 */
        && stat_skip(c, 1)                      /* 21 itrealvalue */
        && stat_u64(c, &out->starttime)         /* 22 */
        && stat_u64(c, &out->vsize)             /* 23 */
        && stat_i64(c, &out->rss_pages)         /* 24 */
        && stat_skip(c, 1)                      /* 25 rsslim */
        && stat_u64(c, &out->startcode)         /* 26 */
        && stat_skip(c, 1)                      /* 27 endcode */
        && stat_u64(c, &out->startstack)        /* 28 */
        && stat_skip(c, 10)                     /* 29 kstkesp .. 38 exit_signal */
        && stat_int(c, &out->processor);        /* 39 */
}

int proc_parse_stat(const char *buf, size_t len, struct proc_stat *out)
{
    if (!buf || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->processor = -1;

    struct cursor c = { buf, buf + len };
    skip_blanks(&c);
    if (!take_int(&c, &out->pid) || cur_eof(&c) || *c.p != ' ')
        return -EINVAL;
    c.p++;
    if (cur_eof(&c) || *c.p != '(')
        return -EINVAL;
    const char *comm = c.p + 1;
    /* comm is whatever the task named itself, ')' and spaces included: only the last
     * ')' in the line can close it. */
    const char *line_end = memchr(comm, '\n', (size_t)(c.end - comm));
    if (!line_end)
        line_end = c.end;
    const char *close = NULL;
    for (const char *q = line_end; q > comm; q--) {
        if (q[-1] == ')') {
            close = q - 1;
            break;
        }
    }
    if (!close)
        return -EINVAL;
    copy_span(out->comm, sizeof(out->comm), comm, (size_t)(close - comm));
    c.p = close + 1;
    c.end = line_end;
    if (!stat_after_comm(&c, out))
        return -EINVAL;
    return 0;
}

/* ---- "key : value" and "Key:\tvalue" line files --------------------------------------- */

/* Split the line at c into key (trimmed) and value start; c ends at the next line. */
struct kv {
    const char *key;
    size_t klen;
    struct cursor val;   /* the value, up to the end of the line */
};

static bool next_kv(struct cursor *c, struct kv *kv)
{
    while (!cur_eof(c)) {
        const char *ls = c->p;
        const char *le = memchr(ls, '\n', (size_t)(c->end - ls));
        if (!le)
            le = c->end;
        c->p = le < c->end ? le + 1 : le;
        const char *colon = memchr(ls, ':', (size_t)(le - ls));
        if (!colon)
            continue;
        const char *ke = colon;
        while (ke > ls && is_space(ke[-1]))
            ke--;
        while (ls < ke && is_space(*ls))
            ls++;
        kv->key = ls;
        kv->klen = (size_t)(ke - ls);
        kv->val.p = colon + 1;
        kv->val.end = le;
        skip_blanks(&kv->val);
        return true;
    }
    return false;
}

static bool key_is(const struct kv *kv, const char *name)
{
    size_t n = strlen(name);
    return kv->klen == n && memcmp(kv->key, name, n) == 0;
}

/* A value that is exactly one unsigned number (trailing blanks allowed). */
static bool kv_u64(struct kv *kv, uint64_t *out)
{
    uint64_t v;
    if (!take_u64(&kv->val, &v))
        return false;
    skip_blanks(&kv->val);
    if (!cur_eof(&kv->val))
        return false;
    *out = v;
    return true;
}

/* sum_exec_runtime is printed as "ms.nnnnnn"; parse it without strtod, which would
 * need a NUL terminator inside the caller's buffer. */
static bool kv_millis(struct kv *kv, double *out)
{
    uint64_t ip, frac = 0;
    double scale = 1.0;
    if (!take_u64(&kv->val, &ip))
        return false;
    if (!cur_eof(&kv->val) && *kv->val.p == '.') {
        kv->val.p++;
        while (!cur_eof(&kv->val) && *kv->val.p >= '0' && *kv->val.p <= '9') {
            if (scale < 1e18) {
                frac = frac * 10 + (uint64_t)(*kv->val.p - '0');
                scale *= 10.0;
            }
            kv->val.p++;
        }
    }
    skip_blanks(&kv->val);
    if (!cur_eof(&kv->val))
        return false;
    *out = (double)ip + (double)frac / scale;
    return true;
}

int proc_parse_sched(const char *buf, size_t len, struct proc_sched *out)
{
    if (!buf || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    struct cursor c = { buf, buf + len };
    struct kv kv;
    while (next_kv(&c, &kv)) {
        if (key_is(&kv, "se.nr_migrations"))
            out->have_migrations = kv_u64(&kv, &out->nr_migrations);
        else if (key_is(&kv, "nr_switches"))
            out->have_switches = kv_u64(&kv, &out->nr_switches);
        else if (key_is(&kv, "nr_voluntary_switches"))
            out->have_voluntary = kv_u64(&kv, &out->nr_voluntary);
        else if (key_is(&kv, "nr_involuntary_switches"))
            out->have_involuntary = kv_u64(&kv, &out->nr_involuntary);
        else if (key_is(&kv, "se.sum_exec_runtime"))
            out->have_exec_runtime = kv_millis(&kv, &out->sum_exec_runtime_ms);
    }
    int found = out->have_migrations + out->have_switches + out->have_voluntary
          + out->have_involuntary + out->have_exec_runtime;
    return found ? 0 : -EINVAL;
}

int proc_parse_schedstat(const char *buf, size_t len, struct proc_schedstat *out)
{
    if (!buf || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    struct cursor c = { buf, buf + len };
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        skip_blanks(&c);
        if (!take_u64(&c, &v[i]) || !at_boundary(&c))
            return -EINVAL;
    }
    out->run_ns = v[0];
    out->run_delay_ns = v[1];
    out->timeslices = v[2];
    return 0;
}

/* A CPU/memory list too long for the fixed field is cut at a comma and marked with
 * "...", so it reads as incomplete instead of as a smaller, wrong set. */
static bool kv_list(struct kv *kv, char *dst, size_t dsize)
{
    const char *s = kv->val.p, *e = kv->val.end;
    while (e > s && is_space(e[-1]))
        e--;
    size_t n = (size_t)(e - s);
    if (n < dsize) {
        copy_span(dst, dsize, s, n);
        return true;
    }
    size_t keep = dsize - 5;
    while (keep > 0 && s[keep] != ',')
        keep--;
    copy_span(dst, dsize, s, keep);
    memcpy(dst + keep, ",...", 5);
    return true;
}

static void status_line(struct kv *kv, struct proc_status *out, int *found)
{
    uint64_t a, b;
    (*found)++;
    if (key_is(kv, "Name")) {
        const char *e = kv->val.end;
        copy_span(out->name, sizeof(out->name), kv->val.p, (size_t)(e - kv->val.p));
    } else if (key_is(kv, "State")) {
        if (!cur_eof(&kv->val))
            out->state = *kv->val.p;
    } else if (key_is(kv, "Uid")) {
        bool ok = take_u64(&kv->val, &a);
        skip_blanks(&kv->val);
        if (ok && take_u64(&kv->val, &b) && a <= UINT32_MAX && b <= UINT32_MAX) {
            out->uid_real = (unsigned)a;
            out->uid_effective = (unsigned)b;
            out->have_uid = true;
        }
    } else if (key_is(kv, "Cpus_allowed_list")) {
        out->have_cpus_allowed = kv_list(kv, out->cpus_allowed_list,
                                         sizeof(out->cpus_allowed_list));
    } else if (key_is(kv, "Mems_allowed_list")) {
        out->have_mems_allowed = kv_list(kv, out->mems_allowed_list,
                                         sizeof(out->mems_allowed_list));
    } else if (key_is(kv, "Threads")) {
        int64_t t;
        if (take_i64(&kv->val, &t) && t >= 0) {
            out->threads = t;
            out->have_threads = true;
        }
    } else if (key_is(kv, "VmRSS")) {
        /* "  1772 kB" */
        if (take_u64(&kv->val, &a)) {
            out->vm_rss_kb = a;
            out->have_rss = true;
        }
    } else {
        (*found)--;
    }
}

int proc_parse_status(const char *buf, size_t len, struct proc_status *out)
{
    if (!buf || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    struct cursor c = { buf, buf + len };
    struct kv kv;
    int found = 0;
    unsigned ctxt = 0;
    while (next_kv(&c, &kv)) {
        /* have_ctxt needs both counters, so the halves are tracked in ctxt. */
        if (key_is(&kv, "voluntary_ctxt_switches")) {
            if (kv_u64(&kv, &out->vol_ctxt))
                ctxt |= 1;
            found++;
        } else if (key_is(&kv, "nonvoluntary_ctxt_switches")) {
            if (kv_u64(&kv, &out->nonvol_ctxt))
                ctxt |= 2;
            found++;
        } else {
            status_line(&kv, out, &found);
        }
    }
    out->have_ctxt = ctxt == 3;
    return found ? 0 : -EINVAL;
}

/* ---- CPU lists ------------------------------------------------------------------------ */

int proc_parse_cpulist(const char *list, uint64_t *bits, size_t nbits)
{
    if (!list)
        return -EINVAL;
    if (bits)
        memset(bits, 0, ((nbits + 63) / 64) * sizeof(uint64_t));
    struct cursor c = { list, list + strlen(list) };
    /* sysfs files end in a newline; an empty list ("" or "\n") is a valid empty set. */
    while (c.end > c.p && (c.end[-1] == '\n' || is_space(c.end[-1])))
        c.end--;
    int count = 0;
    while (!cur_eof(&c)) {
        uint64_t lo, hi;
        if (!take_u64(&c, &lo))
            return -EINVAL;
        hi = lo;
        if (!cur_eof(&c) && *c.p == '-') {
            c.p++;
            if (!take_u64(&c, &hi))
                return -EINVAL;
        }
        /* Checked before the loop below, so "0-4294967295" cannot spin or overflow. */
        if (hi < lo || hi >= nbits)
            return -EINVAL;
        for (uint64_t i = lo; i <= hi; i++) {
            if (bits && !(bits[i / 64] & (1ULL << (i % 64)))) {
                bits[i / 64] |= 1ULL << (i % 64);
                count++;
            } else if (!bits) {
                count++;
            }
        }
        if (cur_eof(&c))
            break;
        if (*c.p != ',')
            return -EINVAL;
        c.p++;
        if (cur_eof(&c))
            return -EINVAL;      /* trailing comma */
    }
    return count;
}

/* ---- /proc/stat ----------------------------------------------------------------------- */

/* One "cpuN user nice system idle [iowait irq softirq steal guest guest_nice]" line at
 * c. Returns 1 for a cpuN line (cpu, busy, total filled), 0 for any other line, -1
 * when it is a malformed cpuN line. guest time is already inside user/nice. */
static int cpu_line(struct cursor *c, int *cpu, uint64_t *busy, uint64_t *total)
{
    const char *ls = c->p;
    const char *le = memchr(ls, '\n', (size_t)(c->end - ls));
    if (!le)
        le = c->end;
    struct cursor l = { ls, le };
    c->p = le < c->end ? le + 1 : le;
    if (le - ls < 4 || memcmp(ls, "cpu", 3) != 0 || ls[3] < '0' || ls[3] > '9')
        return 0;
    l.p += 3;
    uint64_t n, v[8] = { 0 };
    if (!take_u64(&l, &n) || n > 1u << 20 || !at_boundary(&l))
        return -1;
    int nv = 0;
    for (;;) {
        skip_blanks(&l);
        if (cur_eof(&l))
            break;
        uint64_t x;
        if (!take_u64(&l, &x) || !at_boundary(&l))
            return -1;
        if (nv < 8)
            v[nv] = x;
        nv++;
    }
    if (nv < 4)
        return -1;
    /* Jiffies never come near 2^64; a sum that wraps means a corrupt line. */
    uint64_t b = 0, t;
    static const int busy_idx[] = { 0, 1, 2, 5, 6, 7 };
    for (size_t i = 0; i < sizeof(busy_idx) / sizeof(busy_idx[0]); i++)
        if (__builtin_add_overflow(b, v[busy_idx[i]], &b))
            return -1;
    if (__builtin_add_overflow(b, v[3], &t) || __builtin_add_overflow(t, v[4], &t))
        return -1;
    *cpu = (int)n;
    *busy = b;
    *total = t;
    return 1;
}

int proc_parse_cpu_stat(const char *buf, size_t len,
                        void (*cb)(void *ctx, int cpu, uint64_t busy, uint64_t total),
                        void *ctx)
{
    if (!buf)
        return -EINVAL;
    /* Validate everything first so a bad file never reaches cb half-delivered. */
    for (int pass = 0; pass < 2; pass++) {
        struct cursor c = { buf, buf + len };
        int count = 0;
        while (!cur_eof(&c)) {
            int cpu;
            uint64_t busy, total;
            int r = cpu_line(&c, &cpu, &busy, &total);
            if (r < 0)
                return -EINVAL;
            if (r == 0)
                continue;
            count++;
            if (pass == 1 && cb)
                cb(ctx, cpu, busy, total);
        }
        if (count == 0)
            return -EINVAL;
        if (pass == 1 || !cb)
            return count;
    }
    return -EINVAL;
}

/* ---- I/O ------------------------------------------------------------------------------ */

long proc_read_file(const char *path, char *buf, size_t size)
{
    if (!path || !buf || size == 0)
        return -EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    int err = 0;
    while (n < size - 1) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    /* A full buffer may hide more: report it rather than hand back a cut-off file
     * that would parse as a smaller, wrong one. */
    if (!err && n == size - 1) {
        char extra;
        ssize_t r;
        do
            r = read(fd, &extra, 1);
        while (r < 0 && errno == EINTR);
        if (r > 0)
            err = EFBIG;
        else if (r < 0)
            err = errno;
    }
    close(fd);
    buf[n] = '\0';
    if (err)
        return -err;
    return (long)n;
}
