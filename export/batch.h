/* batch: non-interactive output, one snapshot per interval as text or JSON lines. */
#ifndef GMPTOP_BATCH_H
#define GMPTOP_BATCH_H

#include <stdio.h>
#include "session/options.h"
#include "session/session.h"
#include "model/snapshot.h"

/* Run batch mode on an attached session. Returns the exit status: 0 after -n
 * snapshots, 3 when the target exits. */
int batch_run(const struct options *o, struct session *s, FILE *out);
/* One JSON object (no newline) for cur, with rates against prev (may be NULL).
 * Returns a malloc'd string. */
char *batch_json(const struct snapshot *prev, const struct snapshot *cur);
void batch_text(FILE *out, const struct snapshot *prev, const struct snapshot *cur);
/* Print one snapshot the way -o asks (JSON line, text table, or with --diagnose-only
 * the findings that started or ended; first: report what is already active). Live and
 * replayed batch output both go through here, so they stay byte-identical. */
void batch_print(const struct options *o, FILE *out, const struct snapshot *prev,
                 const struct snapshot *cur, bool first);
/* The most severe finding active in cur (enum diag_severity). */
int batch_worst_active(const struct snapshot *cur);

#endif
