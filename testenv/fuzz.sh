#!/usr/bin/env bash
# Runs every fuzz target of a package for a bounded time (go test takes one
# target per invocation).
#
# Go's fuzzing engine fails now and then without any bug in the target:
# "context deadline exceeded" at the -fuzztime boundary (golang/go#51484),
# or "fuzzing process hung or terminated unexpectedly" on a loaded machine
# (golang/go#56238), which also writes the input it was running. So a
# failure counts only when its input fails again when replayed on its own
# (go test -run TARGET/INPUT); then the input stays under
# PKG/testdata/fuzz and the script fails at once. An engine failure is
# printed without go test's FAIL lines, its input (if any) removed, and the
# target tried once more; a second engine failure fails the script.
set -uo pipefail
pkg=${1:?usage: fuzz.sh PKGDIR [FUZZTIME]}
time=${2:-10s}
go=${GO:-go}
for t in $($go test -list '^Fuzz' "./$pkg/" | grep '^Fuzz'); do
	for try in 1 2; do
		dir="$pkg/testdata/fuzz/$t"
		before=$(find "$dir" -type f 2>/dev/null | sort)
		echo "fuzz: $pkg $t for $time"
		if out=$($go test -run '^$' -fuzz "^$t\$" -fuzztime "$time" "./$pkg/" 2>&1); then
			break
		fi
		after=$(find "$dir" -type f 2>/dev/null | sort)
		new=$(comm -13 <(echo "$before") <(echo "$after") | grep . || true)
		for f in $new; do
			if ! replay=$($go test -count=1 -run "^$t/$(basename "$f")\$" "./$pkg/" 2>&1); then
				echo "$out"
				echo "$replay"
				echo "fuzz: $t FAILED on $f (kept; replay: go test -run '$t/$(basename "$f")' ./$pkg/)" >&2
				exit 1
			fi
		done
		echo "fuzz: $t: the fuzzing engine failed, and no input fails on replay:"
		echo "$out" | grep -v -e '^--- FAIL' -e '^FAIL' -e '^fuzz: elapsed' | sed 's/^/fuzz:   /'
		for f in $new; do rm -f "$f"; done
		rmdir -p "$dir" 2>/dev/null
		if [ "$try" = 2 ]; then
			echo "fuzz: $t: the engine failed twice" >&2
			exit 1
		fi
		echo "fuzz: $t: trying once more"
	done
done
