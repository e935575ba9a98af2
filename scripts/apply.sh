#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the working tree of $TREE exactly "base + this project": new files
# from the overlay directories, edits of upstream files from patches/series.
# Everything is prepared in a staging directory first and then synced into
# the tree file by file, so files whose content did not change keep their
# mtime (incremental kernel builds stay incremental) and files left over by
# an earlier apply are reset to the base or removed.
set -euo pipefail

PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}
STAGE=${STAGE:-$PROJ/build/stage}
OVERLAY_DIRS="arch drivers security include tools Documentation"

APPLIED=$PROJ/build/applied.list

# 0. Files that differ from the base: the last apply's, and edits made in
#    the tree by hand.  Refuse to throw away the latter (save them with
#    scripts/mkpatch.sh first, or set FORCE=1).
declare -A dirty=()
declare -A last=()
if [ -f "$APPLIED" ]; then
	while read -r sum f; do
		last[$f]=$sum
		dirty[$f]=1
	done < "$APPLIED"
fi
while IFS= read -r -d '' ent; do
	dirty[${ent:3}]=1
done < <(git -C "$TREE" status --porcelain=v1 -z --untracked-files=no --no-renames)
rm -rf "$STAGE"
mkdir -p "$STAGE"
declare -A want=()

# 1. Overlay: new files at their in-tree paths.  They must not exist in
#    the base: edits of upstream files belong in patches/.
cd "$PROJ"
while IFS= read -r -d '' f; do
	f=${f#./}
	if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
		echo "apply: $f exists upstream; change it with a patch in patches/" >&2
		exit 1
	fi
	mkdir -p "$STAGE/$(dirname "$f")"
	cp -p "$f" "$STAGE/$f"
	want[$f]=1
done < <(find $OVERLAY_DIRS -type f ! -name '*.o' ! -name '*~' -print0 2>/dev/null)

# 2. Patches, in series order, applied to base copies of the files they touch.
n=0
if [ -f patches/series ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "patches/$p" ] || { echo "apply: patches/$p listed in series but missing" >&2; exit 1; }
		while read -r f; do
			[ -n "${want[$f]:-}" ] && continue
			mkdir -p "$STAGE/$(dirname "$f")"
			if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
				git -C "$TREE" show "base:$f" > "$STAGE/$f"
			fi
			want[$f]=1
		done < <(sed -n -e 's#^--- a/\([^\t ]*\).*#\1#p' -e 's#^+++ b/\([^\t ]*\).*#\1#p' "patches/$p" | sort -u)
		if ! out=$(patch -d "$STAGE" -p1 -F0 -N --no-backup-if-mismatch -r - \
				-i "$PROJ/patches/$p" 2>&1); then
			echo "apply: patch $p does not apply:" >&2
			echo "$out" | sed 's/^/  /' >&2
			exit 1
		fi
		n=$((n + 1))
	done < patches/series
fi

lost=()
for f in "${!dirty[@]}"; do
	sum=$(cd "$TREE" && sha1sum "$f" 2>/dev/null | cut -d' ' -f1)
	[ "${last[$f]:-x}" = "${sum:-gone}" ] && continue
	# Saved already if the project now produces exactly this content.
	[ -n "${want[$f]:-}" ] && [ -f "$STAGE/$f" ] && cmp -s "$STAGE/$f" "$TREE/$f" && continue
	lost+=("$f")
done
if [ ${#lost[@]} -gt 0 ] && [ "${FORCE:-0}" != 1 ]; then
	echo "apply: $TREE has edits that are not in the project:" >&2
	printf '  %s\n' "${lost[@]}" >&2
	echo "apply: save them (scripts/mkpatch.sh) or rerun with FORCE=1 to discard them" >&2
	exit 1
fi

# 3. Sync the stage into the tree.
changed=0
for f in "${!want[@]}"; do
	if [ -f "$STAGE/$f" ]; then
		if ! cmp -s "$STAGE/$f" "$TREE/$f"; then
			mkdir -p "$TREE/$(dirname "$f")"
			cp -p "$STAGE/$f" "$TREE/$f"
			touch "$TREE/$f"
			changed=$((changed + 1))
		fi
	elif [ -e "$TREE/$f" ]; then
		rm -f "$TREE/$f"	# deleted by a patch
		changed=$((changed + 1))
	fi
done
# Anything else that differs from the base is stale: reset or remove it.
# (Debian's tree ignores every untracked file, hence the applied list.)
for f in "${!dirty[@]}"; do
	[ -n "${want[$f]:-}" ] && continue
	if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
		git -C "$TREE" checkout -q base -- "$f"
	else
		rm -f "$TREE/$f"
	fi
	changed=$((changed + 1))
done
(cd "$TREE" && for f in "${!want[@]}"; do
	[ -f "$f" ] && sha1sum "$f"
done) > "$APPLIED"

echo "apply: ${#want[@]} files from the project ($n patches), $changed updated in $TREE"
