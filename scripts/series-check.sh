#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Gates on the mailable series in build/series/ (make series):
#   am         git am of the series onto the pristine base succeeds and gives
#              the same tree as the project
#   bisect     the kernel (make check's config) builds after every patch,
#              and boots: scenarios/series/bisect-boot.scn (OVMF, swtpm,
#              EFI variables, TPM, firmware log replay) passes on it
#   checkpatch scripts/checkpatch.pl --strict: 0 errors, 0 warnings per patch
#              (a waiver needs a reason in series/NN-*.commit)
#   mechanism  CONFIG_EFI_RT_GATE without the measured interface and the TPM
#              builds and boots locked (scenarios/series/mechanism-only.scn)
#   sparse/W=1 no new sparse or W=1 warnings in new or changed C files,
#              compared with the base built the same way
#   kernel-doc kernel-doc -none -Wall clean on new and changed files, and
#              every non-static function the series adds is documented,
#              with a Return: section unless it returns void
#   docs       get_abi.pl validate for the ABI files, docutils for the rst
# Prints "gate NAME: ok|FAIL ..." lines and "GATES <passed> <failed>" last.
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}
B=$PROJ/build
S=$B/series
AM=$B/series-am
LOG=$B/runs/series-check
JOBS=${JOBS:-$(nproc)}
mkdir -p "$LOG"
gp=0 gf=0
gate() {	# name ok|fail message
	if [ "$2" = ok ]; then
		gp=$((gp + 1)); echo "gate $1: ok $3"
	else
		gf=$((gf + 1)); echo "gate $1: FAIL $3"
	fi
}
mk=(make -s)
command -v ccache >/dev/null && mk+=(CC="ccache gcc" HOSTCC="ccache gcc")
# Paths below the project are hashed relative to it: clones share the cache.
export CCACHE_BASEDIR=$PROJ CCACHE_NOHASHDIR=1

base=$(git -C "$TREE" rev-parse 'base^{commit}')
want_tree=$(git -C "$B/series-wt" rev-parse 'HEAD^{tree}')
patches=$(ls "$S"/0*.patch | grep -v '/0000-')
n=$(echo "$patches" | wc -l)

