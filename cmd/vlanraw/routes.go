package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/rtnl"
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
	if apply {
		if err := m.ApplyUpstream(rest[0], router); err != nil {
			return err
		}
	}
	u, err := m.Upstream(rest[0])
	if err != nil {
		return err
	}
	if apply {
		u.Dev = facingLink(router, u)
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

// facingLink names the router's link that holds an address in the subnet
// of the parent's, as ApplyUpstream found it, for the report; "" when it
// cannot tell.
func facingLink(router string, u *modes.Upstream) string {
	ns, err := rtnl.OpenNetNSAny(router)
	if err != nil {
		return ""
	}
	defer ns.Close()
	h, err := links.Open(ns)
	if err != nil {
		return ""
	}
	defer h.Close()
	all, err := h.List("")
	if err != nil {
		return ""
	}
	for _, want := range []netip.Prefix{u.ParentIPv4, u.ParentIPv6} {
		for _, l := range all {
			addrs, err := h.Addresses(l.Index)
			if err != nil || !want.IsValid() {
				continue
			}
			for _, a := range addrs {
				if a.Masked().Contains(want.Addr()) {
					return l.Name
				}
			}
		}
	}
	return ""
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
router's link facing the parent. Lines starting with "#" are notes: what
is missing, and what the host itself needs for the endpoints to reach
beyond the parent's link. Networks that are not ipvlan l3 or l3s need no
routes; routes says why.

  NETWORK          a network from "vlanraw network ls"
  -j, --json       print the routes as JSON instead of iproute2 commands
  -p, --pretty     indent the JSON
  --apply          add the routes in the router's namespace, on its link
                   that holds an address in the parent's subnet, then
                   print them, each after "applied in ROUTER:"; entries
                   already there are kept
  --netns ROUTER   the router's network namespace, with --apply: a name
                   under /run/netns, a path or a pid
  -h, --help       print this help; so does a lone "help"
`)
}
