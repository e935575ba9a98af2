#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo": boot the demo scenarios and print the guest's transcript.
# The default is the installer story (scenarios/demo/installer.scn, two
# boots); DEMO="demo slaunch" shows the longer transcripts of one boot each.
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
B=$PROJ/build
rc=0
mkdir -p "$B/runs"
for SCN in ${DEMO:-installer}; do
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
sed -n '/@@DEMO BEGIN@@/,/@@DEMO END@@/p' "$out/console.log" | grep -v '@@DEMO \(BEGIN\|END\)@@' | tr -d '\r'
if grep -q ': PASS' "$out.result"; then
	tail -n1 "$out.result"
else
	cat "$out.result"
fi
echo
done
exit $rc
