/* rec_tlv: the tag-length-value encoding of recorded snapshots (varints, a growable
 * buffer, and a codec for plain structs described by a field table). */
#ifndef GMPTOP_REC_TLV_H
#define GMPTOP_REC_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every item is  tag (LEB128 varint)  length (LEB128 varint)  value (length bytes).
 * Values: unsigned integers as varints, signed ones zigzag-encoded varints, doubles as
 * 8 little-endian IEEE-754 bytes (NAN and the sign bit survive), strings as bytes without
 * the NUL, integer arrays as consecutive varints, and nested structures as a sequence of
 * items. A reader skips a tag it does not know, so newer minor versions can add fields.
 */

struct rec_buf {
    uint8_t *p;
    size_t len, cap;
    bool oom;             /* an allocation failed: the contents are incomplete */
};

void rec_buf_free(struct rec_buf *b);
void rec_buf_reset(struct rec_buf *b);

void rec_put_varint(struct rec_buf *b, uint64_t v);
/* n bytes as they are, with no tag or length. */
void rec_put_bytes(struct rec_buf *b, const void *p, size_t n);
void rec_put_u(struct rec_buf *b, uint32_t tag, uint64_t v);
void rec_put_i(struct rec_buf *b, uint32_t tag, int64_t v);
void rec_put_f64(struct rec_buf *b, uint32_t tag, double v);
void rec_put_bool(struct rec_buf *b, uint32_t tag, bool v);
/* At most max bytes of s, stopping at its NUL. */
void rec_put_str(struct rec_buf *b, uint32_t tag, const char *s, size_t max);
void rec_put_u64s(struct rec_buf *b, uint32_t tag, const uint64_t *v, size_t n);
void rec_put_i64s(struct rec_buf *b, uint32_t tag, const int64_t *v, size_t n);
/* A nested item: rec_begin writes the tag and returns a mark for rec_end, which fills
 * in the length once the contents are written. */
size_t rec_begin(struct rec_buf *b, uint32_t tag);
void rec_end(struct rec_buf *b, size_t mark);

/* A view of encoded bytes. */
struct rec_reader {
    const uint8_t *p;
    size_t len, pos;
};

static inline struct rec_reader rec_reader_of(const void *p, size_t len)
{
    struct rec_reader r = { p, len, 0 };
    return r;
}

/* One varint at r's position, which moves past it: 0, or -1 when it is cut short or
 * over 64 bits. */
int rec_get_varint(struct rec_reader *r, uint64_t *out);
/* Next item: 1 with tag and val (a reader over its value), 0 at the end, -1 when the
 * bytes are malformed (a length past the end, an overlong varint). */
int rec_next(struct rec_reader *r, uint32_t *tag, struct rec_reader *val);

/* Whole-value decoders: each returns 0, or -1 when the value is malformed. */
int rec_get_u(const struct rec_reader *v, uint64_t *out);
int rec_get_i(const struct rec_reader *v, int64_t *out);
int rec_get_f64(const struct rec_reader *v, double *out);
/* Copies at most cap-1 bytes and terminates; a longer value is truncated, not an error. */
int rec_get_str(const struct rec_reader *v, char *dst, size_t cap);
/* Up to n values; the rest of dst is zeroed; more than n values is an error. */
int rec_get_u64s(const struct rec_reader *v, uint64_t *dst, size_t n);
int rec_get_i64s(const struct rec_reader *v, int64_t *dst, size_t n);
/* Number of varints in an array value, or -1 when malformed. */
long rec_count_varints(const struct rec_reader *v);

/* ---- struct codec ------------------------------------------------------------------- */

enum rec_ftype {
    RF_INT,     /* signed integer or enum of 1, 2, 4 or 8 bytes (char, int, pid_t, ...) */
    RF_UINT,    /* unsigned integer of 1, 2, 4 or 8 bytes */
    RF_F64,     /* double */
    RF_BOOL,    /* bool */
    RF_STR,     /* char array: size is its capacity */
    RF_U64S,    /* uint64_t array: size / 8 elements */
    RF_I64S,    /* int64_t array */
};

struct rec_field {
    uint16_t tag;
    uint8_t type;         /* enum rec_ftype */
    uint32_t off;
    uint32_t size;
};

#define REC_FIELD(tag, type, st, member) \
    { (tag), (type), (uint32_t)offsetof(st, member), (uint32_t)sizeof(((st *)0)->member) }
#define REC_NFIELDS(table) (sizeof(table) / sizeof((table)[0]))

/* Write every field of obj as one item each. */
void rec_put_fields(struct rec_buf *b, const struct rec_field *f, size_t n, const void *obj);
/* Decode one item into obj if the table has its tag: 1 used, 0 not in the table,
 * -1 malformed or out of range for the field. */
int rec_get_field(const struct rec_field *f, size_t n, uint32_t tag,
                  const struct rec_reader *v, void *obj);
/* Decode a whole sequence into obj, skipping unknown tags. 0 or -1. */
int rec_get_fields(struct rec_reader r, const struct rec_field *f, size_t n, void *obj);

#endif
