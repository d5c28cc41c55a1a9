/* go_buildinfo: decode .go.buildinfo (see go_buildinfo.h), bounds-checked. */
#include "target/go_binary.h"
#include "target/go_buildinfo.h"

#include <stdbool.h>
#include <string.h>

#define BUILDINFO_FLAG_BIGENDIAN 1
#define BUILDINFO_FLAG_INLINE 2    /* Go >= 1.18: varint-prefixed strings at offset 32 */
#define MODINFO_SENTINEL 16        /* modinfo is wrapped in 16 random bytes each side */
#define MAX_MODINFO (1 << 20)

static int read_uvarint(const uint8_t *d, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return -1;
        uint8_t c = d[(*pos)++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static uint64_t read_ptr(const uint8_t *p, unsigned size, bool big)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
    return v;
}

static void copy_str(char *dst, size_t dlen, const uint8_t *src, size_t n)
{
    if (!dst || dlen == 0)
        return;
    if (n >= dlen)
        n = dlen - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The module path from the "mod\t<path>\t..." line of modinfo. */
static void modinfo_path(const uint8_t *mod, size_t len, char *out, size_t outlen)
{
    if (out && outlen)
        out[0] = '\0';
    if (len >= 2 * MODINFO_SENTINEL + 1 && mod[len - MODINFO_SENTINEL - 1] == '\n') {
        mod += MODINFO_SENTINEL;
        len -= 2 * MODINFO_SENTINEL;
    }
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *line = mod + pos;
        const uint8_t *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        if (llen > 4 && memcmp(line, "mod\t", 4) == 0) {
            const uint8_t *p = line + 4;
            const uint8_t *tab = memchr(p, '\t', llen - 4);
            copy_str(out, outlen, p, tab ? (size_t)(tab - p) : llen - 4);
            return;
        }
        pos += llen + 1;
    }
}

/* A Go string header {ptr, len} at addr, resolved to its bytes. */
static const uint8_t *read_gostring(go_vaddr_reader rd, const void *ctx, uint64_t addr,
                                    unsigned ps, bool big, size_t max, size_t *n)
{
    const uint8_t *hdr = rd(ctx, addr, 2 * (size_t)ps);
    if (!hdr)
        return NULL;
    uint64_t p = read_ptr(hdr, ps, big), l = read_ptr(hdr + ps, ps, big);
    if (l > max)
        return NULL;
    *n = l;
    return l == 0 ? hdr : rd(ctx, p, l);
}

/* The version string and the modinfo of the blob, both layouts. */
static int buildinfo_locate(const uint8_t *d, size_t len, go_vaddr_reader rd, const void *ctx,
                            const uint8_t **ver, size_t *nver, const uint8_t **mod,
                            size_t *nmod)
{
    if (!d || len < BUILDINFO_HDR || memcmp(d, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN) != 0)
        return GO_BINARY_ERR_NOT_GO;
    unsigned ps = d[14];
    uint8_t flags = d[15];
    if (flags & BUILDINFO_FLAG_INLINE) {
        size_t pos = BUILDINFO_HDR;
        uint64_t n;
        if (read_uvarint(d, len, &pos, &n) < 0 || n > len - pos || n == 0 ||
            n > BUILDINFO_MAX_VERSION)
            return GO_BINARY_ERR_CORRUPT;
        *ver = d + pos;
        *nver = n;
        pos += n;
        if (read_uvarint(d, len, &pos, &n) < 0 || n > len - pos)
            return GO_BINARY_ERR_CORRUPT;
        *mod = d + pos;
        *nmod = n;
    } else {
        /* Before 1.18: two pointers to Go string headers, resolved through the segments. */
        bool big = flags & BUILDINFO_FLAG_BIGENDIAN;
        if (!rd || (ps != 4 && ps != 8))
            return GO_BINARY_ERR_CORRUPT;
        *ver = read_gostring(rd, ctx, read_ptr(d + 16, ps, big), ps, big,
                             BUILDINFO_MAX_VERSION, nver);
        if (!*ver || *nver == 0)
            return GO_BINARY_ERR_CORRUPT;
        *mod = read_gostring(rd, ctx, read_ptr(d + 16 + ps, ps, big), ps, big, MAX_MODINFO,
                             nmod);
        if (!*mod)
            *nmod = 0;
    }
    if (memchr(*ver, '\0', *nver))
        return GO_BINARY_ERR_CORRUPT;
    return GO_BINARY_OK;
}

int go_buildinfo_decode(const uint8_t *d, size_t len, go_vaddr_reader rd, const void *ctx,
                        char *version, size_t vlen, char *modpath, size_t mlen)
{
    const uint8_t *ver = NULL, *mod = NULL;
    size_t nver = 0, nmod = 0;
    if (version && vlen)
        version[0] = '\0';
    if (modpath && mlen)
        modpath[0] = '\0';
    int rc = buildinfo_locate(d, len, rd, ctx, &ver, &nver, &mod, &nmod);
    if (rc != GO_BINARY_OK)
        return rc;
    copy_str(version, vlen, ver, nver);
    modinfo_path(mod, nmod, modpath, mlen);
    return GO_BINARY_OK;
}

/* "build\tKEY=VALUE" lines of modinfo (what `go version -m` prints as build settings). */
static int modinfo_setting(const uint8_t *mod, size_t len, const char *key, char *out,
                           size_t outlen)
{
    size_t klen = strlen(key);
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *line = mod + pos;
        const uint8_t *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        if (llen > 6 + klen && memcmp(line, "build\t", 6) == 0 &&
            memcmp(line + 6, key, klen) == 0 && line[6 + klen] == '=') {
            const uint8_t *v = line + 7 + klen;
            size_t n = llen - 7 - klen;
            if (n >= outlen || memchr(v, '\0', n))
                return GO_BINARY_ERR_CORRUPT;
            copy_str(out, outlen, v, n);
            return 1;
        }
        pos += llen + 1;
    }
    return 0;
}

int go_buildinfo_setting(const uint8_t *d, size_t len, go_vaddr_reader rd, const void *ctx,
                         const char *key, char *value, size_t vlen)
{
    const uint8_t *ver = NULL, *mod = NULL;
    size_t nver = 0, nmod = 0;
    if (!value || vlen == 0)
        return GO_BINARY_ERR_CORRUPT;
    value[0] = '\0';
    int rc = buildinfo_locate(d, len, rd, ctx, &ver, &nver, &mod, &nmod);
    if (rc != GO_BINARY_OK)
        return rc;
    return modinfo_setting(mod, nmod, key, value, vlen);
}

int go_buildinfo_parse(const uint8_t *data, size_t len, char *version, size_t vlen,
                       char *modpath, size_t mlen)
{
    return go_buildinfo_decode(data, len, NULL, NULL, version, vlen, modpath, mlen);
}

