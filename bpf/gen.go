package bpf

// The classifier is compiled by bpf2go into counter_bpfel.o and the Go
// that embeds it, counter_bpfel.go; both are committed, so building
// vlanraw needs no C compiler. `make generate` runs this with clang and
// llvm-strip from Debian; `make generate-check` checks that the committed
// files are what the source gives.
//
//go:generate go tool bpf2go -target bpfel -output-stem counter counter counter.c -- -mcpu=v3 -Wall -Werror
