#!/bin/sh
# test_layers: the folders keep the one-way flow (scripts/check-layers), checked on the
# sources and on the objects this build made, so the shape cannot rot unnoticed.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
exec python3 "$top_srcdir/scripts/check-layers" "$top_srcdir" "$top_builddir"
