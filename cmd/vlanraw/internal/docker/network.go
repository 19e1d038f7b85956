package docker

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// networkCommands are the commands of the network object, with Docker's
// words and aliases (no prefixes, as in Docker).
var networkCommands = map[string]func(e *cli.Env, args []string) error{
	"create":     runNetworkCreate,
	"ls":         runNetworkList,
	"list":       runNetworkList,
	"inspect":    runNetworkInspect,
	"rm":         runNetworkRemove,
	"cni-config": runNetworkCNIConfig,
	"remove":     runNetworkRemove,
	"help":       func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "network"} },
	"-h":         func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "network"} },
	"--help":     func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "network"} },
}

// Network is the network object, Docker's "docker network": create, ls,
// inspect and rm.
var Network = cli.Command{Name: "network", Summary: "create, list, inspect and remove ipvlan and macvlan networks", Run: runNetwork, Help: networkHelp}

// runNetwork runs `vlanraw network COMMAND ...`.
func runNetwork(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.Usagef("network needs a command: create, ls, inspect, rm, cni-config or help")
	}
	run, ok := networkCommands[args[0]]
	if !ok {
		return cli.Usagef("unknown network command %q: use create, ls, inspect, rm, cni-config or help", args[0])
	}
	return run(e, args[1:])
}

