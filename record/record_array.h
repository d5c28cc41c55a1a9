/* record_array: helpers for the section codecs (arrays of plain structs, bounded element
 * counts, failure reasons). */
#ifndef GMPTOP_RECORD_ARRAY_H
#define GMPTOP_RECORD_ARRAY_H

#include <stddef.h>
#include "record/rec_tlv.h"

/* Element tag inside an array section ("one more element follows"). */
#define REC_ELEM 1

/* Limits a decoder enforces so a damaged or hostile file cannot ask for gigabytes. */
#define REC_MAX_ELEMS (1u << 20)
#define REC_MAX_ARRAY_BYTES ((size_t)64 << 20)

/* Count the REC_ELEM items of an array section; -1 when malformed or over max. */
long record_count_elems(struct rec_reader r, size_t max);
int record_fail(char *why, size_t len, const char *what);
/* An array of plain structs described by f, one REC_ELEM item per element. */
void record_put_array(struct rec_buf *b, const void *arr, size_t n, size_t elem,
                      const struct rec_field *f, size_t nf);
/* Decode into a fresh calloc'd array (freeing *arr); init (may be NULL) sets each
 * element's defaults before its fields are read. 0 or -1 with why. */
int record_get_array(struct rec_reader r, void **arr, size_t *n, size_t elem,
                     const struct rec_field *f, size_t nf, void (*init)(void *),
                     char *why, size_t len);

#endif
