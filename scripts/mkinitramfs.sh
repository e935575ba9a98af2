#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest initramfs from Debian packages only: busybox-static, the
# compiled selftests, and with "tools" tpm2-tools and efibootmgr plus every
# shared library they and the dynamically linked selftests (tpm2-tss users)
# need, and the TCTI device library tpm2-tools dlopens.  MODROOT is a kernel
# variant's INSTALL_MOD_PATH (scripts/build-kernel.sh): its lib/modules/
# tree goes in too, for harness.modprobe= (guest/init).  "kexec" is "min"
# plus kexec-tools (kexec and its shared libraries), $KEXEC_IMAGE as
# /kexec/bzImage and $KEXEC_INITRD as /kexec/initrd.cpio.gz: what the
# kexec_test selftest loads (scripts/check.sh sets both).
#   mkinitramfs.sh OUT.cpio.gz SELFTEST_DIR [min|tools|kexec] [MODROOT]
set -euo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
OUT=$1
TESTS=$2
FLAVOUR=${3:-min}
MODROOT=${4:-}
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT

mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,etc,selftests,usr/lib/x86_64-linux-gnu,usr/lib64}
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
cp "$PROJ/guest/init" "$R/init"
cp "$PROJ/guest/demo.sh" "$R/demo.sh"
cp "$PROJ/guest/installer-demo.sh" "$R/installer-demo.sh"
cp -a "$TESTS"/. "$R/selftests/"

copy_lib() {
	local lib=$1
	local real
	real=$(readlink -f "$lib")
	cp "$real" "$R/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
}
if [ "$FLAVOUR" = tools ]; then
	mkdir -p "$R/usr/bin"
	cp /usr/bin/tpm2 "$R/usr/bin/tpm2"
	for t in tpm2_eventlog tpm2_pcrread; do ln -s tpm2 "$R/usr/bin/$t"; done
	cp /bin/efibootmgr "$R/usr/bin/efibootmgr"
	tcti=$(ls /usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0)
	# Selftests linked against tpm2-tss (Debian has no static libraries).
	dyn=$(for f in "$R"/selftests/*; do
		if [ -f "$f" ] && ldd "$f" >/dev/null 2>&1; then
			echo "$f"
		fi
	done)
	for l in $( (ldd /usr/bin/tpm2; ldd "$tcti"; ldd /bin/efibootmgr
		     for f in $dyn; do ldd "$f"; done) |
		   awk '/=> \//{print $3}' | sort -u) "$tcti"; do
		copy_lib "$l"
	done
	cp /lib64/ld-linux-x86-64.so.2 "$R/usr/lib64/"
fi
if [ "$FLAVOUR" = kexec ]; then
	mkdir -p "$R/usr/sbin" "$R/kexec"
	cp /usr/sbin/kexec "$R/usr/sbin/kexec"
	for l in $(ldd /usr/sbin/kexec | awk '/=> \//{print $3}' | sort -u); do
		copy_lib "$l"
	done
	cp /lib64/ld-linux-x86-64.so.2 "$R/usr/lib64/"
	cp "${KEXEC_IMAGE:?kexec flavour needs KEXEC_IMAGE}" "$R/kexec/bzImage"
	cp "${KEXEC_INITRD:?kexec flavour needs KEXEC_INITRD}" "$R/kexec/initrd.cpio.gz"
fi
if [ -n "$MODROOT" ]; then
	[ -d "$MODROOT/lib/modules" ] || { echo "initramfs: no $MODROOT/lib/modules" >&2; exit 1; }
	cp -a "$MODROOT/lib/modules" "$R/usr/lib/modules"
fi
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "initramfs: $OUT ($FLAVOUR${MODROOT:+ + modules}, $(du -k "$OUT" | cut -f1) KiB)"
