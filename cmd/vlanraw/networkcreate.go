package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// createOptions are the flags of `network create`, as Docker spells them.
type createOptions struct {
	driver                              string
	subnets, gateways, ranges, aux, opt []string
	ipv6, internal, help                bool
}

// newCreateFlags returns the flag set of `network create` bound to o.
func newCreateFlags(o *createOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("network create", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.driver, "driver", "d", "", "ipvlan or macvlan")
	fs.StringArrayVar(&o.subnets, "subnet", nil, "a subnet in CIDR notation (repeatable)")
	fs.StringArrayVar(&o.gateways, "gateway", nil, "the gateway of the subnet that contains it (repeatable)")
	fs.StringArrayVar(&o.ranges, "ip-range", nil, "allocate from this range of the subnet that contains it (repeatable)")
	fs.StringArrayVar(&o.aux, "aux-address", nil, "NAME=IP: reserve IP in the subnet that contains it (repeatable)")
	fs.BoolVar(&o.ipv6, "ipv6", false, "enable IPv6")
	fs.BoolVar(&o.internal, "internal", false, "no default route: the network reaches only itself (on ipvlan l3/l3s: its own subnets)")
	fs.StringArrayVarP(&o.opt, "opt", "o", nil, "KEY=VALUE driver option (repeatable)")
	fs.BoolVarP(&o.help, "help", "h", false, "show help")
	return fs
}

// parseNetworkCreate reads the words after `network create` into the spec
// they ask for. The gateways, ranges and auxiliary addresses are attached
// to the subnet that contains them, as `docker network create` does.
func parseNetworkCreate(args []string) (modes.NetworkSpec, error) {
	var o createOptions
	fs := newCreateFlags(&o)
	if err := fs.Parse(args); err != nil {
		return modes.NetworkSpec{}, usagef("network create: %v", err)
	}
	if o.help || (fs.NArg() == 1 && fs.Arg(0) == "help") {
		return modes.NetworkSpec{}, &helpRequested{topic: "network"}
	}
	if fs.NArg() != 1 {
		return modes.NetworkSpec{}, usagef("network create takes one network name, got %d words (%s)", fs.NArg(), strings.Join(fs.Args(), " "))
	}
	opts, err := keyValues("-o", o.opt)
	if err != nil {
		return modes.NetworkSpec{}, err
	}
	subnets, err := consolidateSubnets(&o)
	if err != nil {
		return modes.NetworkSpec{}, err
	}
	return modes.NetworkSpec{
		Name:     fs.Arg(0),
		Driver:   modes.Driver(o.driver),
		Subnets:  subnets,
		IPv6:     o.ipv6,
		Internal: o.internal,
		Options:  opts,
	}, nil
}

// keyValues parses KEY=VALUE words given with flag; a later key wins, as
// in Docker.
func keyValues(flag string, kvs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("%s %q: want KEY=VALUE", flag, kv)
		}
		m[k] = v
	}
	return m, nil
}

// consolidateSubnets groups the repeated --subnet, --gateway, --ip-range
// and --aux-address values by subnet, as Docker's CLI does: each value goes
// to the subnet that contains it, at most one gateway and one range a
// subnet, and subnets may not overlap. Subnets keep their order.
func consolidateSubnets(o *createOptions) ([]modes.SubnetSpec, error) {
	if len(o.subnets) < len(o.ranges) || len(o.subnets) < len(o.gateways) {
		return nil, usagef("every ip-range or gateway must have a corresponding subnet: %s, %s and %s given; give a --subnet that contains each",
			plural(len(o.subnets), "subnet"), plural(len(o.gateways), "gateway"), plural(len(o.ranges), "ip-range"))
	}
	prefixes := make([]netip.Prefix, len(o.subnets))
	specs := make([]modes.SubnetSpec, len(o.subnets))
	for i, s := range o.subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, usagef("invalid subnet %q: %v", s, err)
		}
		for _, q := range prefixes[:i] {
			if q.Overlaps(p) {
				return nil, usagef("multiple overlapping subnet configuration is not supported")
			}
		}
		prefixes[i] = p.Masked()
		specs[i] = modes.SubnetSpec{Subnet: s}
	}
	// within returns the index of the subnet that holds a.
	within := func(a netip.Addr) int {
		for i, p := range prefixes {
			if p.Contains(a) {
				return i
			}
		}
		return -1
	}
	for _, r := range o.ranges {
		p, err := netip.ParsePrefix(r)
		if err != nil {
			return nil, usagef("invalid ip-range %q: %v", r, err)
		}
		i := within(p.Addr())
		switch {
		case i < 0:
			return nil, usagef("no matching subnet for range %s", r)
		case specs[i].IPRange != "":
			return nil, usagef("cannot configure multiple ranges (%s, %s) on the same subnet (%s)", r, specs[i].IPRange, specs[i].Subnet)
		}
		specs[i].IPRange = r
	}
	for _, g := range o.gateways {
		a, err := netip.ParseAddr(g)
		if err != nil {
			return nil, usagef("invalid gateway %q: %v", g, err)
		}
		i := within(a)
		switch {
		case i < 0:
			return nil, usagef("no matching subnet for gateway %s", g)
		case specs[i].Gateway != "":
			return nil, usagef("cannot configure multiple gateways (%s, %s) for the same subnet (%s)", g, specs[i].Gateway, specs[i].Subnet)
		}
		specs[i].Gateway = g
	}
	aux, err := keyValues("--aux-address", o.aux)
	if err != nil {
		return nil, err
	}
	for name, v := range aux {
		if v == "" {
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, usagef("invalid aux-address %s=%q: %v", name, v, err)
		}
		i := within(a)
		if i < 0 {
			return nil, usagef("no matching subnet for aux-address %s", v)
		}
		if specs[i].Aux == nil {
			specs[i].Aux = map[string]string{}
		}
		specs[i].Aux[name] = v
	}
	return specs, nil
}

// plural returns "1 subnet", "2 subnets" and the like.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// runNetworkCreate runs `vlanraw network create`, and prints the new
// network's ID, as Docker does.
func runNetworkCreate(e *env, args []string) error {
	spec, err := parseNetworkCreate(args)
	if err != nil {
		return err
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.CreateNetwork(spec)
	if err != nil {
		return err
	}
	return e.println(n.ID)
}

// println writes one line to stdout.
func (e *env) println(s string) error {
	if _, err := fmt.Fprintln(e.stdout, s); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
