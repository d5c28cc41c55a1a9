#!/bin/sh
# Unit test driver for go_unwind: build (or reuse) the Go fixtures, then unwind the
# goroutines of each toolchain's running fixture.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_unwind
exec 9>&-
exec "$top_builddir/tests/unit/test_go_unwind"
