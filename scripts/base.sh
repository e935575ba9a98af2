#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay down the pristine base tree once, as a git repository with a single
# commit tagged "base", at $TREE (build/linux).  The working tree of that
# repository is where scripts/apply.sh puts the series; the "base" tag stays
# the pristine reference for diffs and for the series export.
#
#   KSRC unset: unpack /usr/src/linux-source-6.12.tar.xz (Debian's
#               linux-source-6.12, pinned to $EXPECT_VERSION).
#   KSRC=/dir:  use that tree instead (copied, never modified).
set -euo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}

EXPECT_VERSION=${EXPECT_VERSION:-6.12.117}
TARBALL=/usr/src/linux-source-6.12.tar.xz
ORIGIN="${KSRC:-$TARBALL}"

if git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	have=$(git -C "$TREE" config --get efirtgate.origin || true)
	if [ "$have" = "$ORIGIN" ]; then
		exit 0
	fi
	echo "base: $TREE was made from '$have', now '$ORIGIN': recreating"
fi

rm -rf "$TREE" "$TREE.tmp"
mkdir -p "$TREE.tmp"
start=$(date +%s)
if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] || { echo "base: KSRC=$KSRC is not a kernel tree" >&2; exit 1; }
	echo "base: copying $KSRC"
	tar -C "$KSRC" --exclude=.git -cf - . | tar -C "$TREE.tmp" -xf -
	src="$TREE.tmp"
else
	[ -f "$TARBALL" ] || { echo "base: $TARBALL missing (run scripts/deps.sh)" >&2; exit 1; }
	pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	echo "base: unpacking $TARBALL (linux-source-6.12 $pkgver)"
	tar -C "$TREE.tmp" -xJf "$TARBALL"
	src="$TREE.tmp/linux-source-6.12"
fi

found=$(make -s -C "$src" kernelversion 2>/dev/null || echo unknown)
if [ "$found" != "$EXPECT_VERSION" ]; then
	echo "base: expected Linux $EXPECT_VERSION but $ORIGIN is Linux $found" >&2
	echo "base: install linux-source-6.12=6.12.117-1~deb12u1 or set EXPECT_VERSION" >&2
	rm -rf "$TREE.tmp"
	exit 1
fi

if [ "$src" != "$TREE.tmp" ]; then
	mv "$src" "$TREE"
	rm -rf "$TREE.tmp"
else
	mv "$TREE.tmp" "$TREE"
fi

cd "$TREE"
git init -q
git config user.name "efi_rt_gate base"
git config user.email "base@localhost"
git config core.autocrlf false
git config gc.auto 0
git config efirtgate.origin "$ORIGIN"
git add -A -f .
git commit -q -m "Linux $found (base of the efi_rt_gate series)" \
	-m "Origin: $ORIGIN"
git tag base
echo "base: Linux $found at $TREE ($(( $(date +%s) - start )) s)"
