/* cores: the per-CPU perf counter collector ("cores"), its per-thread switch and a way to
 * open it on another backend (fixtures of raw readings in tests and demos). */
#ifndef GMPTOP_CORES_H
#define GMPTOP_CORES_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/collector.h"
#include "collectors/perf.h"

extern const struct collector_ops cores_collector;

/* Open on a given backend instead of the real syscalls; b and cfg (may be NULL: no
 * per-thread counts) must outlive the state, and cfg is read at every sample. The
 * collector's own open uses the real backend, or the fixture backend when the environment names
 * a fixture in GMPTOP_PERF_REPLAY (for demos and tests without a PMU). */
void *cores_open_backend(const struct perf_backend *b, const struct target *t,
                         const struct collector_config *cfg, char *reason, size_t len);

/* Per-thread event count (fds per thread) for the budget check; for tests. */
int cores_fds_per_thread(const void *state);

#endif
