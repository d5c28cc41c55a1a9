/* recorder: the session's sink that appends every snapshot to a recording file. */
#include "record/recorder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/rec_tlv.h"
#include "record/recfile.h"
#include "record/record_codec.h"
#include "base/util.h"

struct recorder {
    struct recfile_writer *w;
    struct rec_buf buf;          /* reused: no allocation per tick once grown */
    char path[256];
    char error[520];
    bool error_taken;
    struct recorder_stats st;
};

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int recorder_open(const char *path, struct recorder **out, char *note, size_t notelen,
                  char *msg, size_t msglen)
{
    struct recorder *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(msg, msglen, "out of memory");
        return -ENOMEM;
    }
    int rc = recfile_writer_open(path, &r->w, note, notelen, msg, msglen);
    if (rc < 0) {
        free(r);
        return rc;
    }
    util_strlcpy(r->path, path, sizeof(r->path));
    *out = r;
    return 0;
}

static int fail(struct recorder *r, int rc, const char *why)
{
    snprintf(r->error, sizeof(r->error), "recording to %s stopped: %s", r->path, why);
    recfile_writer_close(r->w);
    r->w = NULL;
    return rc;
}

int recorder_write(struct recorder *r, const struct snapshot *s, bool start)
{
    if (!r || !r->w || !s)
        return 0;
    int64_t t0 = thread_cpu_ns();
    if (record_encode(&r->buf, s) < 0)
        return fail(r, -ENOMEM, "out of memory");
    char msg[200];
    uint64_t before = recfile_writer_size(r->w);
    int rc = recfile_writer_append(r->w, r->buf.p, r->buf.len,
                                   start ? RECFILE_FRAME_START : 0, s->meta.time_ns,
                                   s->meta.mono_ns, msg, sizeof(msg));
    r->st.cpu_ns += thread_cpu_ns() - t0;
    if (rc < 0)
        return fail(r, rc, msg);
    r->st.frames++;
    r->st.raw_bytes += r->buf.len;
    r->st.file_bytes += recfile_writer_size(r->w) - before;
    return 0;
}

const char *recorder_error(const struct recorder *r)
{
    return r ? r->error : "";
}

const char *recorder_take_error(struct recorder *r)
{
    if (!r || !r->error[0] || r->error_taken)
        return NULL;
    r->error_taken = true;
    return r->error;
}

void recorder_stats(const struct recorder *r, struct recorder_stats *st)
{
    *st = r->st;
}

void recorder_close(struct recorder *r)
{
    if (!r)
        return;
    recfile_writer_close(r->w);
    rec_buf_free(&r->buf);
    free(r);
}
