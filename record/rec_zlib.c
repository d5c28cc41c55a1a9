/* rec_zlib: see rec_zlib.h. */
#include "record/rec_zlib.h"

#include <stdio.h>
#include <string.h>

int rec_deflate(z_stream *zs, const void *dict, size_t dict_len, const void *raw,
                size_t rawlen, void *out, size_t cap, size_t *outlen)
{
    int z = deflateReset(zs);
    if (z == Z_OK && dict_len > 0)
        z = deflateSetDictionary(zs, dict, (uInt)dict_len);
    zs->next_in = (Bytef *)raw;
    zs->avail_in = (uInt)rawlen;
    zs->next_out = out;
    zs->avail_out = (uInt)cap;
    if (z == Z_OK)
        z = deflate(zs, Z_FINISH);
    *outlen = (size_t)zs->total_out;
    return z;
}

int rec_inflate(const void *z, size_t zlen, const void *dict, size_t dict_len, void *out,
                size_t rlen, char *why, size_t wlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK) {
        snprintf(why, wlen, "zlib could not start");
        return -1;
    }
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    zs.next_out = out;
    zs.avail_out = (uInt)rlen;
    int rc = inflate(&zs, Z_FINISH);
    const char *said = NULL;
    if (rc == Z_NEED_DICT) {
        /* zlib checks the dictionary's Adler-32 against the one the writer used. */
        if (!dict)
            said = "compressed with a dictionary the recording does not hold";
        else if (inflateSetDictionary(&zs, dict, (uInt)dict_len) != Z_OK)
            said = "compressed with a different dictionary";
        else
            rc = inflate(&zs, Z_FINISH);
    }
    if (said)
        snprintf(why, wlen, "%s", said);
    else if (rc != Z_STREAM_END || zs.total_out != rlen) {
        if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
            snprintf(why, wlen, "decompressed length differs from the header's %zu", rlen);
        else
            snprintf(why, wlen, "decompression failed (%s)", zs.msg ? zs.msg : zError(rc));
        said = why;
    }
    inflateEnd(&zs);
    return said ? -1 : 0;
}
