/* run_profile: gmptop -p PID --profile FILE: sample the target's CPU for a while, write
 * the profile (pprof and/or folded stacks), exit. */
#ifndef GMPTOP_RUN_PROFILE_H
#define GMPTOP_RUN_PROFILE_H

#include "session/options.h"

struct session;

/* 0 when written; 1 when the profiler could not run or write (the reason on stderr); 3
 * when the target exited first (what was sampled until then is written). */
int run_profile(const struct options *o, struct session *s);

#endif
