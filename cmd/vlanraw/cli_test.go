package main

import (
	"bytes"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// The tests of this package run vlanraw as a whole: in-process through
// run, with the whole dispatch table as main has it, or as a process
// (vlanrawBinary): the scenario, seed, kill, drift, load, lock,
// migration, boot, cross-check, show and netns exec tests, those of
// stats on a real kernel, bench report killed part-way, and the README's
// commands. They stay with the program rather than move
// to the package of the grammar they exercise because they cross the
// grammars (a seed test makes links with iproute2's words, networks
// with Docker's, and counts frames with stats or verify), they exercise
// main's signal handling, the test stops and the exit statuses of the
// process, and they share one set of helpers (live_test.go,
// scenario_helpers_test.go, kill_helpers_test.go). The unit tests of
// each grammar, which need no kernel, are in its package under
// internal/; TestImportLayers keeps those packages apart.

// runCLI runs vlanraw in-process and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// The exit statuses, under the names this package's tests use.
const (
	exitOK      = cli.ExitOK
	exitRuntime = cli.ExitRuntime
	exitUsage   = cli.ExitUsage
)
