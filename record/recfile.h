/* recfile: the gmptop recording file: a versioned header, then one self-delimiting,
 * checksummed, zlib-compressed frame per snapshot (format: doc/recording.md). */
#ifndef GMPTOP_RECFILE_H
#define GMPTOP_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECFILE_MAJOR 1          /* a reader refuses a file with a higher major */
#define RECFILE_MINOR 0          /* new optional items: older readers skip them */
#define RECFILE_HEADER_LEN 24
#define RECFILE_FRAME_HDR 36
#define RECFILE_MAX_COMPRESSED (64u << 20)
#define RECFILE_MAX_RAW (256u << 20)

/* Frame flags. */
enum {
    /* The first snapshot of a recording run (a new gmptop, or a new target): rates never
     * pair it with the frame before it, and batch replay does not print it (it is the
     * priming sample gmptop -b takes before its first line). */
    RECFILE_FRAME_START = 1u << 0,
    /* Not a snapshot: a zlib preset dictionary (the raw encoding of the run's first
     * snapshot) for the snapshot frames after it. The writer puts one right before a
     * run's first snapshot, in the same write(2); readers never return it as a frame. */
    RECFILE_FRAME_DICT = 1u << 1,
};

#define RECFILE_DICT_MAX 32768   /* deflate's window: a longer dictionary is not used */

/* Errors besides -errno from open/read. */
enum recfile_error {
    RECFILE_ERR_NOT_RECORDING = -1000, /* bad magic or too short */
    RECFILE_ERR_NEWER = -1001,         /* major version above RECFILE_MAJOR */
    RECFILE_ERR_DAMAGED = -1002,       /* a frame or the header failed its checks */
    RECFILE_ERR_BUSY = -1003,          /* another gmptop is recording into it */
};

struct recfile_frame {
    uint64_t offset;             /* of the frame header in the file */
    size_t index;                /* snapshot number: 0 for the first snapshot frame */
    uint64_t dict_offset;        /* the dictionary frame it was compressed with; 0 none */
    unsigned flags;
    int64_t time_ns;             /* CLOCK_REALTIME of the snapshot */
    int64_t mono_ns;             /* CLOCK_MONOTONIC of the snapshot */
    uint32_t clen, rlen;         /* compressed and raw payload bytes */
};

/* ---- writing ------------------------------------------------------------------------ */

struct recfile_writer;

/* Open path for recording. A missing file is created (O_EXCL, never through a symlink,
 * mode 0666 less the umask); an empty file gets a header; an existing recording of this
 * major version is appended to, after cutting off a torn last frame an interrupted
 * recording left (note says so). Anything else is refused, never overwritten.
 * Returns 0 or a negative error with msg filled. */
int recfile_writer_open(const char *path, struct recfile_writer **out, char *note,
                        size_t notelen, char *msg, size_t msglen);
/* Compress and append one snapshot frame with a single write(2), then fdatasync(2): a
 * crash loses at most this frame, and a failed or short write is cut off again so the
 * file stays a clean sequence of frames. A run's first frame (RECFILE_FRAME_START, or the
 * first of this writer) is preceded by a dictionary frame made from its payload, which
 * the frames after it are compressed with. Returns 0 or -errno with msg filled. */
int recfile_writer_append(struct recfile_writer *w, const void *raw, size_t rawlen,
                          unsigned flags, int64_t time_ns, int64_t mono_ns,
                          char *msg, size_t msglen);
uint64_t recfile_writer_size(const struct recfile_writer *w);
void recfile_writer_close(struct recfile_writer *w);

/* ---- reading ------------------------------------------------------------------------ */

struct recfile_reader;

/* Open and check the header. Returns 0, -errno (open failed), RECFILE_ERR_NOT_RECORDING,
 * RECFILE_ERR_NEWER or RECFILE_ERR_DAMAGED, with msg filled. */
int recfile_reader_open(const char *path, struct recfile_reader **out, char *msg,
                        size_t msglen);
/* The next snapshot frame, checked (lengths, checksum over header and payload) and
 * stepped over without decompressing; dictionary frames are checked and stepped over.
 * 1 with f filled, 0 at a clean end, RECFILE_ERR_DAMAGED with msg "recording damaged at
 * byte N (frame K): why" (K: the snapshot that could not be read, counted from 0). */
int recfile_reader_skip(struct recfile_reader *r, struct recfile_frame *f, char *msg,
                        size_t msglen);
/* Like skip, and decompress the payload: *raw stays valid until the next call. */
int recfile_reader_next(struct recfile_reader *r, struct recfile_frame *f,
                        const uint8_t **raw, char *msg, size_t msglen);
/* Read the frame at f->offset again (f as skip returned it). 1 or RECFILE_ERR_DAMAGED. */
int recfile_reader_load(struct recfile_reader *r, const struct recfile_frame *f,
                        const uint8_t **raw, char *msg, size_t msglen);
uint16_t recfile_reader_minor(const struct recfile_reader *r);
void recfile_reader_close(struct recfile_reader *r);

/* "recording damaged at byte N (frame K): why" */
void recfile_damage_msg(char *msg, size_t len, uint64_t offset, size_t index,
                        const char *why);

#endif
