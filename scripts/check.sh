#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every scenario in scenarios/*.scn (or those named in $SCENARIOS),
# then the harness self-tests in scenarios/harness-selftest/ (each must
# fail), and print the totals.  The last line is the plain "N passed,
# N failed" (kselftest and KUnit results over all scenarios); skips are
# counted on the line before it.
# A scenario that fails without a failed result (panic, hang, missing plan)
# counts as one failure, so a broken run never ends with "0 failed".
set -uo pipefail
PROJ=$(cd "$(dirname "$0")/.." && pwd)
B=$PROJ/build
PY=/usr/bin/python3

# These two set KERN / INITRD (no command substitution: a subshell would
# forget what was already built and rebuild it for every scenario).
declare -A built=([default]=1)	# the Makefile built the default kernel
kernel_for() {	# variant -> KERN=bzImage, building it once per run
	local v=$1
	if [ -z "${built[$v]:-}" ]; then
		"$PROJ/scripts/build-kernel.sh" "$v" >&2 || return 1
		built[$v]=1
	fi
	KERN=$B/kbuild/$v/arch/x86/boot/bzImage
}

# The initramfs of a flavour; for a variant with modules (kernel: debug)
# the same plus that kernel's lib/modules, built once per run.
declare -A initrds=()
initrd_for() {	# variant flavour -> INITRD=cpio
	local v=$1 fl=$2 mods=$B/kbuild/$1/modroot
	INITRD=$B/initramfs-$fl.cpio.gz
	if [ "$fl" = kexec ] || [ "$fl" = kexec2 ]; then
		# The running kernel and the min initramfs, for kexec -s -l
		# in the guest; kexec2 has the kexec initramfs instead of
		# min, for a second kexec.  A variant with modules (its TIS
		# driver) has them in both, the inner one included.
		local inner
		initrd_for "$v" min || return 1
		inner=$INITRD
		if [ "$fl" = kexec2 ]; then
			initrd_for "$v" kexec || return 1
			inner=$INITRD
		fi
		INITRD=$B/kbuild/$v/initramfs-$fl.cpio.gz
		[ -n "${initrds[$v-$fl]:-}" ] && return 0
		# shellcheck disable=SC2046
		KEXEC_IMAGE=$KERN KEXEC_INITRD=$inner \
			"$PROJ/scripts/mkinitramfs.sh" "$INITRD" "$B/selftests" kexec \
			$([ -d "$mods" ] && echo "$mods") >&2 || return 1
		initrds[$v-$fl]=1
		return 0
	fi
	[ -d "$mods" ] || return 0
	INITRD=$B/kbuild/$v/initramfs-$fl.cpio.gz
	if [ -z "${initrds[$v-$fl]:-}" ]; then
		"$PROJ/scripts/mkinitramfs.sh" "$INITRD" "$B/selftests" "$fl" "$mods" >&2 || return 1
		initrds[$v-$fl]=1
	fi
}

scn_value() {	# file key default
	local v
	v=$(sed -n "s/^$2:[[:space:]]*//p" "$1" | tail -n1)
	echo "${v:-$3}"
}

run_one() {	# scenario file [run dir [variant]] -> runs it, prints its lines
	local f=$1 out=${2:-} var=${3:-} name v
	name=$(basename "$f" .scn)
	v=${var:-$(scn_value "$f" kernel default)}
	kernel_for "$v" || {
		echo "scenario $name: FAIL (kernel variant $v did not build)"
		return 1
	}
	initrd_for "$v" "$(scn_value "$f" initrd min)" || {
		echo "scenario $name: FAIL (no initramfs for $v)"
		return 1
	}
	# A variant's "# harness-cmdline: ..." (e.g. the IMA policy of dist)
	local app=
	[ "$v" = default ] || app=$(sed -n 's/^# harness-cmdline:[[:space:]]*//p' \
		"$PROJ/scripts/variants/$v.config")
	$PY "$PROJ/scripts/run-scenario.py" "$f" --kernel "$KERN" --initrd "$INITRD" \
		--out "${out:-$B/runs/$name}" ${var:+--variant "$var"} ${app:+--append "$app"}
}

pass=0 fail=0 skip=0 bad=0
if [ -n "${SCENARIOS:-}" ]; then
	list=$(for s in $SCENARIOS; do echo "$PROJ/scenarios/$s.scn"; done)
