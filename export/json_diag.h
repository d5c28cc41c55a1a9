/* json_diag: diagnoses as JSON: diagnoses[] {id, severity, since, message, evidence {}}. */
#ifndef GMPTOP_JSON_DIAG_H
#define GMPTOP_JSON_DIAG_H

#include <json-c/json.h>
#include <stdio.h>
#include "model/snapshot.h"

json_object *json_finding(const struct diag_finding *f);
/* The findings active in cur (an empty array when none; null when rules did not run). */
json_object *json_diagnoses(const struct snapshot *cur);
/* RFC 3339 UTC with milliseconds. */
void json_format_time(int64_t ns, char *buf, size_t len);

/* --diagnose-only: print the findings that started or ended between prev and cur, as
 * text or JSON lines. Returns the most severe severity among those that started. */
int diag_print_changes(FILE *out, const struct snapshot *prev, const struct snapshot *cur,
                       bool json);

#endif
