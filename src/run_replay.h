/* run_replay: gmptop --replay FILE, batch or TUI. */
#ifndef GMPTOP_RUN_REPLAY_H
#define GMPTOP_RUN_REPLAY_H

#include <stdio.h>

#include "session/options.h"

struct settings;

/* Exit status for a recording that is damaged, not a recording, or too new. */
#define RUN_REPLAY_EXIT_DAMAGED 5

/* gmptop --replay FILE -b: print the recording as gmptop -b printed it live (the same
 * prev/cur pairs, so JSON is byte-identical). Returns 0, 4 (--fail-on), 1 when the file
 * cannot be opened, or RUN_REPLAY_EXIT_DAMAGED after printing the complete prefix. */
int run_replay_batch(const struct options *o, FILE *out);
/* gmptop --replay FILE: the TUI on the recording. */
int run_replay_tui(const struct options *o, struct settings *settings);

#endif
