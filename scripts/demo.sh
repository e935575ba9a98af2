#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo": boot the demo scenario and print the guest's transcript.
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
B=$PROJ/build
rc=0
mkdir -p "$B/runs"
for SCN in ${DEMO:-demo slaunch}; do
f=$PROJ/scenarios/demo/$SCN.scn
kv=$(sed -n 's/^kernel:[[:space:]]*//p' "$f")
if [ -n "$kv" ] && [ "$kv" != default ]; then
	"$PROJ/scripts/build-kernel.sh" "$kv" >&2 || exit 1
fi
kern=$B/kbuild/${kv:-default}/arch/x86/boot/bzImage
out=$B/runs/demo-$SCN
initrd=$B/initramfs-$(sed -n 's/^initrd:[[:space:]]*//p' "$f" | grep . || echo min).cpio.gz
/usr/bin/python3 "$PROJ/scripts/run-scenario.py" "$f" --kernel "$kern" \
	--initrd "$initrd" --out "$out" > "$out.result" 2>&1 || rc=1
echo "=== demo ($SCN): $(sed -n 's/^description:[[:space:]]*//p' "$f")"
sed -n '/@@DEMO BEGIN@@/,/@@DEMO END@@/p' "$out/console.log" | sed '1d;$d' | tr -d '\r'
echo
cat "$out.result"
echo
done
exit $rc