// runNetworkList prints the networks as a table, or as JSON (the inspect
// form of each) with -j.
func runNetworkList(e *cli.Env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("network ls", pflag.ContinueOnError)
	e.OutputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return cli.Usagef("network ls takes no names, got %q", rest[0])
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	nets, err := m.Networks()
	if err != nil {
		return err
	}
	if e.JSON {
		out := make([]any, 0, len(nets))
		for i := range nets {
			out = append(out, nets[i].Inspect())
		}
		return cli.WriteJSON(e.Stdout, out, e.Pretty)
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NETWORK ID\tNAME\tDRIVER\tPARENT\tMODE\tSUBNETS\tENDPOINTS")
	for i := range nets {
		n := &nets[i]
		var subnets []string
		for _, s := range n.Subnets {
			subnets = append(subnets, s.Subnet.String())
		}
		parent := n.Parent
		if n.ParentCreated != "" {
			parent += " (" + n.ParentCreated + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", shortID(n.ID), n.Name, n.Driver, dash(parent), dash(n.Mode()),
			dash(strings.Join(subnets, ",")), len(n.Endpoints))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// shortID returns the 12-digit form of a network ID, as Docker prints it.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runNetworkInspect prints the named networks as a JSON array, as `docker
// network inspect` does, indented unless -j asks for one line.
func runNetworkInspect(e *cli.Env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("network inspect", pflag.ContinueOnError)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	compact := fs.BoolP("json", "j", false, "print the array on one line")
	names, err := cli.ParseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return cli.Usagef("network inspect takes one or more network names")
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	var out []any
	var errs []error
	for _, name := range names {
		n, err := m.Network(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, n.Inspect())
	}
	if out == nil {
		out = []any{}
	}
	if err := cli.WriteJSON(e.Stdout, out, !*compact); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// runNetworkRemove removes the named networks, each with the links it
// created (a dummy or vlan parent); it goes on after a failure, prints the
// name of each network removed and fails if any could not be. With
// --force it disconnects a network's endpoints first.
func runNetworkRemove(e *cli.Env, args []string) error {
	var help, force bool
	fs := pflag.NewFlagSet("network rm", pflag.ContinueOnError)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	fs.BoolVarP(&force, "force", "f", false, "disconnect the endpoints first")
	names, err := cli.ParseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return cli.Usagef("network rm takes one or more network names")
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	var errs []error
	remove := m.RemoveNetwork
	if force {
		remove = m.ForceRemoveNetwork
	}
	for _, name := range names {
		if err := remove(name); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := writeLine(e, name); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// writeLine writes one line to stdout.
func writeLine(e *cli.Env, s string) error {
	if _, err := fmt.Fprintln(e.Stdout, s); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// networkHelp is the help of the network object. Every flag and
// option it accepts appears here; a test checks that.
const networkHelp = `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] network create -d DRIVER
                 [--subnet SUBNET]... [--gateway IP]... [--ip-range RANGE]...
                 [--aux-address NAME=IP]... [--ipv6] [--internal]
                 [-o KEY=VALUE]... NAME
       vlanraw [-n HOSTNS] [--state-dir DIR] network ls [-j] [-p]
       vlanraw [-n HOSTNS] [--state-dir DIR] network inspect [-j] NAME...
       vlanraw [-n HOSTNS] [--state-dir DIR] network rm [-f] NAME...
       vlanraw [-n HOSTNS] [--state-dir DIR] network cni-config NAME

Networks as Docker's ipvlan and macvlan drivers make them, for plain
network namespaces. The words are Docker's ("docker network create ...").
A network is a record in the state directory, plus the parent link when
vlanraw had to create one; endpoints are added with "vlanraw connect".

COMMANDS:
  create    record a network and create its parent if needed; prints NAME
  ls        list the networks: name, driver, parent, mode, subnets and
            number of endpoints (also list); -j prints the inspect form
            of each as one JSON array
  inspect   print the networks as a JSON array shaped like the output of
            "docker network inspect" (subnets, gateways, options, and the
            connected namespaces with their addresses); indented, or on
            one line with -j
  rm        remove networks: each must have no endpoints left (see
            "vlanraw disconnect --all"), unless -f (--force) is given,
            which disconnects them first; the parent is deleted only if
            vlanraw created it and no other network uses it; prints
            each name removed (also remove)
  cni-config
            print a CNI conflist (for /etc/cni/net.d) that attaches
            containers to the network through vlanraw installed as a CNI
            plugin ("type": "vlanraw"), with vlanraw's IPAM and this
            state directory

CREATE FLAGS:
  -d, --driver DRIVER      ipvlan or macvlan (required)
  --subnet SUBNET          a subnet in CIDR notation, IPv4 or IPv6
                           (repeatable). Subnets may overlap neither one
                           another nor another network's, and may not
                           be multicast, loopback, IPv6 link-local,
                           IPv4-mapped, or hold 0.0.0.0 or ::
  --gateway IP             the gateway of the subnet that contains IP
                           (repeatable, one per subnet). ipvlan l2 and
                           macvlan endpoints get "default via IP"; no
                           gateway is assumed when none is given
  --ip-range RANGE         allocate addresses only from RANGE (CIDR), in
                           the subnet that contains it (one per subnet)
  --aux-address NAME=IP    never allocate IP, in the subnet that contains
                           it (repeatable)
  --ipv6                   enable IPv6: endpoints also get an address from
                           the IPv6 subnets
  --internal               no default route: the network reaches only
                           itself. On ipvlan l3 and l3s networks each
                           endpoint gets instead a route to each other
                           subnet of the network ("SUBNET dev eth0"), so
                           the subnets reach one another (as in Docker's
                           tests) and nothing else: "Network is
                           unreachable" (see ROUTES below)
  -o, --opt KEY=VALUE      a driver option (repeatable), below
  -h, --help               print this help; so does a lone "help"

DRIVER OPTIONS (-o):
  parent=LINK        the parent link, such as eth0. Omitted: vlanraw
                     creates a dummy parent and the network is internal:
                     its endpoints reach one another and nothing else
                     (on ipvlan l3 and l3s also across its subnets).
                     LINK.VID (eth0.50) that does not exist: vlanraw
                     creates vlan VID on LINK, and deletes it with the
                     network; an existing LINK.VID is used and kept
  ipvlan_mode=MODE   l2 (default), l3 or l3s. l2 switches frames by MAC;
                     l3 and l3s route (NOARP, no broadcast), so subnets
                     of one network reach each other, and upstream
                     routers need "vlanraw routes"; l3s runs netfilter in
                     the host namespace
  ipvlan_flag=FLAG   bridge (default), private (endpoints cannot reach
                     each other) or vepa (endpoint traffic goes out to
                     the switch)
  macvlan_mode=MODE  bridge (default), private, vepa, passthru (one
                     endpoint takes over the parent; the parent may not
                     be shared) or source (endpoints receive only the
                     frames sent from macvlan_source_macs)
  macvlan_source_macs=MAC[,MAC...]
                     the source MACs of mode source (vlanraw's own, as
                     "ip link ... macaddr set"; Docker has none)
  macvlan_flag=FLAG  nopromisc (mode passthru: the parent is not made
                     promiscuous) or nodst (mode source: endpoints get
                     only the frames from their source MACs, none sent
                     to their own MAC; Linux 5.13 and later); vlanraw's own
  macvlan_bcqueuelen=N
                     the broadcast queue length the endpoints ask for
                     (Linux 5.11 and later); vlanraw's own
  mtu=MTU            the endpoint links' MTU (at most the parent's)
  host_access=ADDR   give the host a link of its own on the network,
  host_access6=ADDR  vh-<ID[:12]> on the parent (a macvlan bridge, or an
                     ipvlan link in the network's mode), with ADDR, an
                     address of one of the network's IPv4 (IPv6)
                     subnets, reserved like an --aux-address; the subnet
                     is routed through it, so the host reaches every
                     endpoint and every endpoint reaches ADDR (the kernel
                     otherwise keeps a parent and its links apart).
                     Off by default; set on network create only (it
                     cannot be changed later); needs macvlan_mode=bridge
                     or ipvlan_flag=bridge, and a subnet the parent's own
                     link has no address on. Restored and removed with
                     the network; vlanraw's own
  Any other key is refused. A parent carries one ipvlan network only;
  macvlan networks may share one, except in passthru mode.

ROUTES (what "vlanraw connect" installs in the endpoint's namespace,
besides the kernel's route to the endpoint's own subnet):
  ipvlan l2, macvlan      "default via GATEWAY dev eth0" when the subnet
                          has a --gateway; none when it has not
  ipvlan l3, l3s          "default dev eth0" (NOARP: no next hop); any
                          --gateway is ignored
  l3, l3s, no parent      "default dev eth0", as in Docker's documentation:
                          the subnets reach one another because they share
                          the parent, and the parent is a dummy, so nothing
                          else is reachable (no reply)
  l3, l3s, --internal     "SUBNET dev eth0" for each other subnet of the
  with a parent           network, no default route: the subnets reach one
                          another, anything else is "Network is
                          unreachable" (a peer on the parent's link with an
                          address in the endpoint's own subnet stays
                          reachable, as in Docker)
  l2, macvlan, internal   none: endpoints reach their own subnet only
  A namespace keeps the first default route it is given, per family.

EXAMPLES:
  vlanraw network create -d ipvlan --subnet 192.168.10.0/24 \
      --subnet 192.168.20.0/24 -o parent=enp0s3 -o ipvlan_mode=l3 ipvlan_net
  vlanraw network create -d ipvlan --subnet 192.168.214.0/24 \
      --subnet 10.1.214.0/24 -o ipvlan_mode=l3 ipnet210
  vlanraw network create -d macvlan --subnet 172.16.86.0/24 \
      --gateway 172.16.86.1 --aux-address router=172.16.86.2 \
      -o parent=eth0.50 macnet
  vlanraw network inspect ipvlan_net
  vlanraw network rm ipvlan_net macnet
`
