#!/bin/sh
# The layering of node/: every include allowed by its folder's README, and
# docs/architecture.md's folder and module tables true to the tree
# (tests/tools/layers.sh; node/*/README.md).
: "${TOP_SRCDIR:?TOP_SRCDIR must point at the source tree}"
exec bash "$TOP_SRCDIR/tests/tools/layers.sh" "$TOP_SRCDIR"
