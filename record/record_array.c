/* record_array: the helpers every section codec uses: arrays of plain structs as
 * REC_ELEM items, counting them with a bound, and the one-line failure reason. */
#include "record/record_array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An array of plain structs, one REC_ELEM item each. */
void record_put_array(struct rec_buf *b, const void *arr, size_t n, size_t elem,
                      const struct rec_field *f, size_t nf)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = rec_begin(b, REC_ELEM);
        rec_put_fields(b, f, nf, (const char *)arr + i * elem);
        rec_end(b, m);
    }
}

/* Decode into a fresh calloc'd array; init (may be NULL) sets each element's defaults. */
int record_get_array(struct rec_reader r, void **arr, size_t *n, size_t elem,
                     const struct rec_field *f, size_t nf, void (*init)(void *),
                     char *why, size_t len)
{
    long cnt = record_count_elems(r, REC_MAX_ELEMS);
    if (cnt < 0 || (size_t)cnt > REC_MAX_ARRAY_BYTES / elem)
        return record_fail(why, len, "malformed or oversized array");
    free(*arr);
    *arr = NULL;
    *n = 0;
    if (cnt == 0)
        return 0;
    /* Capacity as snapshot.c's appenders assume it (a power of two, at least 8), so a
     * decoded array may still be appended to. */
    size_t cap = 8;
    while (cap < (size_t)cnt)
        cap *= 2;
    char *out = calloc(cap, elem);
    if (!out)
        return record_fail(why, len, "out of memory");
    uint32_t tag;
    struct rec_reader v;
    size_t i = 0;
    while (rec_next(&r, &tag, &v) > 0) {
        if (tag != REC_ELEM)
            continue;
        void *e = out + i * elem;
        if (init)
            init(e);
        if (rec_get_fields(v, f, nf, e) < 0) {
            free(out);
            return record_fail(why, len, "malformed element");
        }
        i++;
    }
    *arr = out;
    *n = i;
    return 0;
}

long record_count_elems(struct rec_reader r, size_t max)
{
    uint32_t tag;
    struct rec_reader v;
    long n = 0;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0)
        if (tag == REC_ELEM && (size_t)++n > max)
            return -1;
    return rc < 0 ? -1 : n;
}

int record_fail(char *why, size_t len, const char *what)
{
    if (why && len)
        snprintf(why, len, "%s", what);
    return -1;
}
