package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// runRoutes runs `vlanraw routes NETWORK [-j] [--apply --netns ROUTER]`:
// it prints the routes a router upstream of the network's parent needs to
// reach the network's subnets (ipvlan l3 and l3s networks are routed, not
// bridged, so nothing else tells the router), as iproute2 commands or as
// JSON, or adds them in the router's namespace.
func runRoutes(e *env, args []string) error {
	var apply, help bool
	var router string
	fs := pflag.NewFlagSet("routes", pflag.ContinueOnError)
	fs.BoolVar(&apply, "apply", false, "add the routes in the router's namespace (--netns)")
	fs.StringVar(&router, "netns", "", "the router's network namespace: a name, path or pid")
	e.outputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "routes", &help, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1:
		return usagef("routes takes one network, got %d words", len(rest))
	case apply && router == "":
		return usagef("routes --apply needs the router's namespace: --netns ROUTER")
	case !apply && router != "":
		return usagef("routes --netns %s: add --apply to add the routes there, or leave --netns out to print them", router)
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	var u *modes.Upstream
	if apply {
		u, err = m.ApplyUpstream(rest[0], router)
	} else {
		u, err = m.Upstream(rest[0])
	}
	if err != nil {
		return err
	}
	if e.json {
		return writeJSON(e.stdout, u, e.pretty)
	}
	var b strings.Builder
	for _, c := range u.Commands() {
		if apply {
			b.WriteString("applied in " + router + ": ")
		}
		b.WriteString(c + "\n")
	}
	for _, c := range u.HostCommands() {
		switch {
		case apply && len(u.Peers) == 0:
			// No peer on the network's subnets: nothing for the host.
		case apply:
			b.WriteString("applied on the host: " + c + "\n")
		default:
			fmt.Fprintf(&b, "# on the host, for each peer on a subnet of network %s beyond %s: %s\n", u.Network, u.Parent, c)
		}
	}
	for _, n := range u.Notes {
		b.WriteString("# " + n + "\n")
	}
	for _, n := range u.HostNotes {
		b.WriteString("# on the host: " + n + "\n")
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// routesHelp writes the help of the routes object.
func routesHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] routes NETWORK [-j] [-p]
       vlanraw [-n HOSTNS] [--state-dir DIR] routes NETWORK --apply --netns ROUTER

An ipvlan l3 or l3s network is routed by its host: its subnets are new to
the rest of the network, and a router upstream of the parent link answers
nobody in them until it has a static route to each subnet via the
parent's address. routes prints those routes; --apply adds them.

The commands come in two sets, either of which suffices: a route to each
subnet via the parent's address (needs an address on the parent; covers
endpoints connected later), and for each endpoint address a permanent
neighbour entry with the parent's MAC plus an on-link host route (needs
no address on the host; must follow the endpoints). DEV stands for the
router's link facing the parent.

A peer on the parent's link may instead have an address on one of the
network's own subnets (Red Hat's procedure: the peer 10.50.0.1/24, the
endpoint 10.50.0.10). It needs only the neighbour entries, and the host
needs an on-link route to it through the parent ("ip route add PEER/32
dev PARENT", printed as a "#" line since the peer's address is known
only with --apply), or the endpoints' packets to it follow the host's
own routes, such as its default route.

Lines starting with "#" are notes: what is missing, and what the host
itself needs for the endpoints to reach beyond the parent's link.
Networks that are not ipvlan l3 or l3s, or have no parent, need no
routes; routes says why.

  NETWORK          a network from "vlanraw network ls"
  -j, --json       print the routes as JSON instead of iproute2 commands
  -p, --pretty     indent the JSON
  --apply          add the routes in the router's namespace, on its link
                   that holds an address in the parent's subnet (or else
                   in one of the network's subnets: a peer), then print
                   them, each after "applied in ROUTER:". For a peer, only
                   the neighbour entries (and host routes to endpoints
                   on other subnets) go there, and the host gets an
                   on-link route through the parent to each of the
                   peer's addresses on the network's subnets, printed
                   after "applied on the host:". Entries already there
                   are kept
  --netns ROUTER   the router's network namespace, with --apply: a name
                   under /run/netns, a path or a pid
  -h, --help       print this help; so does a lone "help"
`)
}
