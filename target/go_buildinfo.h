/* go_buildinfo: the Go version, main module path and build settings from a .go.buildinfo
 * blob, in both layouts (Go >= 1.18 inline strings; before, pointers into the data
 * segments). */
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

/* One build setting of the blob's modinfo, the "build\tKEY=VALUE" lines `go version -m`
 * prints; e.g. "DefaultGODEBUG": the GODEBUG defaults linked in from the main module's
 * go.mod go line and its //go:debug directives (Go 1.21+). Returns 1 with the value, 0
 * when the binary records no such setting, or a GO_BINARY_ERR_* (a value longer than
 * vlen is refused as corrupt, not cut). */
int go_buildinfo_setting(const uint8_t *d, size_t len, go_vaddr_reader rd, const void *ctx,
                         const char *key, char *value, size_t vlen);

#endif
