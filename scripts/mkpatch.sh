#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Save edits of upstream files, made in build/linux, as a patch of the
# series:  scripts/mkpatch.sh NAME FILE...  (paths relative to the tree).
# The patch is (re)written as patches/NAME.patch and appended to
# patches/series if it is not listed yet.
set -euo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}
name=$1
shift
[ $# -gt 0 ] || { echo "usage: $0 NAME FILE..." >&2; exit 1; }
git -C "$TREE" diff --src-prefix=a/ --dst-prefix=b/ base -- "$@" \
	| { grep -v '^index ' || true; } > "$PROJ/patches/$name.patch"
[ -s "$PROJ/patches/$name.patch" ] || { echo "mkpatch: no changes in $*" >&2; rm -f "$PROJ/patches/$name.patch"; exit 1; }
touch "$PROJ/patches/series"
grep -qxF "$name.patch" "$PROJ/patches/series" || echo "$name.patch" >> "$PROJ/patches/series"
echo "mkpatch: patches/$name.patch ($(grep -c '^+++ ' "$PROJ/patches/$name.patch") files)"
