#!/usr/bin/env bash
# generate-check.sh regenerates the classifier (bpf/counter.c) with the
# //go:generate line of bpf/gen.go into a temporary directory and fails
# if the committed bpf/counter_bpfel.o or bpf/counter_bpfel.go differ:
# the same clang gives the same bytes (bpf2go compiles with -g and
# -fdebug-prefix-map, strips DWARF, and leaves no absolute path behind).
# `make generate-check` runs it; `make generate` updates the files.
set -euo pipefail
cd "$(dirname "$0")"
go=${GO:-go}
line=$(sed -n 's|^//go:generate ||p' gen.go)
[ -n "$line" ] || { echo "generate-check: no //go:generate line in bpf/gen.go" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The line is "go tool bpf2go ARGS...": run it with the output in $tmp.
read -ra words <<<"$line"
[ "${words[0]} ${words[1]} ${words[2]}" = "go tool bpf2go" ] || { echo "generate-check: unexpected //go:generate line: $line" >&2; exit 1; }
GOPACKAGE=bpf GOFILE=gen.go "$go" tool bpf2go -output-dir "$tmp" "${words[@]:3}"
fail=0
for f in counter_bpfel.o counter_bpfel.go; do
	if ! cmp -s "$f" "$tmp/$f"; then
		echo "generate-check: bpf/$f differs from what bpf/counter.c gives with $(clang --version | head -1); run make generate and commit it" >&2
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "generate-check: bpf/counter_bpfel.o and bpf/counter_bpfel.go match bpf/counter.c"
exit "$fail"
