/* archive_pack: see archive_pack.h. The packed bytes: the number of section tags, the
 * tags in frame order, for each tag how many items of it each frame holds (a varint a
 * frame), then for each tag each frame's items of it as they were. */
#include "record/archive_pack.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PACK_TAGS_MAX 64
#define PACK_FRAMES_MAX 4096

struct group {                  /* one frame's items of one tag: contiguous in the frame */
    uint32_t count;
    size_t at, len;             /* in frames */
};

/* Where tag goes in the order: known, or inserted after the tag before it in its frame
 * (prev_ix, -1 at a frame's start), so that frames holding a section the first ones
 * lack keep their order. -1 when there are too many tags. */
static int tag_index(uint32_t *tags, int *ntags, uint32_t tag, int prev_ix)
{
    for (int i = 0; i < *ntags; i++)
        if (tags[i] == tag)
            return i;
    if (*ntags == PACK_TAGS_MAX)
        return -1;
    int at = prev_ix + 1;
    memmove(tags + at + 1, tags + at, (size_t)(*ntags - at) * sizeof(*tags));
    tags[at] = tag;
    (*ntags)++;
    return at;
}

/* The tags of every frame, in an order each frame's items follow. */
static int collect_tags(const uint8_t *frames, const uint32_t *rlen, uint32_t n,
                        uint32_t *tags, int *ntags)
{
    size_t off = 0;
    *ntags = 0;
    for (uint32_t f = 0; f < n; f++) {
        struct rec_reader r = rec_reader_of(frames + off, rlen[f]), v;
        uint32_t tag;
        int prev = -1, rc;
        while ((rc = rec_next(&r, &tag, &v)) == 1) {
            int ix = tag_index(tags, ntags, tag, prev);
            if (ix < 0)
                return -1;
            prev = ix;
        }
        if (rc < 0)
            return -1;
        off += rlen[f];
    }
    return 0;
}

/* Each frame's items grouped by tag (groups[t * n + f]); -1 when a frame's items do not
 * follow the tags' order (the layout could not give them back as they were). */
static int find_groups(const uint8_t *frames, const uint32_t *rlen, uint32_t n,
                       const uint32_t *tags, int ntags, struct group *groups)
{
    size_t off = 0;
    for (uint32_t f = 0; f < n; f++) {
        struct rec_reader r = rec_reader_of(frames + off, rlen[f]), v;
        uint32_t tag;
        int last = 0;
        size_t start = 0;
        while (rec_next(&r, &tag, &v) == 1) {
            int ix = last;
            while (ix < ntags && tags[ix] != tag)
                ix++;
            if (ix == ntags)
                return -1;
            struct group *g = &groups[(size_t)ix * n + f];
            if (!g->count)
                g->at = off + start;
            g->count++;
            g->len += r.pos - start;
            start = r.pos;
            last = ix;
        }
        off += rlen[f];
    }
    return 0;
}

int archive_pack_order(const uint8_t *frames, const uint32_t *rlen, uint32_t n,
                       struct rec_buf *out)
{
    uint32_t tags[PACK_TAGS_MAX];
    int ntags;
    if (n == 0 || n > PACK_FRAMES_MAX || collect_tags(frames, rlen, n, tags, &ntags) < 0)
        return -1;
    struct group *groups = calloc((size_t)(ntags ? ntags : 1) * n, sizeof(*groups));
    if (!groups || find_groups(frames, rlen, n, tags, ntags, groups) < 0) {
        free(groups);
        return -1;
    }
    rec_put_varint(out, (uint64_t)ntags);
    for (int t = 0; t < ntags; t++)
        rec_put_varint(out, tags[t]);
    for (size_t g = 0; g < (size_t)ntags * n; g++)
        rec_put_varint(out, groups[g].count);
    for (size_t g = 0; g < (size_t)ntags * n; g++)
        rec_put_bytes(out, frames + groups[g].at, groups[g].len);
    free(groups);
    return out->oom ? -1 : 0;
}

int archive_unpack_order(const uint8_t *packed, size_t len, const uint32_t *rlen, uint32_t n,
                         uint8_t *frames)
{
    struct rec_reader r = rec_reader_of(packed, len), v;
    uint64_t ntags, tag;
    uint32_t tags[PACK_TAGS_MAX];
    if (n == 0 || n > PACK_FRAMES_MAX || rec_get_varint(&r, &ntags) < 0 ||
        ntags > PACK_TAGS_MAX)
        return -1;
    for (uint64_t t = 0; t < ntags; t++) {
        if (rec_get_varint(&r, &tag) < 0 || tag > UINT32_MAX)
            return -1;
        tags[t] = (uint32_t)tag;
    }
    uint32_t *counts = malloc((size_t)(ntags ? ntags : 1) * n * sizeof(*counts));
    size_t *cursor = malloc((size_t)n * sizeof(*cursor)), *end = malloc(n * sizeof(*end));
    int rc = counts && cursor && end ? 0 : -1;
    for (size_t g = 0; rc == 0 && g < ntags * n; g++) {
        uint64_t c;
        if (rec_get_varint(&r, &c) < 0 || c > UINT32_MAX)
            rc = -1;
        else
            counts[g] = (uint32_t)c;
    }
    size_t off = 0;
    for (uint32_t f = 0; rc == 0 && f < n; f++) {
        cursor[f] = off;
        off += rlen[f];
        end[f] = off;
    }
    /* Each group's items go on at the end of its frame so far: tag by tag, a frame is
     * rebuilt in its own order. */
    for (size_t g = 0; rc == 0 && g < ntags * n; g++) {
        uint32_t f = (uint32_t)(g % n);
        for (uint32_t k = 0; rc == 0 && k < counts[g]; k++) {
            size_t start = r.pos;
            uint32_t t;
            if (rec_next(&r, &t, &v) != 1 || t != tags[g / n] ||
                r.pos - start > end[f] - cursor[f]) {
                rc = -1;
                break;
            }
            memcpy(frames + cursor[f], packed + start, r.pos - start);
            cursor[f] += r.pos - start;
        }
    }
    for (uint32_t f = 0; rc == 0 && f < n; f++)
        if (cursor[f] != end[f])
            rc = -1;
    if (rc == 0 && r.pos != len)
        rc = -1;
    free(counts);
    free(cursor);
    free(end);
    return rc;
}
