package bench

import (
	"bytes"
	"context"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// runCLI runs vlanraw in-process with this package's command and returns
// its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = cli.Run(context.Background(), []cli.Command{Command, cli.Help}, args, &o, &e)
	return code, o.String(), e.String()
}

// The exit statuses, under the names this package's tests use.
const (
	exitOK      = cli.ExitOK
	exitRuntime = cli.ExitRuntime
	exitUsage   = cli.ExitUsage
)
