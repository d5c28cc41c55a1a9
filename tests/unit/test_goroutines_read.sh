#!/bin/sh
# Unit test driver for the goroutine-group reader: it needs one fixture's pcln table.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/go_fixtures.sh"
go_fixtures_ensure test_goroutines_read
exec 9>&-
exec "$top_builddir/tests/unit/test_goroutines_read"
