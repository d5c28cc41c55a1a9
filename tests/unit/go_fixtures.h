/* go_fixtures: what the Go-binary unit tests share about the fixtures that
 * tests/go_fixtures.sh builds into $GOBIN_DIR. */
#ifndef GMPTOP_TEST_GO_FIXTURES_H
#define GMPTOP_TEST_GO_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

/* The <v> of every <v>.version file in dir (one per toolchain), at most max; the count. */
int go_fixtures_versions(const char *dir, char version[][64], int max);
/* The address `go tool nm` printed for name in nmfile, or 0; fails the test if the file
 * cannot be read. */
uint64_t go_fixtures_nm_addr(const char *nmfile, const char *name);
/* A hand-made inline-format .go.buildinfo (Go >= 1.18) in buf: the version, then the
 * modinfo text wrapped in its 16-byte sentinels. Returns its length. */
size_t go_fixtures_buildinfo(uint8_t *buf, const char *version, const char *modinfo);
/* The .gopclntab section of a fixture binary, copied to an exact-size malloc'd buffer
 * (so a sanitizer sees any overread); fails the test when there is none. */
uint8_t *go_fixtures_pclntab(const char *path, size_t *len);

/* Where in fixture build to lies what is at link-time address addr in its sibling build
 * from: the same offset into the section of the same name. A stripped build's sections
 * can start a little later than the unstripped one's (its build flags are a longer
 * string in .rodata), so nm's addresses for the latter need this. */
uint64_t go_fixtures_same_place(const char *from, const char *to, uint64_t addr);

#endif
