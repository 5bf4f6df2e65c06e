#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs libFuzzer targets of a -Dfuzz=enabled build for a while each:
#   tests/fuzz/run-fuzz.sh BUILDDIR SECONDS [TARGET...]   (default: every target)
# Each target starts from a copy of its seed corpus (tests/fuzz/<target>/) in a temporary
# directory, with its dictionary, so the repository is not modified. Prints one line per
# target (executions, exec/s, coverage, corpus size) and exits non-zero when any target
# crashed, leaked, tripped a sanitizer or failed to start; the reproducer is kept under
# $LECTERN_FUZZ_ARTIFACTS (default: a temporary directory, printed).
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILDDIR SECONDS [TARGET...]" >&2
	exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
seconds="$2"
shift 2
if [ $# -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(cd "$here" && ls fuzz-*.dict | sed 's/\.dict$//')
fi
work="$(mktemp -d)"
artifacts="${LECTERN_FUZZ_ARTIFACTS:-$work/artifacts}"
mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=0
for t in "${targets[@]}"; do
	exe="$build/tests/fuzz/$t"
	if [ ! -x "$exe" ]; then
		echo "fuzz: $t: no executable $exe (build with -Dfuzz=enabled)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work/$t"
	cp "$here/$t"/* "$work/$t/"
	log="$work/$t.log"
	# -rss_limit_mb: a 2 GiB default is too close to what ASan plus argon2 take.
	"$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
		-dict="$here/$t.dict" -artifact_prefix="$artifacts/$t-" "$work/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1)
	units=$(find "$work/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ] && ! grep -a -q -e 'runtime error' -e 'ERROR: ' "$log"; then
		echo "fuzz: $t: ok, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}, corpus $units"
	else
		failed=$((failed + 1))
		echo "fuzz: $t: FAILED (exit $rc); log tail:"
		grep -a -m1 -B2 -A25 -e 'runtime error' -e 'ERROR: ' "$log" || tail -30 "$log"
		echo "fuzz: $t: reproducer(s) in $artifacts:"
		ls "$artifacts" | grep "^$t-" || true
	fi
done
rm -rf "${work:?}"/fuzz-*/ 2>/dev/null
echo "fuzz: $((${#targets[@]} - failed)) of ${#targets[@]} targets clean after ${seconds} s each"
[ "$failed" -eq 0 ]
