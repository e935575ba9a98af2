#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install (as root) or list (otherwise) the Debian 12 packages the harness
# needs.  The base kernel is pinned: a newer linux-source-6.12 security
# release must not silently move the base of the series.
set -euo pipefail

BASE_PKG="linux-source-6.12=6.12.117-1~deb12u1"
PKGS=(
	"$BASE_PKG"
	build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
	ccache sparse python3 python3-docutils git
	qemu-system-x86 ovmf ovmf-ia32 swtpm swtpm-tools
	busybox-static tpm2-tools libtss2-tcti-device0 kmod
	libtss2-dev efibootmgr kexec-tools
	mtools dosfstools systemd-boot-efi
)

missing=()
for p in "${PKGS[@]}"; do
	name=${p%%=*}
	want=${p#*=}
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case "$have" in
	"install ok installed "*)
		if [ "$want" != "$p" ] && [ "${have##* }" != "$want" ]; then
			missing+=("$p")
		fi
		;;
	*) missing+=("$p") ;;
	esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends --allow-downgrades ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd -q >/dev/null
