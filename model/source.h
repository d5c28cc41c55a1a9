/* source: what fills a session's history when the collectors do not: a recording being
 * replayed. The session ticks a source without knowing what it is, so the layers that
 * provide sources (record/) sit below the session and never call up into it. */
#ifndef GMPTOP_SOURCE_H
#define GMPTOP_SOURCE_H

struct history;

struct snapshot_source {
    void *ctx;
    /* Push the next snapshot into h (a source may clear h first: a new run). Returns 0,
     * -ENODATA at the end, -EBADMSG when the rest cannot be read, -ESRCH when the
     * target is gone. */
    int (*tick)(void *ctx, struct history *h);
};

#endif
