#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build a kernel variant from $TREE into $KBUILD/<variant>:
# "make tinyconfig" plus the harness fragment, the selftest's own fragment
# and the variant's fragment (scripts/variants/<variant>.config), merged with
# merge_config.sh.  Every requested symbol is then checked, because
# merge_config.sh silently drops symbols whose dependencies are unmet.
# A variant with CONFIG_MODULES=y also gets its modules installed into
# $OUT/modroot.
set -euo pipefail

PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}
VARIANT=${1:-default}
OUT=${KBUILD:-$PROJ/build/kbuild}/$VARIANT
JOBS=${JOBS:-$(nproc)}

frags=("$PROJ/scripts/harness.config"
       "$PROJ/tools/testing/selftests/efi_rt_gate/config")
if [ "$VARIANT" != default ]; then
	v="$PROJ/scripts/variants/$VARIANT.config"
	[ -f "$v" ] || { echo "build: unknown kernel variant '$VARIANT' ($v)" >&2; exit 1; }
	frags+=("$v")
fi

mk=(make -C "$TREE" O="$OUT" -s)
if command -v ccache >/dev/null; then
	mk+=(CC="ccache gcc" HOSTCC="ccache gcc")
	# Paths below the project are hashed relative to it: clones share the cache.
	export CCACHE_BASEDIR=$PROJ CCACHE_NOHASHDIR=1
fi
mkdir -p "$OUT"

# Reconfigure only when a fragment or the Kconfig side of the project changed.
stamp=$( (cat "${frags[@]}"; cat "$PROJ"/patches/*.patch 2>/dev/null || true;
	  find "$PROJ"/arch "$PROJ"/drivers "$PROJ"/security -name 'Kconfig*' \
		-exec cat {} + 2>/dev/null || true) | sha256sum | cut -c1-16)
start=$(date +%s.%N)
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.cfgstamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$OUT/.cfgstamp"
	"${mk[@]}" tinyconfig >/dev/null
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$OUT" \
		"$OUT/.config" "${frags[@]}" >"$OUT/merge.log" 2>&1)
	"${mk[@]}" olddefconfig >/dev/null
	# The last fragment that mentions a symbol decides its value.
	declare -A req=() from=()
	for frag in "${frags[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=n|"# CONFIG_"*" is not set")
				sym=${line#\# }; sym=${sym%%[= ]*}
				req[$sym]=n; from[$sym]=${frag##*/} ;;
			CONFIG_*=*)
				sym=${line%%=*}
				req[$sym]=${line#*=}; from[$sym]=${frag##*/} ;;
			esac
		done < "$frag"
	done
	bad=0
	for sym in "${!req[@]}"; do
		have=$(sed -n "s/^$sym=//p" "$OUT/.config")
		want=${req[$sym]}
		if [ "$want" = n ]; then
			[ -z "$have" ] && continue
		elif [ "$have" = "$want" ]; then
			continue
		fi
		echo "build: ${from[$sym]} asks for $sym=$want but .config has ${have:-it unset}" >&2
		bad=1
	done
	if [ $bad -ne 0 ]; then
		echo "build: requested config symbols were dropped (unmet dependencies); see $OUT/merge.log" >&2
		exit 1
	fi
	echo "$stamp" > "$OUT/.cfgstamp"
fi
"${mk[@]}" -j"$JOBS" bzImage
# A variant with loadable modules installs them under $OUT/modroot
# (lib/modules/<release>/, with modules.dep), which the initramfs of the
# scenarios booting this variant carries (scripts/mkinitramfs.sh).
rm -rf "$OUT/modroot"
if grep -q '^CONFIG_MODULES=y' "$OUT/.config"; then
	"${mk[@]}" -j"$JOBS" modules
	"${mk[@]}" INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 modules_install >/dev/null
	[ -s "$(echo "$OUT"/modroot/lib/modules/*/modules.dep)" ] || {
		echo "build: modules_install wrote no modules.dep (is depmod, package kmod, installed?)" >&2
		exit 1
	}
fi
end=$(date +%s.%N)
printf 'build: %s kernel %s in %.1f s\n' "$VARIANT" "$OUT/arch/x86/boot/bzImage" "$(echo "$end - $start" | bc)"
