/* replay: a source that yields the snapshots of a recording into a session's history,
 * so every pane, batch output and export works the same live and replayed. */
#include "record/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record/record_codec.h"
#include "base/util.h"

struct replay {
    struct recfile_reader *rd;
    struct recfile_frame *frames;
    size_t n, cap;
    size_t pos;                  /* newest pushed; SIZE_MAX none */
    char path[256];
    char damage[400];
};

static int index_frames(struct replay *rp)
{
    struct recfile_frame f;
    int rc;
    while ((rc = recfile_reader_skip(rp->rd, &f, rp->damage, sizeof(rp->damage))) == 1) {
        if (rp->n == rp->cap) {
            size_t cap = rp->cap ? rp->cap * 2 : 256;
            struct recfile_frame *p = realloc(rp->frames, cap * sizeof(*p));
            if (!p)
                return -ENOMEM;
            rp->frames = p;
            rp->cap = cap;
        }
        rp->frames[rp->n++] = f;
    }
    if (rc == 0)
        rp->damage[0] = '\0';
    return 0;
}

int replay_open(const char *path, struct replay **out, char *msg, size_t len)
{
    struct replay *rp = calloc(1, sizeof(*rp));
    if (!rp) {
        snprintf(msg, len, "out of memory");
        return -ENOMEM;
    }
    rp->pos = SIZE_MAX;
    util_strlcpy(rp->path, path, sizeof(rp->path));
    int rc = recfile_reader_open(path, &rp->rd, msg, len);
    if (rc == 0 && index_frames(rp) < 0) {
        snprintf(msg, len, "out of memory indexing %s", path);
        rc = -ENOMEM;
    }
    if (rc < 0) {
        replay_close(rp);
        return rc;
    }
    *out = rp;
    return 0;
}

void replay_close(struct replay *rp)
{
    if (!rp)
        return;
    recfile_reader_close(rp->rd);
    free(rp->frames);
    free(rp);
}

size_t replay_count(const struct replay *rp) { return rp->n; }

const struct recfile_frame *replay_frame(const struct replay *rp, size_t i)
{
    return i < rp->n ? &rp->frames[i] : NULL;
}

const char *replay_damage(const struct replay *rp) { return rp->damage; }

size_t replay_pos(const struct replay *rp) { return rp->pos; }

/* Decode snapshot i; a failure ends the recording there. */
static struct snapshot *load(struct replay *rp, size_t i)
{
    const uint8_t *raw;
    char why[300];
    if (recfile_reader_load(rp->rd, &rp->frames[i], &raw, rp->damage,
                            sizeof(rp->damage)) != 1) {
        rp->n = i;
        return NULL;
    }
    struct snapshot *s = record_decode(raw, rp->frames[i].rlen, why, sizeof(why));
    if (!s) {
        char inner[340];
        snprintf(inner, sizeof(inner), "bad snapshot encoding (%s)", why);
        recfile_damage_msg(rp->damage, sizeof(rp->damage), rp->frames[i].offset, i, inner);
        rp->n = i;
    }
    return s;
}

int replay_rewind(struct replay *rp, struct snapshot_meta *first_meta, char *msg,
                  size_t len)
{
    if (rp->n == 0) {
        snprintf(msg, len, "%s: no complete snapshot to replay%s%s", rp->path,
                 rp->damage[0] ? ": " : "", rp->damage);
        return -ENODATA;
    }
    struct snapshot *first = load(rp, 0);
    if (!first) {
        snprintf(msg, len, "%s: %s", rp->path, rp->damage);
        return -EBADMSG;
    }
    *first_meta = first->meta;
    snapshot_free(first);
    rp->pos = SIZE_MAX;
    return 0;
}

static void push(struct replay *rp, struct history *h, size_t i, struct snapshot *s)
{
    if (rp->frames[i].flags & RECFILE_FRAME_START)
        history_clear(h);
    history_push(h, s);
    rp->pos = i;
}

int replay_tick(struct replay *rp, struct history *h)
{
    size_t next = rp->pos == SIZE_MAX ? 0 : rp->pos + 1;
    if (next >= rp->n)
        return rp->damage[0] ? -EBADMSG : -ENODATA;
    struct snapshot *s = load(rp, next);
    if (!s)
        return -EBADMSG;
    push(rp, h, next, s);
    return 0;
}

int replay_seek(struct replay *rp, struct history *h, size_t k)
{
    if (rp->n == 0)
        return -ENODATA;
    if (k >= rp->n)
        k = rp->n - 1;
    size_t j = k;
    while (j > 0 && k - j + 1 < REPLAY_SEEK_WINDOW &&
           !(rp->frames[j].flags & RECFILE_FRAME_START))
        j--;
    history_clear(h);
    rp->pos = SIZE_MAX;
    for (size_t i = j; i <= k && i < rp->n; i++) {
        struct snapshot *s = load(rp, i);
        if (!s)
            return -EBADMSG;
        push(rp, h, i, s);
    }
    return 0;
}

double replay_gap_ms(const struct replay *rp, size_t k)
{
    if (k + 1 >= rp->n || (rp->frames[k + 1].flags & RECFILE_FRAME_START))
        return 1000.0;
    int64_t d = rp->frames[k + 1].mono_ns - rp->frames[k].mono_ns;
    if (d <= 0 || d > 3600LL * 1000000000LL)
        return 1000.0;
    return (double)d / 1e6;
}

static int source_tick(void *ctx, struct history *h) { return replay_tick(ctx, h); }

struct snapshot_source replay_source(struct replay *rp)
{
    return (struct snapshot_source){ .ctx = rp, .tick = source_tick };
}
