package bgp

import (
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// Command is the bgp object.
var Command = cli.Command{Name: "bgp", Summary: "announce l3 networks' subnets to routers by BGP (run, status)", Run: runBGP, Help: help}

// runBGP dispatches `vlanraw bgp run|status`.
func runBGP(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.Usagef("bgp needs a command: run or status")
	}
	switch args[0] {
	case "run":
		return runRun(e, args[1:])
	case "status", "show":
		return runStatus(e, args[1:])
	case "help":
		return &cli.HelpRequested{Topic: "bgp"}
	}
	return cli.Usagef("bgp %s: unknown command: use run or status", args[0])
}
