#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit: build the "debug" kernel variant (tinyconfig + harness + the
# gate's KUnit tests, fault injection, kmemleak; the scenarios with
# "kernel: debug" boot the same kernel), run it with
# tools/testing/kunit/kunit.py exec under qemu-system-x86_64, and print
# "KUNIT <passed> <failed> <skipped>" last.
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$PROJ/build/linux}
B=$PROJ/build
"$PROJ/scripts/build-kernel.sh" debug >&2 || { echo "KUNIT 0 1 0"; exit 1; }
mkdir -p "$B/runs/kunit"
(cd "$TREE" && timeout 600 /usr/bin/python3 tools/testing/kunit/kunit.py exec \
	--arch=x86_64 --build_dir="$B/kbuild/debug" --timeout 300 \
	--json="$B/runs/kunit/result.json") > "$B/runs/kunit/kunit.log" 2>&1
rc=$?
grep -E "^\[[0-9:]+\] (\[(PASSED|FAILED|SKIPPED)\]|.*Testing complete)" "$B/runs/kunit/kunit.log" \
	| sed 's/^\[[0-9:]*\] /  kunit: /'
read -r p f s < <(/usr/bin/python3 - "$B/runs/kunit/result.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print(0, 1, 0)
    sys.exit()
c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
def walk(node):
    subs = node.get("sub_groups") or []
    for t in node.get("test_cases", []):
        c[t["status"]] = c.get(t["status"], 0) + 1
    for s in subs:
        walk(s)
walk(r)
print(c["PASS"], c["FAIL"] + c.get("ERROR", 0), c["SKIP"])
PY
)
[ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1
echo "KUNIT $p $f $s"
[ "$f" -eq 0 ]
