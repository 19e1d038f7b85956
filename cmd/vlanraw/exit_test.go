package main

import "github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"

// The exit statuses, under the names this package's tests use.
const (
	exitOK      = cli.ExitOK
	exitRuntime = cli.ExitRuntime
	exitUsage   = cli.ExitUsage
)
