#!/bin/sh
# Unit test driver for go_binary: build the Go fixtures once, then run the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_binary
exec "$top_builddir/tests/unit/test_go_binary"
