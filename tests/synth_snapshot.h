/* synth_snapshot: deterministic synthetic snapshots with every section filled, for the
 * recording and exporter tests and the recording benchmark. */
#ifndef GMPTOP_SYNTH_SNAPSHOT_H
#define GMPTOP_SYNTH_SNAPSHOT_H

#include <stddef.h>
#include "model/snapshot.h"

/* Snapshot number tick (0, 1, ...) of a process with nps Ps, nthreads threads and
 * ncpus CPUs: cumulative counters grow with tick so pairs give rates. */
struct snapshot *synth_snapshot(int tick, size_t nps, size_t nthreads, size_t ncpus);

#endif
