/* rec_zlib: one payload deflated or inflated against an optional preset dictionary (the
 * raw bytes of an earlier frame), as both the recording file and the live rewind
 * archive keep their snapshots. The stream is the caller's: deflate's state is ~270 KB
 * to set up, so writers keep one and reset it per payload. */
#ifndef GMPTOP_REC_ZLIB_H
#define GMPTOP_REC_ZLIB_H

#include <stddef.h>
#include <zlib.h>

/* Deflate raw into out (cap bytes: deflateBound(zs, rawlen) is enough) with zs, set up
 * by deflateInit and reset here, against dict when dict_len > 0. Returns Z_STREAM_END
 * with *outlen, or the zlib error. */
int rec_deflate(z_stream *zs, const void *dict, size_t dict_len, const void *raw,
                size_t rawlen, void *out, size_t cap, size_t *outlen);
/* Inflate z into out, which must come to exactly rlen bytes, with dict when the stream
 * asks for one (NULL: it has none). 0, or -1 with why (buf of wlen) saying what failed. */
int rec_inflate(const void *z, size_t zlen, const void *dict, size_t dict_len, void *out,
                size_t rlen, char *why, size_t wlen);

#endif
