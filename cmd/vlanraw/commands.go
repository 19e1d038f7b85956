package main

import (
	"context"
	"io"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/iproute"
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
	{Name: "network", Summary: "create, list, inspect and remove ipvlan and macvlan networks", Run: runNetwork, Help: networkHelp},
	{Name: "connect", Summary: "connect a network namespace to a network", Run: runConnect, Help: connectHelp},
	{Name: "disconnect", Summary: "disconnect network namespaces from a network", Run: runDisconnect, Help: disconnectHelp},
	{Name: "routes", Summary: "print or apply the routes upstream routers need for a network", Run: runRoutes, Help: routesHelp},
	{Name: "restore", Summary: "recreate recorded networks and endpoints after a reboot", Run: runRestore, Help: restoreHelp},
	{Name: "gc", Summary: "reconcile records and kernel: delete orphan links, release addresses of vanished namespaces", Run: runGC, Help: gcHelp},
	{Name: "stats", Summary: "attach, show and detach eBPF frame counters on a link's tc hooks", Run: runStats, Help: statsHelp},
	{Name: "verify", Summary: "prove with probes and counters that a network does what its mode promises", Run: runVerify, Help: verifyHelp},
	{Name: "bench", Summary: "run the benchmark suite, or build its report from saved runs", Run: runBench, Help: benchHelp},
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
