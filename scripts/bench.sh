#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": numbers from one guest run per kernel, measured in-process
# in the guest (tools/testing/selftests/efi_rt_gate/efi_rt_gate_bench.c):
#   - measured unlock latency against a bare TPM2_PCR_Extend of the same
#     PCR sent to /dev/tpmrm0 (ratio: what the gate adds to the extend);
#   - a GetVariable() through efivarfs on this kernel, gate unlocked,
#     against the same kernel built without the gate (ratio: the cost of
#     the static-key gate on the runtime-services path).
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
B=$PROJ/build
"$PROJ/scripts/build-kernel.sh" nogate >&2 || exit 1
declare -A v
for k in gate nogate; do
	kv=default
	[ $k = nogate ] && kv=nogate
	/usr/bin/python3 "$PROJ/scripts/run-scenario.py" "$PROJ/scenarios/bench/$k.scn" \
		--kernel "$B/kbuild/$kv/arch/x86/boot/bzImage" \
		--initrd "$B/initramfs-min.cpio.gz" --out "$B/runs/bench-$k" >/dev/null
	if ! grep -q '^BENCH getvar_us=' "$B/runs/bench-$k/console.log"; then
		echo "bench: the $k run produced no numbers; see $B/runs/bench-$k/console.log" >&2
		grep '^BENCH error' "$B/runs/bench-$k/console.log" >&2
		exit 1
	fi
	while IFS='=' read -r key val; do
		v[$k.${key#BENCH }]=$val
	done < <(grep '^BENCH ' "$B/runs/bench-$k/console.log" | tr -d '\r')
done
ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
echo "efi_rt_gate benchmark (QEMU TCG guest, swtpm; medians, microseconds)"
printf '  %-44s %10s\n' "measured unlock (extend + log + late enable)" "${v[gate.unlock_us]}"
printf '  %-44s %10s\n' "bare TPM2_PCR_Extend via /dev/tpmrm0" "${v[gate.extend_us]}"
printf '  %-44s %10s\n' "  ratio unlock / extend" "$(ratio "${v[gate.unlock_us]}" "${v[gate.extend_us]}")"
printf '  %-44s %10s\n' "GetVariable via efivarfs, gate kernel" "${v[gate.getvar_us]}"
printf '  %-44s %10s\n' "GetVariable via efivarfs, kernel without gate" "${v[nogate.getvar_us]}"
printf '  %-44s %10s\n' "  ratio gate / no gate" "$(ratio "${v[gate.getvar_us]}" "${v[nogate.getvar_us]}")"
