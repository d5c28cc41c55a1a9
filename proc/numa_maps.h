/* numa_maps: pure parser for /proc/PID/numa_maps lines (no I/O; fuzzed and unit-tested). */
#ifndef GMPTOP_NUMA_MAPS_H
#define GMPTOP_NUMA_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Node numbers at or above this are summed into other_pages instead of per node. */
#define NUMA_MAPS_MAX_NODES 64
#define NUMA_MAPS_PATH_LEN 256
#define NUMA_MAPS_POLICY_LEN 48

/* The memory policy modes the kernel prints (mm/mempolicy.c policy_modes[]). */
enum numa_maps_mode {
    NUMA_MODE_UNKNOWN = 0,   /* a mode this parser does not know: the text is kept */
    NUMA_MODE_DEFAULT,
    NUMA_MODE_PREFER,
    NUMA_MODE_BIND,
    NUMA_MODE_INTERLEAVE,
    NUMA_MODE_WEIGHTED_INTERLEAVE,
    NUMA_MODE_LOCAL,
    NUMA_MODE_PREFER_MANY,
    NUMA_MODE_COUNT
};

/* "=static", "=relative", "=balancing" (and "static|balancing") after the mode. */
enum numa_maps_flag {
    NUMA_FLAG_STATIC    = 1u << 0,
    NUMA_FLAG_RELATIVE  = 1u << 1,
    NUMA_FLAG_BALANCING = 1u << 2,
};

/* What backs the mapping, from file=, heap, stack or none of them. */
enum numa_maps_backing { NUMA_BACK_ANON = 0, NUMA_BACK_FILE, NUMA_BACK_HEAP, NUMA_BACK_STACK };

/* One line. Counters the kernel left out (it prints only non-zero ones) are 0 with
 * their have_ bit clear; page counts are in the mapping's kernel page size (huge pages
 * for hugetlb, base pages otherwise, THP included). */
struct numa_maps_entry {
    uint64_t addr;
    enum numa_maps_mode mode;
    unsigned flags;                       /* enum numa_maps_flag */
    char policy[NUMA_MAPS_POLICY_LEN];    /* the policy text as printed, e.g. "bind:0-1" */
    char nodelist[NUMA_MAPS_POLICY_LEN];  /* the part after ':' ("" when none) */
    enum numa_maps_backing backing;
    char path[NUMA_MAPS_PATH_LEN];        /* file=, \ooo escapes decoded, maybe truncated */
    bool path_truncated;
    bool huge;                            /* hugetlb mapping */
    uint64_t anon, dirty, mapped, mapmax, swapcache, active, writeback;
    unsigned have;                        /* enum numa_maps_have */
    uint64_t kernelpagesize_kb;           /* 0 when missing */
    uint64_t node_pages[NUMA_MAPS_MAX_NODES];
    uint64_t nodes_present[NUMA_MAPS_MAX_NODES / 64]; /* bit n: N<n>= was printed */
    uint64_t other_pages;                 /* N<n>= with n >= NUMA_MAPS_MAX_NODES */
    uint64_t total_pages;                 /* sum of every N<n>= */
    unsigned unknown_fields;              /* tokens this parser does not know (ignored) */
};

enum numa_maps_have {
    NUMA_HAVE_ANON = 1u << 0, NUMA_HAVE_DIRTY = 1u << 1, NUMA_HAVE_MAPPED = 1u << 2,
    NUMA_HAVE_MAPMAX = 1u << 3, NUMA_HAVE_SWAPCACHE = 1u << 4, NUMA_HAVE_ACTIVE = 1u << 5,
    NUMA_HAVE_WRITEBACK = 1u << 6, NUMA_HAVE_PAGESIZE = 1u << 7,
};

/* Parse one line (without its '\n'; reads at most len bytes, needs no NUL).
 * Returns 0, or -EINVAL when the address or policy is malformed. */
int numa_maps_parse_line(const char *line, size_t len, struct numa_maps_entry *e);

/* Parse a whole file: cb for each well-formed line (the entry is reused between
 * calls). Malformed lines are skipped and counted in *bad (may be NULL). A last line
 * without '\n' (a truncated read) is parsed too. Returns the lines passed to cb, or
 * the first non-zero value cb returned when it is negative (stops early). */
int numa_maps_parse(const char *buf, size_t len,
                    int (*cb)(void *ctx, const struct numa_maps_entry *e), void *ctx,
                    size_t *bad);

/* Pages of the entry on one node (or in total with node < 0), in base pages of
 * base_kb KiB (hugetlb pages are converted by kernelpagesize_kB). */
uint64_t numa_maps_base_pages(const struct numa_maps_entry *e, int node, uint64_t base_kb);

/* "default", "bind", "interleave", "prefer", "local", "prefer (many)",
 * "weighted interleave", "unknown". */
const char *numa_maps_mode_name(enum numa_maps_mode m);

#endif
