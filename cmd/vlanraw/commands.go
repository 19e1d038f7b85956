package main

import (
	"context"
	"io"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/bench"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/bgp"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/docker"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/iproute"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/stats"
)

// commands is vlanraw's dispatch table: its top-level words in lookup
// order (a prefix selects the first that it matches, as in iproute2),
// which is also the order of "vlanraw help". Each front-end package
// exports its commands; a new one is a package and a line here.
var commands = []cli.Command{
	iproute.Link,
	iproute.Addr,
	iproute.Route,
	iproute.NetNS,
	iproute.Neigh,
	docker.Network,
	docker.Connect,
	docker.Disconnect,
	docker.Routes,
	docker.Restore,
	docker.GC,
	bgp.Command,
	stats.Command,
	docker.Verify,
	bench.Command,
	cli.Help,
}

// run is the whole command: it parses args (without the program name),
// runs the command and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context whose end stops the command: the
// operation in progress rolls back, as on a failure.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Run(ctx, commands, args, stdout, stderr)
}
