/* record_numa: recording codec for the numa section (memory and threads per node,
 * distances, policy, scan and sampling state). */
#include "record/record_codec.h"

#include <stdlib.h>
#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct numa_sample) == 920 && sizeof(struct numa_node_sample) == 216,
               "struct numa_sample or numa_node_sample changed: update record_numa.c");
#endif

#define TAG_NODES 40
#define TAG_DISTANCE 41
#define TAG_BASIS 42

static const struct rec_field numa_fields[] = {
    REC_FIELD(1, RF_BOOL, struct numa_sample, valid),
    REC_FIELD(2, RF_STR, struct numa_sample, policy),
    REC_FIELD(3, RF_STR, struct numa_sample, policy_mode),
    REC_FIELD(4, RF_INT, struct numa_sample, policy_count),
    REC_FIELD(5, RF_STR, struct numa_sample, mems_allowed),
    REC_FIELD(6, RF_STR, struct numa_sample, cpus_allowed),
    REC_FIELD(7, RF_STR, struct numa_sample, cpuset),
    REC_FIELD(8, RF_F64, struct numa_sample, local_pct),
    REC_FIELD(9, RF_F64, struct numa_sample, scan_age_s),
    REC_FIELD(10, RF_F64, struct numa_sample, scan_cost_ms),
    REC_FIELD(11, RF_F64, struct numa_sample, scan_interval_s),
    REC_FIELD(12, RF_INT, struct numa_sample, scan_vmas),
    REC_FIELD(13, RF_STR, struct numa_sample, scan_error),
    REC_FIELD(14, RF_INT, struct numa_sample, sampled_pages),
    REC_FIELD(15, RF_INT, struct numa_sample, sampled_probes),
    REC_FIELD(16, RF_F64, struct numa_sample, sample_error_pct),
    REC_FIELD(17, RF_F64, struct numa_sample, sample_cost_ms),
    REC_FIELD(18, RF_F64, struct numa_sample, sample_budget_ms),
    REC_FIELD(19, RF_STR, struct numa_sample, sample_note),
};

static const struct rec_field node_fields[] = {
    REC_FIELD(1, RF_INT, struct numa_node_sample, node),
    REC_FIELD(2, RF_STR, struct numa_node_sample, cpus),
    REC_FIELD(3, RF_INT, struct numa_node_sample, mem_total_kb),
    REC_FIELD(4, RF_INT, struct numa_node_sample, mem_free_kb),
    REC_FIELD(5, RF_I64S, struct numa_node_sample, pages),
    REC_FIELD(6, RF_INT, struct numa_node_sample, pages_total),
    REC_FIELD(7, RF_INT, struct numa_node_sample, threads),
    REC_FIELD(8, RF_INT, struct numa_node_sample, ps),
    REC_FIELD(9, RF_F64, struct numa_node_sample, heap_sampled_pct),
};

/* local_basis points at one of these static strings. */
static const char *const bases[] = { "ps", "threads" };

void record_numa_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct numa_sample *n = &s->numa;
    rec_put_fields(b, numa_fields, REC_NFIELDS(numa_fields), n);
    size_t m = rec_begin(b, TAG_NODES);
    record_put_array(b, n->nodes, n->nnodes, sizeof(*n->nodes), node_fields,
                     REC_NFIELDS(node_fields));
    rec_end(b, m);
    if (n->distance && n->nnodes) {
        size_t cells = n->nnodes * n->nnodes;
        int64_t *tmp = malloc(cells * sizeof(*tmp));
        if (!tmp) {
            b->oom = true;
            return;
        }
        for (size_t i = 0; i < cells; i++)
            tmp[i] = n->distance[i];
        rec_put_i64s(b, TAG_DISTANCE, tmp, cells);
        free(tmp);
    }
    if (n->local_basis)
        rec_put_str(b, TAG_BASIS, n->local_basis, 16);
}

static int decode_distance(struct rec_reader v, struct numa_sample *n)
{
    size_t cells = n->nnodes * n->nnodes;
    if (n->nnodes == 0 || n->nnodes > 4096 || rec_count_varints(&v) != (long)cells)
        return -1;
    int64_t *tmp = calloc(cells, sizeof(*tmp));
    int32_t *d = calloc(cells, sizeof(*d));
    int rc = tmp && d && rec_get_i64s(&v, tmp, cells) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < cells; i++) {
        if (tmp[i] < INT32_MIN || tmp[i] > INT32_MAX)
            rc = -1;
        else
            d[i] = (int32_t)tmp[i];
    }
    free(tmp);
    if (rc < 0) {
        free(d);
        return -1;
    }
    free(n->distance);
    n->distance = d;
    return 0;
}

int record_numa_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct numa_sample *n = &s->numa;
    uint32_t tag;
    struct rec_reader v, dist = { NULL, 0, 0 };
    bool have_dist = false;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_NODES) {
            void *arr = n->nodes;
            int rc2 = record_get_array(v, &arr, &n->nnodes, sizeof(*n->nodes), node_fields,
                                       REC_NFIELDS(node_fields), NULL, why, len);
            n->nodes = arr;
            if (rc2 < 0)
                return -1;
        } else if (tag == TAG_DISTANCE) {
            dist = v;
            have_dist = true;
        } else if (tag == TAG_BASIS) {
            char basis[16];
            if (rec_get_str(&v, basis, sizeof(basis)) < 0)
                return record_fail(why, len, "malformed field");
            n->local_basis = NULL;
            for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
                if (strcmp(basis, bases[i]) == 0)
                    n->local_basis = bases[i];
        } else if (rec_get_field(numa_fields, REC_NFIELDS(numa_fields), tag, &v, n) < 0) {
            return record_fail(why, len, "malformed field");
        }
    }
    if (rc < 0)
        return record_fail(why, len, "malformed framing");
    /* Decoded after the loop: the matrix needs the node count. */
    if (have_dist && decode_distance(dist, n) < 0)
        return record_fail(why, len, "distance matrix does not match the node count");
    /* Readers index distance[] whenever there are nodes: without a matrix in the file,
     * every distance is unknown (-1). */
    if (n->nnodes && !have_dist) {
        free(n->distance);
        n->distance = malloc(n->nnodes * n->nnodes * sizeof(*n->distance));
        if (!n->distance)
            return record_fail(why, len, "out of memory");
        for (size_t i = 0; i < n->nnodes * n->nnodes; i++)
            n->distance[i] = -1;
    }
    return 0;
}
