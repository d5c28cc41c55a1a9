/* go_buildinfo: the Go version and main module path from a .go.buildinfo blob, in
 * both layouts (Go >= 1.18 inline strings; before, pointers into the data segments). */
#ifndef GMPTOP_GO_BUILDINFO_H
#define GMPTOP_GO_BUILDINFO_H

#include <stddef.h>
#include <stdint.h>

#define BUILDINFO_MAGIC "\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN 14
#define BUILDINFO_HDR 32           /* magic, ptrsize, flags, two pointers (or padding) */
#define BUILDINFO_MAX_VERSION 256  /* longest version string taken */

/* len bytes at a link-time address of the file, or NULL (pre-1.18 pointers). */
typedef const uint8_t *(*go_vaddr_reader)(const void *ctx, uint64_t addr, size_t len);

/* Decode the blob d[0..len). rd (may be NULL: then only the inline layout) resolves the
 * older layout's pointers. Returns GO_BINARY_OK, GO_BINARY_ERR_NOT_GO (no magic) or
 * GO_BINARY_ERR_CORRUPT. */
int go_buildinfo_decode(const uint8_t *d, size_t len, go_vaddr_reader rd, const void *ctx,
                        char *version, size_t vlen, char *modpath, size_t mlen);

#endif
