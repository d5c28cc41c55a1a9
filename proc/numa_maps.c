/* numa_maps: pure parser for /proc/PID/numa_maps lines (no I/O; fuzzed and unit-tested). */
#include "proc/numa_maps.h"

#include <errno.h>
#include <string.h>

/* Tokens are [p, end): every helper stays inside them, nothing needs a NUL. */
struct tok {
    const char *p;
    size_t n;
};

static bool tok_eq(struct tok t, const char *s)
{
    size_t n = strlen(s);
    return t.n == n && memcmp(t.p, s, n) == 0;
}

static bool tok_prefix(struct tok t, const char *s, struct tok *rest)
{
    size_t n = strlen(s);
    if (t.n < n || memcmp(t.p, s, n) != 0)
        return false;
    rest->p = t.p + n;
    rest->n = t.n - n;
    return true;
}

/* Strict decimal: digits only, no sign, no overflow. */
static bool parse_u64(struct tok t, uint64_t *out)
{
    if (t.n == 0 || t.n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t.n; i++) {
        unsigned d = (unsigned char)t.p[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void copy_tok(char *dst, size_t size, struct tok t)
{
    size_t n = t.n < size - 1 ? t.n : size - 1;
    memcpy(dst, t.p, n);
    dst[n] = '\0';
}

/* The kernel escapes space, tab, newline and '=' in paths as \ooo (seq_file_path);
 * anything else, a lone backslash included, is printed as is. */
static void unescape_path(struct numa_maps_entry *e, struct tok t)
{
    size_t o = 0;
    for (size_t i = 0; i < t.n; i++) {
        char c = t.p[i];
        if (c == '\\' && i + 3 < t.n) {
            const char *q = t.p + i + 1;
            if (q[0] >= '0' && q[0] <= '3' && q[1] >= '0' && q[1] <= '7' && q[2] >= '0'
                && q[2] <= '7') {
                c = (char)((q[0] - '0') * 64 + (q[1] - '0') * 8 + (q[2] - '0'));
                i += 3;
            }
        }
        if (o + 1 >= sizeof(e->path)) {
            e->path_truncated = true;
            break;
        }
        e->path[o++] = c;
    }
    e->path[o] = '\0';
}

struct mode_name {
    const char *name;
    enum numa_maps_mode mode;
};

/* Longest first where one name is a prefix of another ("prefer (many)" / "prefer"). */
static const struct mode_name modes[] = {
    { "weighted interleave", NUMA_MODE_WEIGHTED_INTERLEAVE },
    { "prefer (many)", NUMA_MODE_PREFER_MANY },
    { "interleave", NUMA_MODE_INTERLEAVE },
    { "default", NUMA_MODE_DEFAULT },
    { "prefer", NUMA_MODE_PREFER },
    { "local", NUMA_MODE_LOCAL },
    { "bind", NUMA_MODE_BIND },
};

const char *numa_maps_mode_name(enum numa_maps_mode m)
{
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (modes[i].mode == m)
            return modes[i].name;
    return "unknown";
}

static bool policy_end(char c) { return c == ' ' || c == '=' || c == ':'; }

/* The policy: MODE[=FLAG[|FLAG]][:NODELIST]. Two modes contain a space, so they are
 * matched by name before splitting on spaces. Returns the bytes used, or 0. */
static size_t parse_policy(const char *p, size_t n, struct numa_maps_entry *e)
{
    size_t i = 0;
    e->mode = NUMA_MODE_UNKNOWN;
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        size_t k = strlen(modes[m].name);
        if (n >= k && memcmp(p, modes[m].name, k) == 0 && (k == n || policy_end(p[k]))) {
            e->mode = modes[m].mode;
            i = k;
            break;
        }
    }
    if (e->mode == NUMA_MODE_UNKNOWN)
        while (i < n && !policy_end(p[i]))
            i++;
    if (i == 0)
        return 0;
    if (i < n && p[i] == '=') {
        size_t s = ++i;
        while (i < n && p[i] != ' ' && p[i] != ':')
            i++;
        struct tok f = { p + s, i - s };
        while (f.n) {
            size_t k = 0;
            while (k < f.n && f.p[k] != '|')
                k++;
            struct tok one = { f.p, k };
            if (tok_eq(one, "static"))
                e->flags |= NUMA_FLAG_STATIC;
            else if (tok_eq(one, "relative"))
                e->flags |= NUMA_FLAG_RELATIVE;
            else if (tok_eq(one, "balancing"))
                e->flags |= NUMA_FLAG_BALANCING;
            f.p += k < f.n ? k + 1 : k;
            f.n -= k < f.n ? k + 1 : k;
        }
    }
    if (i < n && p[i] == ':') {
        size_t s = ++i;
        while (i < n && p[i] != ' ')
            i++;
        copy_tok(e->nodelist, sizeof(e->nodelist), (struct tok){ p + s, i - s });
    }
    copy_tok(e->policy, sizeof(e->policy), (struct tok){ p, i });
    return i;
}

struct counter_field {
    const char *key;
    size_t off;
    unsigned bit;
};

static const struct counter_field counters[] = {
    { "anon=", offsetof(struct numa_maps_entry, anon), NUMA_HAVE_ANON },
    { "dirty=", offsetof(struct numa_maps_entry, dirty), NUMA_HAVE_DIRTY },
    { "mapped=", offsetof(struct numa_maps_entry, mapped), NUMA_HAVE_MAPPED },
    { "mapmax=", offsetof(struct numa_maps_entry, mapmax), NUMA_HAVE_MAPMAX },
    { "swapcache=", offsetof(struct numa_maps_entry, swapcache), NUMA_HAVE_SWAPCACHE },
    { "active=", offsetof(struct numa_maps_entry, active), NUMA_HAVE_ACTIVE },
    { "writeback=", offsetof(struct numa_maps_entry, writeback), NUMA_HAVE_WRITEBACK },
    { "kernelpagesize_kB=", offsetof(struct numa_maps_entry, kernelpagesize_kb),
      NUMA_HAVE_PAGESIZE },
};

static bool parse_node_field(struct numa_maps_entry *e, struct tok t)
{
    /* N<node>=<pages> */
    if (t.n < 4 || t.p[0] != 'N')
        return false;
    size_t eq = 1;
    while (eq < t.n && t.p[eq] != '=')
        eq++;
    uint64_t node, pages;
    if (eq >= t.n || !parse_u64((struct tok){ t.p + 1, eq - 1 }, &node)
        || !parse_u64((struct tok){ t.p + eq + 1, t.n - eq - 1 }, &pages))
        return false;
    if (node < NUMA_MAPS_MAX_NODES) {
        e->node_pages[node] += pages;
        e->nodes_present[node / 64] |= 1ULL << (node % 64);
    } else {
        e->other_pages += pages;
    }
    e->total_pages += pages;
    return true;
}

static void parse_field(struct numa_maps_entry *e, struct tok t)
{
    struct tok v;
    if (tok_prefix(t, "file=", &v)) {
        e->backing = NUMA_BACK_FILE;
        unescape_path(e, v);
        return;
    }
    if (tok_eq(t, "heap")) {
        e->backing = NUMA_BACK_HEAP;
        return;
    }
    if (tok_eq(t, "stack")) {
        e->backing = NUMA_BACK_STACK;
        return;
    }
    if (tok_eq(t, "huge")) {
        e->huge = true;
        return;
    }
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        if (tok_prefix(t, counters[i].key, &v)) {
            uint64_t x;
            if (!parse_u64(v, &x))
                break;
            memcpy((char *)e + counters[i].off, &x, sizeof(x));
            e->have |= counters[i].bit;
            return;
        }
    }
    if (parse_node_field(e, t))
        return;
    e->unknown_fields++;
}

int numa_maps_parse_line(const char *line, size_t len, struct numa_maps_entry *e)
{
    memset(e, 0, sizeof(*e));
    size_t i = 0, digits = 0;
    uint64_t addr = 0;
    while (i < len && hexval(line[i]) >= 0) {
        if (++digits > 16)
            return -EINVAL;
        addr = addr << 4 | (uint64_t)hexval(line[i]);
        i++;
    }
    if (digits == 0 || i >= len || line[i] != ' ')
        return -EINVAL;
    e->addr = addr;
    i++;
    size_t used = parse_policy(line + i, len - i, e);
    if (used == 0)
        return -EINVAL;
    i += used;
    while (i < len) {
        while (i < len && line[i] == ' ')
            i++;
        size_t s = i;
        while (i < len && line[i] != ' ')
            i++;
        if (i > s)
            parse_field(e, (struct tok){ line + s, i - s });
    }
    return 0;
}

int numa_maps_parse(const char *buf, size_t len,
                    int (*cb)(void *ctx, const struct numa_maps_entry *e), void *ctx,
                    size_t *bad)
{
    struct numa_maps_entry e;
    size_t pos = 0;
    int count = 0;
    if (bad)
        *bad = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        if (n > 0) {
            if (numa_maps_parse_line(buf + pos, n, &e) == 0) {
                int r = cb(ctx, &e);
                if (r < 0)
                    return r;
                if (count < INT32_MAX)
                    count++;
            } else if (bad) {
                (*bad)++;
            }
        }
        pos += n + (nl ? 1 : 0);
    }
    return count;
}

uint64_t numa_maps_base_pages(const struct numa_maps_entry *e, int node, uint64_t base_kb)
{
    uint64_t pages = node < 0 ? e->total_pages
                   : node < NUMA_MAPS_MAX_NODES ? e->node_pages[node] : 0;
    /* Only hugetlb counts in its own page size; THP is already in base pages. */
    if (!e->huge || base_kb == 0 || e->kernelpagesize_kb <= base_kb)
        return pages;
    uint64_t mul = e->kernelpagesize_kb / base_kb;
    return pages > UINT64_MAX / mul ? UINT64_MAX : pages * mul;
}
