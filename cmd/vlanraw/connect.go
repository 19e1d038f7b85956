package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// runConnect runs `vlanraw connect [--ip A] [--ip6 A] [--mac M] [--ifname
// NAME] NETWORK NETNS [NETNS...]`: it gives each namespace a link on the
// network, with its addresses and routes, all or none. With -j it prints
// the endpoint as JSON (an array of them for several namespaces).
func runConnect(e *env, args []string) error {
	var spec modes.ConnectSpec
	var help bool
	fs := pflag.NewFlagSet("connect", pflag.ContinueOnError)
	fs.StringVar(&spec.IPv4, "ip", "", "the IPv4 address (default: the next free one)")
	fs.StringVar(&spec.IPv6, "ip6", "", "the IPv6 address (default: the next free one, on --ipv6 networks)")
	fs.StringVar(&spec.MAC, "mac", "", "the MAC address (macvlan only; default: a random one)")
	fs.StringVar(&spec.IfName, "ifname", "", "the link's name in the namespace (default: eth0, eth1, ...)")
	e.outputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "connect", &help, args)
	if err != nil {
		return err
	}
	if len(rest) < 2 {
		return usagef("connect takes a network and a network namespace, got %d words", len(rest))
	}
	if len(rest) > 2 && (spec.IPv4 != "" || spec.IPv6 != "" || spec.MAC != "") {
		return usagef("--ip, --ip6 and --mac name one endpoint's addresses: give one network namespace with them, not %d", len(rest)-1)
	}
	seen := map[string]bool{}
	for _, ns := range rest[1:] {
		if seen[ns] {
			return usagef("network namespace %s is named twice: a namespace has one endpoint on a network, name it once", ns)
		}
		seen[ns] = true
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	if len(rest) == 2 {
		spec.Network, spec.NetNS = rest[0], rest[1]
		ep, err := m.Connect(spec)
		if err != nil {
			return err
		}
		printNotes(e, ep)
		if e.json {
			return writeJSON(e.stdout, ep, e.pretty)
		}
		return nil
	}
	specs := make([]modes.ConnectSpec, len(rest)-1)
	for i, ns := range rest[1:] {
		specs[i] = spec
		specs[i].Network, specs[i].NetNS = rest[0], ns
	}
	eps, err := m.ConnectAll(specs)
	if err != nil {
		return err
	}
	for _, ep := range eps {
		printNotes(e, ep)
	}
	if e.json {
		return writeJSON(e.stdout, eps, e.pretty)
	}
	return nil
}

// printNotes writes what connect left out for ep, if anything.
func printNotes(e *env, ep *modes.Endpoint) {
	for _, note := range ep.Notes {
		fmt.Fprintf(e.stderr, "vlanraw: note: %s: %s\n", ep.NetNS, note)
	}
}

// runDisconnect runs `vlanraw disconnect NETWORK NETNS` and `vlanraw
// disconnect --all NETWORK`: it deletes the endpoint links and frees their
// addresses.
func runDisconnect(e *env, args []string) error {
	var all, help bool
	fs := pflag.NewFlagSet("disconnect", pflag.ContinueOnError)
	fs.BoolVar(&all, "all", false, "disconnect every namespace connected to the network")
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "disconnect", &help, args)
	if err != nil {
		return err
	}
	switch {
	case all && len(rest) != 1:
		return usagef("disconnect --all takes one network, got %d words", len(rest))
	case !all && len(rest) != 2:
		return usagef("disconnect takes a network and a network namespace (or --all and a network), got %d words", len(rest))
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	if all {
		return m.DisconnectAll(rest[0])
	}
	return m.Disconnect(rest[0], rest[1])
}

// connectHelp writes the help of the connect object.
func connectHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] connect [--ip A] [--ip6 A]
                 [--mac M] [--ifname NAME] [-j] [-p] NETWORK NETNS

Connect network namespace NETNS to NETWORK, as "docker network connect"
connects a container: an ipvlan or macvlan link is created on the
network's parent and put into NETNS, renamed, given its addresses (IPv6
without duplicate address detection), brought up, and given routes:
"default via GATEWAY dev eth0" on ipvlan l2 and macvlan networks whose
subnet has a gateway; "default dev eth0" on ipvlan l3 and l3s networks,
also those without a parent, whose dummy parent isolates them (their
subnets reach one another, nothing else answers); on --internal ipvlan
l3 and l3s networks with a parent, "SUBNET dev eth0" for each of the
network's other subnets and no default route (anything else is "Network
is unreachable"); none on other --internal networks or networks without
a parent. A namespace keeps the default route it has already.

  NETWORK         a network from "vlanraw network ls"
  NETNS           the namespace: a name under /run/netns (see "vlanraw
                  netns add"), a path such as /proc/1234/ns/net, or a pid
  --ip A          the IPv4 address; it must be in one of the network's
                  subnets and free. Default: the next free address
  --ip6 A         the IPv6 address, likewise (--ipv6 networks)
  --mac M         the MAC address; macvlan only (ipvlan links share the
                  parent's). Default: a random locally administered one
  --ifname NAME   the link's name inside NETNS. Default: eth0
  -j, --json      print the endpoint as JSON
  -p, --pretty    indent the JSON
  -h, --help      print this help; so does a lone "help"

Several namespaces are connected in one go, all or none: a failure in
one undoes the others. --ip, --ip6 and --mac need a single namespace.
Addresses are allocated under a lock on the state directory, so
concurrent connects never get the same address.
`)
}

// disconnectHelp writes the help of the disconnect object.
func disconnectHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] disconnect NETWORK NETNS
       vlanraw [-n HOSTNS] [--state-dir DIR] disconnect --all NETWORK

Disconnect NETNS from NETWORK: its link on the network is deleted and its
addresses are freed.

  NETWORK      a network from "vlanraw network ls"
  NETNS        the namespace, as given to connect: a name, path or pid
  --all        disconnect every namespace connected to NETWORK
  -h, --help   print this help; so does a lone "help"
`)
}
