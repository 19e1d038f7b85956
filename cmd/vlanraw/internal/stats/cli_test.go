package stats

import (
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
)

// runCLI runs vlanraw in-process with this package's command and returns its exit
// code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	return clitest.Run([]cli.Command{Command}, args...)
}

// The exit statuses, under the names this package's tests use.
const exitOK, exitUsage = cli.ExitOK, cli.ExitUsage
