/* json_util: the number and null conventions every JSON section of a snapshot shares. */
#ifndef GMPTOP_JSON_UTIL_H
#define GMPTOP_JSON_UTIL_H

#include <json-c/json.h>
#include <stdint.h>

/* A fixed-decimals number; NULL (JSON null) for NAN/inf: unmeasurable is never 0. */
json_object *json_number(double v, int decimals);
/* An integer, or null when v < 0 (the "unknown" convention of int64 fields). */
json_object *json_int_or_null(int64_t v);

#endif