# --- am ---------------------------------------------------------------
if [ ! -d "$AM" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$AM" "$base"
fi
git -C "$AM" am --abort >/dev/null 2>&1
git -C "$AM" checkout -q -f --detach "$base" && git -C "$AM" clean -q -f -d -x
# shellcheck disable=SC2086
if git -C "$AM" -c user.name=check -c user.email=check@localhost am -q $patches \
		> "$LOG/am.log" 2>&1; then
	if [ "$(git -C "$AM" rev-parse 'HEAD^{tree}')" = "$want_tree" ]; then
		gate am ok "($n patches onto $(git -C "$TREE" log -1 --format=%s base))"
	else
		gate am fail "(applied, but the tree differs from the project's)"
	fi
else
	gate am fail "(see $LOG/am.log)"
	echo "GATES $gp $gf"
	exit 1
fi
head=$(git -C "$AM" rev-parse HEAD)

# --- checkpatch ---------------------------------------------------------
cp_bad=0 cp_checks=0
for p in $patches; do
	num=$(basename "$p" | cut -c1-4)
	waive=$(sed -n "s/^$num //p" "$S/waivers")
	args=(--strict --no-summary --show-types)
	[ -n "$waive" ] && args+=(--ignore "$waive")
	(cd "$AM" && perl scripts/checkpatch.pl "${args[@]}" "$p") > "$LOG/checkpatch-$num.log" 2>&1
	e=$(grep -c '^ERROR:' "$LOG/checkpatch-$num.log")
	w=$(grep -c '^WARNING:' "$LOG/checkpatch-$num.log")
	c=$(grep -c '^CHECK:' "$LOG/checkpatch-$num.log")
	cp_checks=$((cp_checks + c))
	if [ "$e" -ne 0 ] || [ "$w" -ne 0 ]; then
		cp_bad=1
		echo "  checkpatch $(basename "$p"): $e errors, $w warnings"
		grep -E '^(ERROR|WARNING):' "$LOG/checkpatch-$num.log" | head -5 | sed 's/^/    /'
	fi
done
if [ $cp_bad -eq 0 ]; then
	gate checkpatch ok "(--strict, $n patches: 0 errors, 0 warnings, $cp_checks checks)"
else
	gate checkpatch fail "(see $LOG/checkpatch-*.log)"
fi

# --- bisect build ---------------------------------------------------------
BO=$B/kbuild/bisect
mkdir -p "$BO"
t0=$(date +%s)
bis_bad=0
i=0
for c in $(git -C "$AM" rev-list --reverse "$base..$head"); do
	i=$((i + 1))
	git -C "$AM" checkout -q -f --detach "$c"
	cp "$B/kbuild/default/.config" "$BO/.config"
	ts=$(date +%s)
	if "${mk[@]}" -C "$AM" O="$BO" olddefconfig > "$LOG/bisect-$i.log" 2>&1 &&
	   "${mk[@]}" -C "$AM" O="$BO" -j"$JOBS" bzImage >> "$LOG/bisect-$i.log" 2>&1; then
		tb=$(date +%s)
		if /usr/bin/python3 "$PROJ/scripts/run-scenario.py" \
			"$PROJ/scenarios/series/bisect-boot.scn" \
			--kernel "$BO/arch/x86/boot/bzImage" \
			--initrd "$B/initramfs-min.cpio.gz" \
			--out "$LOG/boot-$i" > "$LOG/boot-$i.log" 2>&1; then
			echo "  bisect $i/$n: builds ($(( tb - ts )) s), boots ($(( $(date +%s) - tb )) s) $(git -C "$AM" log -1 --format=%s "$c")"
		else
			echo "  bisect $i/$n: builds, BOOT FAILED $(git -C "$AM" log -1 --format=%s "$c") (see $LOG/boot-$i.log)"
			bis_bad=1
		fi
	else
		echo "  bisect $i/$n: BUILD FAILED $(git -C "$AM" log -1 --format=%s "$c") (see $LOG/bisect-$i.log)"
		bis_bad=1
	fi
done
if [ $bis_bad -eq 0 ]; then
	gate bisect ok "(kernel builds and boots after each of $n patches, $(( $(date +%s) - t0 )) s)"
else
	gate bisect fail ""
fi

# --- sparse and W=1 ------------------------------------------------------
# C files the series adds or changes and the config builds, as objects.
changed=$(git -C "$AM" diff --name-only --diff-filter=AM "$base" "$head" -- '*.c' | grep -v '^tools/')
objs=() newobjs=()
ar t "$B/kbuild/default/vmlinux.a" > "$LOG/vmlinux-objs.txt"
for f in $changed; do
	o=${f%.c}.o
	# Built into the kernel by this config (not a leftover of another)
	grep -qx ".*/$o" "$LOG/vmlinux-objs.txt" || continue
	objs+=("$o")
	git -C "$TREE" cat-file -e "base:$f" 2>/dev/null || newobjs+=("$o")
done
norm() {	# warnings as "file: message", without line numbers
	grep -E 'warning:|error:' | sed -E "s#^$1/##; s#^([^:]+):[0-9]+:[0-9]+:#\\1:#; s#^([^:]+):[0-9]+:#\\1:#" | sort -u
}
# After the project's own build; W=1/C=2 force these objects to recompile.
"${mk[@]}" -C "$AM" O="$BO" C=2 W=1 "${objs[@]}" > "$LOG/sparse-final.log" 2>&1
norm "$AM" < "$LOG/sparse-final.log" > "$LOG/sparse-final.txt"
git -C "$AM" checkout -q -f --detach "$base"
BB=$B/kbuild/base-check
mkdir -p "$BB"
cp "$B/kbuild/default/.config" "$BB/.config"
baseobjs=()
for o in "${objs[@]}"; do
	[[ " ${newobjs[*]} " == *" $o "* ]] || baseobjs+=("$o")
done
{ "${mk[@]}" -C "$AM" O="$BB" olddefconfig && "${mk[@]}" -C "$AM" O="$BB" -j"$JOBS" prepare &&
  "${mk[@]}" -C "$AM" O="$BB" C=2 W=1 "${baseobjs[@]}"; } > "$LOG/sparse-base.log" 2>&1
norm "$AM" < "$LOG/sparse-base.log" > "$LOG/sparse-base.txt"
comm -13 "$LOG/sparse-base.txt" "$LOG/sparse-final.txt" > "$LOG/sparse-new.txt"
if [ -s "$LOG/sparse-new.txt" ]; then
	gate sparse-w1 fail "(new warnings:)"
	sed 's/^/    /' "$LOG/sparse-new.txt"
else
	gate sparse-w1 ok "(${#objs[@]} objects, C=2 W=1: no new warnings; $(wc -l < "$LOG/sparse-base.txt") in the base)"
fi
git -C "$AM" checkout -q -f --detach "$head"

# --- the mechanism alone ------------------------------------------------
# CONFIG_EFI_RT_GATE without the measured interface and without any TPM
# driver builds, and a locked boot of it stays locked and serves EFI
# variables read-only (scenarios/series/mechanism-only.scn).
cp "$B/kbuild/default/.config" "$BO/.config"
"$AM/scripts/config" --file "$BO/.config" -d SECURITY_EFI_RT_GATE -d TCG_TPM
if "${mk[@]}" -C "$AM" O="$BO" olddefconfig > "$LOG/mechanism.log" 2>&1 &&
   grep -qx 'CONFIG_EFI_RT_GATE=y' "$BO/.config" &&
   ! grep -q '^CONFIG_TCG_TPM=\|^CONFIG_SECURITY_EFI_RT_GATE=' "$BO/.config" &&
   "${mk[@]}" -C "$AM" O="$BO" -j"$JOBS" bzImage >> "$LOG/mechanism.log" 2>&1; then
	if /usr/bin/python3 "$PROJ/scripts/run-scenario.py" \
		"$PROJ/scenarios/series/mechanism-only.scn" \
		--kernel "$BO/arch/x86/boot/bzImage" \
		--initrd "$B/initramfs-min.cpio.gz" \
		--out "$LOG/mechanism-boot" > "$LOG/mechanism-boot.log" 2>&1; then
		gate mechanism ok "(EFI_RT_GATE=y without SECURITY_EFI_RT_GATE and TCG_TPM: builds, stays locked, variables read-only)"
	else
		gate mechanism fail "(boots wrong: see $LOG/mechanism-boot.log)"
	fi
else
	gate mechanism fail "(EFI_RT_GATE=y without SECURITY_EFI_RT_GATE and TCG_TPM: config or build failed, see $LOG/mechanism.log)"
fi

# --- kernel-doc ---------------------------------------------------------
kd_files=$(git -C "$AM" diff --name-only --diff-filter=AM "$base" "$head" -- '*.c' '*.h' | grep -v '^tools/')
kd_bad=0
for f in $kd_files; do
	(cd "$AM" && scripts/kernel-doc -none -Wall "$f") > "$LOG/kdoc.txt" 2>&1
	if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
		git -C "$AM" show "base:$f" > "$LOG/kdoc-base.${f##*.}"
		(cd "$AM" && scripts/kernel-doc -none -Wall "$LOG/kdoc-base.${f##*.}") 2>&1 |
			sed -E 's#^.*kdoc-base\.[ch]:[0-9]+:##' | sort -u > "$LOG/kdoc-base.txt"
		sed -E "s#^$f:[0-9]+:##" "$LOG/kdoc.txt" | sort -u | comm -13 "$LOG/kdoc-base.txt" - > "$LOG/kdoc-new.txt"
	else
		cp "$LOG/kdoc.txt" "$LOG/kdoc-new.txt"
	fi
	if [ -s "$LOG/kdoc-new.txt" ]; then
		kd_bad=1
		echo "  kernel-doc $f:"
		sed 's/^/    /' "$LOG/kdoc-new.txt" | head -5
	fi
done
# Non-static functions added by the series must carry kernel-doc.
/usr/bin/python3 - "$AM" "$base" "$head" > "$LOG/kdoc-missing.txt" <<'PY'
import re, subprocess, sys
wt, base, head = sys.argv[1:]
diff = subprocess.run(["git", "-C", wt, "diff", "-U0", base, head, "--", "*.c",
                       ":!tools/"], capture_output=True, text=True).stdout
fn = re.compile(r"^\+(?!static\b)(?!\s)(?:[\w\s\*]+?)\b(\w+)\(([^;]*)$")
cur = None
for line in diff.splitlines():
    if line.startswith("+++ b/"):
        cur = line[6:]
        continue
    m = fn.match(line)
    if not m or not cur or line.rstrip().endswith(";") or "=" in line.split("(")[0]:
        continue
    if m.group(1) in ("if", "for", "while", "switch", "return", "sizeof"):
        continue
    name = m.group(1)
    text = open(f"{wt}/{cur}").read()
    i = text.find(line[1:] + "\n")
    head_text = text[:i]
    doc = head_text[head_text.rfind("/**"):] if "/**" in head_text else ""
    named = f"{name}(" in doc or f" {name} -" in doc
    if not doc or "*/" not in doc or doc.count("*/") != 1 or not named:
        print(f"{cur}: {name}() has no kernel-doc")
    elif not line[1:].startswith("void ") and "Return:" not in doc:
        print(f"{cur}: {name}() kernel-doc has no Return: section")
PY
if [ -s "$LOG/kdoc-missing.txt" ]; then
	kd_bad=1
	sed 's/^/  /' "$LOG/kdoc-missing.txt"
fi
if [ $kd_bad -eq 0 ]; then
	gate kernel-doc ok "($(echo "$kd_files" | wc -w) files clean with -Wall; every added non-static function documented)"
else
	gate kernel-doc fail ""
fi

# --- documentation -------------------------------------------------------
abi=$(cd "$AM" && scripts/get_abi.pl validate --dir Documentation/ABI/testing 2>&1 |
      grep -E 'efi[-_]rt|slaunch' || true)
rst_out=""
# New pages only: changed ones such as index.rst use Sphinx directives.
for f in $(git -C "$AM" diff --name-only --diff-filter=A "$base" "$head" -- 'Documentation/*.rst'); do
	rst_out+=$(/usr/bin/python3 -c 'import sys, docutils.core
docutils.core.publish_doctree(open(sys.argv[1]).read(), source_path=sys.argv[1],
    settings_overrides={"halt_level": 2, "report_level": 2})' "$AM/$f" 2>&1) || rst_out+=" ($f)"
done
if [ -z "$abi" ] && [ -z "$rst_out" ]; then
	gate docs ok "(get_abi.pl validate clean for the ABI files; rst parses without warnings)"
else
	gate docs fail ""
	echo "$abi$rst_out" | sed 's/^/    /'
fi

echo "GATES $gp $gf"
[ $gf -eq 0 ]
