/* go_fixtures: what the Go-binary unit tests share about the fixtures that
 * tests/go_fixtures.sh builds into $GOBIN_DIR. */
#ifndef GMPTOP_TEST_GO_FIXTURES_H
#define GMPTOP_TEST_GO_FIXTURES_H

#include <stdint.h>

/* The <v> of every <v>.version file in dir (one per toolchain), at most max; the count. */
int go_fixtures_versions(const char *dir, char version[][64], int max);
/* The address `go tool nm` printed for name in nmfile, or 0; fails the test if the file
 * cannot be read. */
uint64_t go_fixtures_nm_addr(const char *nmfile, const char *name);

#endif