else
	list=$(ls "$PROJ"/scenarios/*.scn)
fi
# Each scenario on its own kernel, then on each kernel of its "variants:"
# line (the distribution-shaped and debug kernels, with 2 CPUs), as
# NAME@VARIANT.
runs=$(for f in $list; do
	echo "$f"
	for v in $(sed -n 's/^variants:[[:space:]]*//p' "$f"); do echo "$f@$v"; done
done)
# Build every kernel and initramfs first, then boot: scenarios with one
# CPU run two at a time (TCG runs a one-CPU guest on one host thread; this
# machine has two), those with two CPUs alone.  Each scenario's lines are
# printed when it ends.
JOBS=${JOBS:-2}
declare -A cmd_of=() cpus_of=()
for run in $runs; do
	f=${run%@*} var=
	[ "$run" = "$f" ] || var=${run##*@}
	name=$(basename "$f" .scn)${var:+@$var}
	v=${var:-$(scn_value "$f" kernel default)}
	if ! kernel_for "$v"; then
		cmd_of[$name]="echo 'scenario $name: FAIL (kernel variant $v did not build)'; false"
	elif ! initrd_for "$v" "$(scn_value "$f" initrd min)"; then
		cmd_of[$name]="echo 'scenario $name: FAIL (no initramfs for $v)'; false"
	else
		app=
		[ "$v" = default ] || app=$(sed -n 's/^# harness-cmdline:[[:space:]]*//p' \
			"$PROJ/scripts/variants/$v.config")
		cmd_of[$name]=$(printf '%q ' $PY "$PROJ/scripts/run-scenario.py" "$f" \
			--kernel "$KERN" --initrd "$INITRD" --out "$B/runs/$name" \
			${var:+--variant "$var"} ${app:+--append "$app"})
	fi
	c=$(scn_value "$f" cpus 1)
	[ -z "$var" ] || [ "$c" -ge 2 ] || c=2
	cpus_of[$name]=$c
done

collect() {	# name -> adds its result to the counts, prints its lines
	local name=$1 res=$B/runs/$1/result.json p fl s ok
	cat "$B/runs/$name.out"
	rm -f "$B/runs/$name.out"
	if [ -f "$res" ]; then
		read -r p fl s ok < <($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); c=r["counts"]; print(c["pass"], c["fail"], c["skip"], int(r["ok"]))' "$res")
		pass=$((pass + p)); fail=$((fail + fl)); skip=$((skip + s))
		[ "$ok" = 1 ] || [ "$fl" -gt 0 ] || fail=$((fail + 1))
	else
		fail=$((fail + 1))
	fi
	[ "$(cat "$B/runs/$name.rc")" = 0 ] || bad=$((bad + 1))
	rm -f "$B/runs/$name.rc"
}

running=()
drain() {	# wait for every running scenario, oldest first
	local n
	for n in "${running[@]}"; do
		wait "${pid_of[$n]}"
		collect "$n"
	done
	running=()
}
declare -A pid_of=()
mkdir -p "$B/runs"
t0=$(date +%s)
for run in $runs; do
	f=${run%@*} var=
	[ "$run" = "$f" ] || var=${run##*@}
	name=$(basename "$f" .scn)${var:+@$var}
	rm -rf "$B/runs/$name"
	if [ "${cpus_of[$name]}" -gt 1 ] || [ "$JOBS" -le 1 ]; then
		drain
	elif [ "${#running[@]}" -ge "$JOBS" ]; then
		wait "${pid_of[${running[0]}]}"
		collect "${running[0]}"
		running=("${running[@]:1}")
	fi
	( eval "${cmd_of[$name]}" > "$B/runs/$name.out" 2>&1
	  echo $? > "$B/runs/$name.rc" ) &
	pid_of[$name]=$!
	running+=("$name")
	if [ "${cpus_of[$name]}" -gt 1 ]; then
		drain
	fi
done
drain
t1=$(date +%s)

# Every errno a write to unlock can return (Documentation/ABI/testing/
# securityfs-efi-rt-gate) must be provoked by some scenario of this run:
# the tests print "# errno NAME: provoked (how)" when they did.  ETIME is
# the ambiguous path (fault injection), EBUSY a relock that a consumer
# refuses (fault injection; OVMF takes no capsule).  ENOMEM and EINTR are
# not provoked.
if [ -z "${SCENARIOS:-}" ]; then
	echo "errno coverage (a write to unlock):"
	for e in EPERM EINVAL EFAULT EOPNOTSUPP EBUSY ENODEV EIO ENOSPC ETIME; do
		where=
		for f in $list; do
			n=$(basename "$f" .scn)
			grep -q "^# errno $e: provoked" "$B/runs/$n/console.log" 2>/dev/null &&
				where="$where $n"
		done
		if [ -n "$where" ]; then
			echo "  $e:$where"
		else
			echo "  $e: NOT PROVOKED by any scenario"
			fail=$((fail + 1))
		fi
	done
fi

if [ -z "${SCENARIOS:-}" ] && [ "${KUNIT:-1}" = 1 ]; then
	echo "KUnit (tools/testing/kunit/kunit.py exec, x86_64 under QEMU):"
	kout=$("$PROJ/scripts/kunit.sh")
	echo "$kout" | grep -v '^KUNIT ' | grep -v '\[PASSED\]'
	read -r _ kp kf ks < <(echo "$kout" | grep '^KUNIT ' | tail -n1)
	echo "  kunit: ${kp:-0} passed, ${kf:-1} failed, ${ks:-0} skipped"
	pass=$((pass + ${kp:-0})); fail=$((fail + ${kf:-1})); skip=$((skip + ${ks:-0}))
fi

# One short round of "make bench" (one boot of each kernel, the baseline
# without the gate built once), so that the README's command cannot rot:
# it fails unless every figure was measured.  Numbers, not a verdict on
# them: performance is judged from a full "make bench".
if [ -z "${SCENARIOS:-}" ] && [ "${BENCH:-1}" = 1 ]; then
	echo "make bench, one round (BENCH_ROUNDS=1 scripts/bench.sh):"
	tb=$(date +%s)
	if bout=$(BENCH_ROUNDS=1 "$PROJ/scripts/bench.sh" 2>&1); then
		echo "$bout" | grep -v '^build:' | sed 's/^/  /'
		echo "  bench: ok ($(( $(date +%s) - tb )) s)"
	else
		echo "$bout" | tail -5 | sed 's/^/  /'
		echo "  bench: FAILED"
		fail=$((fail + 1))
	fi
fi

if [ -z "${SCENARIOS:-}" ] && [ "${SERIES:-1}" = 1 ]; then
	echo "Series gates (make series; scripts/series-check.sh):"
	ts=$(date +%s)
	if /usr/bin/python3 "$PROJ/scripts/mkseries.py" > "$B/runs/mkseries.log" 2>&1; then
		gout=$("$PROJ/scripts/series-check.sh")
	else
		cat "$B/runs/mkseries.log"
		gout="GATES 0 1"
	fi
	echo "$gout" | grep -v '^GATES ' | grep -v '^  bisect [0-9]*/[0-9]*: builds'
	read -r _ gp gf < <(echo "$gout" | grep '^GATES ' | tail -n1)
	echo "  series gates: ${gp:-0} passed, ${gf:-1} failed ($(( $(date +%s) - ts )) s)"
	[ "${gf:-1}" -eq 0 ] || fail=$((fail + ${gf:-1}))
fi

hbad=0
if [ -z "${SCENARIOS:-}" ] && [ "${HARNESS_SELFTEST:-1}" = 1 ]; then
	echo "harness self-test: each of these scenarios must fail"
	for f in "$PROJ"/scenarios/harness-selftest/*.scn; do
		name=$(basename "$f" .scn)
		hs=$B/runs/harness-selftest/$name
		mkdir -p "$B/runs/harness-selftest"
		if run_one "$f" "$hs" > "$hs.txt" 2>&1; then
			grep "scenario $name" "$hs.txt" | sed 's/^ */  /'
		else
			cat "$hs.txt"
			echo "harness self-test $name: the harness did not detect the failure"
			hbad=$((hbad + 1))
		fi
	done
fi

echo "boot+test wall time: $((t1 - t0)) s for $(echo "$runs" | wc -w) scenario runs"
[ $hbad -eq 0 ] || fail=$((fail + hbad))
echo "skipped: $skip (SKIP results, each allowed by its scenario)"
echo "$pass passed, $fail failed"
[ $bad -eq 0 ] && [ $fail -eq 0 ]
