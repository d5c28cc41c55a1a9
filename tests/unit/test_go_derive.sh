#!/bin/sh
# Unit test driver for go_derive: build (or reuse) the Go fixtures, then run the cmocka tests.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_go_derive
exec "$top_builddir/tests/unit/test_go_derive"
