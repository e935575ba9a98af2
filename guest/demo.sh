#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": print, for a human, what the guest sees.
# The installer story (scenarios/demo/installer.scn) boots twice.
if [ -n "${HARNESS_BOOT:-}" ]; then
	exec /installer-demo.sh
fi

EFIVARS=/sys/firmware/efi/efivars
GATE=/sys/kernel/security/efi_rt
GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c

pcr() {	# bank index
	cat "/sys/class/tpm/tpm0/pcr-$1/$2" 2>/dev/null || echo "(unreadable)"
}

section() {
	echo
	echo "== $*"
}

efivarfs_try() {
	if mount -t efivarfs efivarfs $EFIVARS 2>/tmp/mnt.err; then
		echo "mount -t efivarfs: ok, $(ls $EFIVARS | wc -l) variables"
		printf 'BootOrder: '
		dd if="$EFIVARS/BootOrder-$GUID" bs=1 skip=4 2>/dev/null | od -An -tx1 | tr -d "\n"
		echo
		umount $EFIVARS
	else
		echo "mount -t efivarfs: $(sed 's/^mount: //' /tmp/mnt.err)"
	fi
}

# Kernel messages go to the transcript from dmesg, not interleaved.
dmesg -n 1

section "Firmware"
dmesg | grep -m1 "efi: EFI v" | sed 's/^\[[^]]*\] //'
echo "fw_platform_size: $(cat /sys/firmware/efi/fw_platform_size)-bit"
echo "kernel: $(uname -r), cmdline: $(cat /proc/cmdline)"

if [ -r /sys/kernel/security/slaunch/emulated ]; then
	section "Secure launch"
	dmesg | grep "slaunch: " | sed 's/^/  /'
fi

section "TPM"
if [ -d /sys/class/tpm/tpm0 ]; then
	echo "TPM $(cat /sys/class/tpm/tpm0/tpm_version_major).0: $(dmesg | grep -m1 'tpm_tis' | sed 's/^\[[^]]*\] //')"
	for i in 0 7 9 17 18; do
		echo "PCR $i sha256: $(pcr sha256 $i)"
	done
else
	echo "no TPM"
fi

section "EFI variables"
efivarfs_try

drtm_log() {
	[ -r /sys/kernel/security/slaunch/eventlog ] || return 0
	echo "DRTM event log (/sys/kernel/security/slaunch/eventlog, emulated: $(cat /sys/kernel/security/slaunch/emulated)):"
	if command -v tpm2_eventlog >/dev/null; then
		tpm2_eventlog /sys/kernel/security/slaunch/eventlog 2>/dev/null | awk '
			/PCRIndex:/ { pcr = $2 }
			/EventType:/ { type = $2 }
			/AlgorithmId: sha256/ { want = 1; next }
			want && /Digest:/ { gsub(/"/, "", $2); d = $2; want = 0 }
			/EventSize:/ { if (pcr != "") printf "  PCR %s %s sha256:%s\n", pcr, type, d }'
	else
		echo "  ($(wc -c < /sys/kernel/security/slaunch/eventlog) bytes; tpm2_eventlog not in this initramfs)"
	fi
}

if [ -d $GATE ]; then
	section "EFI runtime gate"
	p=$(cat $GATE/pcr)
	echo "state: $(cat $GATE/state), pcr: $p"
	before=$(pcr sha256 "$p")
	echo "PCR $p sha256 before: $before"
	echo "event log (ascii_measurements):"
	sed 's/^/  /' $GATE/ascii_measurements
	drtm_log
	if [ "$(cat $GATE/state)" = locked ]; then
		section "echo 1 > $GATE/unlock"
		if echo 1 > $GATE/unlock; then
			echo "unlock: ok, state: $(cat $GATE/state)"
		else
			echo "unlock: failed, state: $(cat $GATE/state)"
		fi
		echo "PCR $p sha256 after:  $(pcr sha256 "$p")"
		d=$(tail -n1 $GATE/ascii_measurements | sed -n 's/^[0-9]* sha256:\([0-9a-f]*\) .*/\1/p')
		printf 'expected H(before || new record digest): '
		printf "$(echo "$before$d" | sed 's/../\\x&/g')" | sha256sum | cut -d' ' -f1 | tr a-f A-F
		echo "event log (ascii_measurements):"
		sed 's/^/  /' $GATE/ascii_measurements
		drtm_log
		dmesg | grep "efi_rt_gate: " | sed 's/^/  dmesg: /'
		section "EFI variables after unlock"
		efivarfs_try
	fi
fi
