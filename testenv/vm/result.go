package vm

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// resultPrefix starts the one framed line with which the guest reports the
// program's exit status.
const resultPrefix = "VMTEST-RESULT "

// ExitInfra is the exit status of vmtest (and the status the guest reports)
// when the program's own status is unknown: the guest could not be set up,
// the kernel crashed, or the watchdog fired.
const ExitInfra = 125

// GuestResult is what the guest reports in its result line.
type GuestResult struct {
	ExitCode int
	Release  string   // uname -r
	Kinds    []string // link kinds available, see KindModules
}

// formatResult renders the framed result line, without newline:
//
//	VMTEST-RESULT <exit> <release> <kinds or -> <crc32 of the part before it>
//
// The checksum rejects lines that kernel messages or a truncated write
// mangled.
func formatResult(r GuestResult) string {
	kinds := strings.Join(r.Kinds, ",")
	if kinds == "" {
		kinds = "-"
	}
	release := r.Release
	if release == "" {
		release = "unknown" // init failed before uname
	}
	payload := fmt.Sprintf("%d %s %s", r.ExitCode, release, kinds)
	return resultPrefix + payload + " " + checksum(payload)
}

// checksum is the CRC-32 (IEEE) of a result line's payload, in hex.
func checksum(payload string) string {
	return fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(payload)))
}

// parseResult parses a line written by formatResult; trailing CR and LF are
// ignored. ok is false for any other line, including a damaged one.
func parseResult(line string) (r GuestResult, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	rest, found := strings.CutPrefix(line, resultPrefix)
	if !found {
		return r, false
	}
	i := strings.LastIndexByte(rest, ' ')
	if i < 0 {
		return r, false
	}
	payload, sum := rest[:i], rest[i+1:]
	if sum != checksum(payload) {
		return r, false
	}
	f := strings.Fields(payload)
	if len(f) != 3 || strings.Join(f, " ") != payload {
		return r, false
	}
	code, err := strconv.Atoi(f[0])
	if err != nil || code < 0 || code > 255 {
		return r, false
	}
	r.ExitCode, r.Release = code, f[1]
	if f[2] != "-" {
		r.Kinds = strings.Split(f[2], ",")
	}
	return r, true
}

// crashSignatures are console texts that mean the guest kernel crashed or
// hit a bug.
var crashSignatures = []string{
	"Kernel panic",
	"Oops",
	"BUG:",
	"general protection fault",
}

// initLogPrefix starts every console line that the guest's init writes.
const initLogPrefix = "vmtest-init: "

// crashSignature returns the first crash signature in a kernel console
// line, or "". Lines written by init are not kernel messages and never
// match.
func crashSignature(line string) string {
	if strings.HasPrefix(line, initLogPrefix) {
		return ""
	}
	for _, sig := range crashSignatures {
		if strings.Contains(line, sig) {
			return sig
		}
	}
	return ""
}
