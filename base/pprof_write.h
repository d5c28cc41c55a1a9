/* pprof_write: a CPU profile in the format `go tool pprof` reads (profile.proto, gzipped).
 * Written by hand rather than through protobuf-c: the message is five small types whose
 * field numbers have not changed since 2016, and a generated-code dependency for them
 * would outweigh this file. Functions, locations and strings are deduplicated here. */
#ifndef GMPTOP_PPROF_WRITE_H
#define GMPTOP_PPROF_WRITE_H

#include <stddef.h>
#include <stdint.h>

struct pprof;

struct pprof_line {
    const char *func;          /* "main.spin" */
    const char *file;          /* "" unknown */
    int64_t line;              /* 0 unknown */
};

/* A label on a sample: a number (num_unit NULL or a unit) or, with str set, a string. */
struct pprof_label {
    const char *key;
    const char *str;           /* NULL: a numeric label */
    int64_t num;
};

/* A profile of samples counted at period_ns each (cpu-clock at hz: 1e9 / hz). */
struct pprof *pprof_new(int64_t period_ns);
void pprof_free(struct pprof *p);

/* The program the addresses belong to (one mapping). */
void pprof_set_mapping(struct pprof *p, uint64_t start, uint64_t limit, const char *file,
                       const char *build_id);

/* The location id of address addr with these lines (innermost first: inlined calls then
 * the function they were inlined into). One id per address: a second call with the same
 * address returns the first id. 0 when out of memory. */
uint64_t pprof_location(struct pprof *p, uint64_t addr, const struct pprof_line *lines,
                        size_t n);

/* count samples of this stack (location ids, innermost first) standing for nanos of CPU
 * (-1: count periods; samples taken at another rate weigh differently). 0 or -ENOMEM. */
int pprof_sample(struct pprof *p, const uint64_t *locs, size_t n, int64_t count,
                 int64_t nanos, const struct pprof_label *labels, size_t nlabels);

/* Encode and write gzipped to path: 0, or -errno + why. time_ns: when the window began
 * (CLOCK_REALTIME); duration_ns: its length. */
int pprof_write(struct pprof *p, const char *path, int64_t time_ns, int64_t duration_ns,
                char *why, size_t len);

/* The encoded (not gzipped) profile in a malloc'd buffer (tests); NULL when out of memory. */
uint8_t *pprof_encode(struct pprof *p, int64_t time_ns, int64_t duration_ns, size_t *len);

#endif
