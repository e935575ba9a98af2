#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make demo": the installer story, one part per boot
# ($HARNESS_BOOT, from the harness disk).  Boot 1 seals a secret to the
# gate's PCR, unlocks runtime services, writes a boot entry and finds the
# secret gone; boot 2 (the same machine after a power cycle) gets it back.
GATE=/sys/kernel/security/efi_rt
SEAL=/selftests/efi_rt_gate_seal
LABEL="installed system"
LOADER='\EFI\installed\grubx64.efi'

part() {	# GPT partition name -> /dev node
	for u in /sys/class/block/*/uevent; do
		grep -qx "PARTNAME=$1" "$u" && echo "/dev/$(sed -n 's/^DEVNAME=//p' "$u")"
	done
}

pcr() {
	cut -c1-16 "/sys/class/tpm/tpm0/pcr-sha256/$P" | tr A-F a-f
}

launch() {
	if [ -r /sys/kernel/security/slaunch/emulated ]; then
		echo "secure launch (emulated Intel TXT)"
	else
		echo "normal boot, efi_rt_gate=locked"
	fi
}

entry() {	# the boot entry as efibootmgr lists it
	efibootmgr 2>/dev/null | grep "$LABEL"
}

dmesg -n 1
SEALED=$(part sealed)
DISK=$(part esp | sed 's/[0-9]*$//')
P=$(cat $GATE/pcr)

if [ "$HARNESS_BOOT" = 1 ]; then
	echo "boot 1: $(launch). EFI runtime services (the OS calling the firmware, e.g. to write"
	echo "  boot entries): $(cat $GATE/state). The gate measures into PCR $P, now $(pcr)..."
	echo "  $($SEAL seal "$SEALED") with tpm2-tss (PolicyPCR), blob on $SEALED"
	echo "  $($SEAL unseal "$SEALED")"
	echo "# echo 1 > $GATE/unlock      (the installer needs the firmware now)"
	echo 1 > $GATE/unlock
	echo "  EFI runtime services: $(cat $GATE/state); PCR $P = $(pcr)... because the gate logged, before unlocking:"
	tail -n1 $GATE/ascii_measurements | sed 's/sha256:\(.\{16\}\)[0-9a-f]*/sha256:\1.../g; s/^/  /'
	mount -t efivarfs efivarfs /sys/firmware/efi/efivars
	echo "# efibootmgr -c -d $DISK -p 1 -L '$LABEL' -l '$LOADER'"
	out=$(efibootmgr -c -d "$DISK" -p 1 -L "$LABEL" -l "$LOADER")
	echo "  $(echo "$out" | grep "$LABEL"), $(echo "$out" | grep BootOrder)   (SetVariable through efivarfs)"
	echo "  $($SEAL unseal "$SEALED")   <- PCR $P moved: no more secret in this boot"
else
	echo "boot 2: power cycle (same TPM, variables and disk), $(launch)"
	echo "  EFI runtime services: $(cat $GATE/state) again; PCR $P = $(pcr)... (the value sealed to)"
	echo "  $($SEAL unseal "$SEALED")   <- the secret is back"
	echo 1 > $GATE/unlock
	mount -t efivarfs efivarfs /sys/firmware/efi/efivars
	echo "  after another unlock, efibootmgr lists: $(entry)   <- the boot entry survived"
fi
