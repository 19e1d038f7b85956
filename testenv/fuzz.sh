#!/usr/bin/env bash
# Runs every fuzz target of a package for a bounded time (go test takes one
# target per invocation). A failure that found an input leaves it under
# PKG/testdata/fuzz and fails at once; a failure of the fuzzing engine
# itself (no input written) is printed and the target is tried once more.
set -uo pipefail
pkg=${1:?usage: fuzz.sh PKGDIR [FUZZTIME]}
time=${2:-10s}
go=${GO:-go}
for t in $($go test -list '^Fuzz' "./$pkg/" | grep '^Fuzz'); do
	for try in 1 2; do
		before=$(find "$pkg/testdata/fuzz/$t" -type f 2>/dev/null | sort)
		echo "fuzz: $pkg $t for $time"
		if out=$($go test -run '^$' -fuzz "^$t\$" -fuzztime "$time" "./$pkg/" 2>&1); then
			break
		fi
		echo "$out"
		after=$(find "$pkg/testdata/fuzz/$t" -type f 2>/dev/null | sort)
		if [ "$before" != "$after" ] || [ "$try" = 2 ]; then
			echo "fuzz: $t FAILED" >&2
			exit 1
		fi
		echo "fuzz: $t: the engine failed without a failing input; trying once more" >&2
	done
done
