#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": numbers measured in-process in the guest
# (tools/testing/selftests/efi_rt_gate/efi_rt_gate_bench.c):
#   - the first unlock of a locked boot (it runs SetVirtualAddressMap()
#     and frees the boot-services memory, whose size it also reports)
#     against later unlocks;
#   - measured unlock latency against a bare TPM2_PCR_Extend of the same
#     PCR, all banks, sent to /dev/tpmrm0 (ratio: what the gate adds to the
#     extend);
#   - a GetVariable() through efivarfs on this kernel, gate unlocked,
#     against the same kernel built without the gate (ratio: the cost of
#     the gate's test of EFI_RUNTIME_SERVICES on the runtime-services path);
#   - the same read while locked, served from the EFI stub's variable
#     snapshot, against the firmware's (gate unlocked) on the same boot;
#     the stub's walk per variable (TSC cycles it prints, at the TSC rate
#     the kernel detected) and the snapshot's size; and the floor for
#     that read: the same bytes from a tmpfs file in the same boot.
# Both kernels boot BENCH_ROUNDS times (default 3), alternately, so drift
# of the host hits both; each figure is the median over the rounds of the
# per-boot medians, with the lowest and highest per-boot median beside it.
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
B=$PROJ/build
ROUNDS=${BENCH_ROUNDS:-3}
"$PROJ/scripts/build-kernel.sh" nogate >&2 || exit 1
declare -A v
for r in $(seq "$ROUNDS"); do
	for k in gate nogate; do
		kv=default
		[ $k = nogate ] && kv=nogate
		out=$B/runs/bench-$k-$r
		/usr/bin/python3 "$PROJ/scripts/run-scenario.py" "$PROJ/scenarios/bench/$k.scn" \
			--kernel "$B/kbuild/$kv/arch/x86/boot/bzImage" \
			--initrd "$B/initramfs-min.cpio.gz" --out "$out" >/dev/null
		if ! grep -q '^BENCH getvar_us=' "$out/console.log"; then
			echo "bench: the $k run produced no numbers; see $out/console.log" >&2
			grep '^BENCH error' "$out/console.log" >&2
			exit 1
		fi
		while IFS='=' read -r key val; do
			v[$k.${key#BENCH }]+="$val "
		done < <(grep '^BENCH ' "$out/console.log" | tr -d '\r')
		# The EFI stub's variable snapshot (gate kernel, locked boot):
		# "EFI variable snapshot: N variables, S bytes, C TSC cycles"
		# and the TSC rate the kernel detected, for microseconds.
		if [ $k = gate ]; then
			read -r nv sz cyc < <(sed -n 's/.*EFI variable snapshot: \([0-9]*\) variables, \([0-9]*\) bytes, \([0-9]*\) TSC cycles.*/\1 \2 \3/p' "$out/console.log" | head -1)
			mhz=$(sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' "$out/console.log" | head -1)
			if [ -n "${nv:-}" ] && [ -n "$mhz" ] && [ "$nv" -gt 0 ]; then
				v[gate.snapvars]+="$nv "
				v[gate.snapbytes]+="$sz "
				v[gate.stub_us_per_var]+="$(echo "scale=1; $cyc / $mhz / $nv" | bc) "
			fi
		fi
	done
done
# Every figure must have been measured, in every round.
for key in gate.first_unlock_us gate.unlock_us gate.bs_reserved_kib gate.extend_us \
	   gate.getvar_us nogate.getvar_us gate.snapvar_us gate.tmpfsvar_us; do
	got=$(echo "${v[$key]:-}" | wc -w)
	if [ "$got" -ne "$ROUNDS" ]; then
		echo "bench: $key measured in $got of $ROUNDS rounds" >&2
		exit 1
	fi
done
# stats "v1 v2 ...": median, min, max
stats() { echo "$1" | tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 }
	END { printf "%s %s %s\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR] }'; }
row() {	# label values
	local m lo hi
	read -r m lo hi < <(stats "$2")
	printf '  %-46s %9s   (%s .. %s)\n' "$1" "$m" "$lo" "$hi"
	eval "med_$3=$m"
}
ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
echo "efi_rt_gate benchmark (QEMU TCG guest, swtpm; $ROUNDS boots per kernel, microseconds:"
echo "median over boots of the per-boot medians, lowest .. highest per-boot median)"
row "first unlock of a locked boot (+ late SVAM)" "${v[gate.first_unlock_us]}" first
row "measured unlock (extend + log + late enable)" "${v[gate.unlock_us]}" unlock
printf '  %-46s %9s\n' "  ratio first unlock / later unlock" "$(ratio "$med_first" "$med_unlock")"
row "boot-services memory reserved until then, KiB" "${v[gate.bs_reserved_kib]}" bs
row "bare TPM2_PCR_Extend, all banks, /dev/tpmrm0" "${v[gate.extend_us]}" extend
printf '  %-46s %9s\n' "  ratio unlock / extend" "$(ratio "$med_unlock" "$med_extend")"
row "GetVariable via efivarfs, gate kernel" "${v[gate.getvar_us]}" gv
row "GetVariable via efivarfs, kernel without gate" "${v[nogate.getvar_us]}" nogv
printf '  %-46s %9s\n' "  ratio gate / no gate" "$(ratio "$med_gv" "$med_nogv")"
if [ -n "${v[gate.snapvar_us]:-}" ]; then
	row "GetVariable via efivarfs, locked (snapshot)" "${v[gate.snapvar_us]}" snap
	printf '  %-46s %9s\n' "  ratio snapshot / firmware (gate kernel)" "$(ratio "$med_snap" "$med_gv")"
	row "the same bytes from a tmpfs file (floor)" "${v[gate.tmpfsvar_us]}" tmpfs
	printf '  %-46s %9s\n' "  ratio snapshot / tmpfs" "$(ratio "$med_snap" "$med_tmpfs")"
fi
if [ -n "${v[gate.stub_us_per_var]:-}" ]; then
	row "EFI stub snapshot walk, per variable" "${v[gate.stub_us_per_var]}" stubvar
	row "snapshot: variables" "${v[gate.snapvars]}" nvars
	row "snapshot: size in memory, bytes" "${v[gate.snapbytes]}" nbytes
fi
