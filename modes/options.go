package modes

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Driver is a network driver: ipvlan or macvlan.
type Driver string

// The drivers.
const (
	IPVlan  Driver = "ipvlan"
	MACVlan Driver = "macvlan"
)

// The driver options (-o key=value) vlanraw accepts. Docker ignores keys
// it does not know; vlanraw refuses them.
const (
	OptParent      = "parent"
	OptIPVlanMode  = "ipvlan_mode"
	OptIPVlanFlag  = "ipvlan_flag"
	OptMACVlanMode = "macvlan_mode"
	OptMTU         = "mtu"
)

// Modes and flags, as Docker and iproute2 spell them.
const (
	ModeL2  = "l2"
	ModeL3  = "l3"
	ModeL3S = "l3s"

	FlagBridge  = "bridge"
	FlagPrivate = "private"
	FlagVEPA    = "vepa"

	ModeBridge   = "bridge"
	ModePrivate  = "private"
	ModeVEPA     = "vepa"
	ModePassthru = "passthru"
)

// minMTU is the smallest MTU an IPv4 link may have.
const minMTU = 68

// driverOptions lists the options each driver takes.
var driverOptions = map[Driver][]string{
	IPVlan:  {OptParent, OptIPVlanMode, OptIPVlanFlag, OptMTU},
	MACVlan: {OptParent, OptMACVlanMode, OptMTU},
}

// options are a network's parsed driver options, defaults filled in.
type options struct {
	parent      string
	ipvlanMode  string
	ipvlanFlag  string
	macvlanMode string
	mtu         uint32
}

// checkDriver reports whether d is a driver this package provides.
func checkDriver(d Driver) error {
	if _, ok := driverOptions[d]; !ok {
		if d == "" {
			return invalidf("no driver given: use -d ipvlan or -d macvlan")
		}
		return invalidf("unknown driver %q: vlanraw provides the ipvlan and macvlan drivers", string(d))
	}
	return nil
}

// parseOptions checks the -o options of a network of driver d, with
// Docker's messages for bad modes and flags, and fills in the defaults:
// ipvlan l2 bridge, macvlan bridge.
func parseOptions(d Driver, opts map[string]string) (*options, error) {
	if err := checkDriver(d); err != nil {
		return nil, err
	}
	known := driverOptions[d]
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if !slices.Contains(known, k) {
			return nil, invalidf("unknown option %q for the %s driver: the %s driver takes %s",
				k, d, d, strings.Join(known, ", "))
		}
	}
	o := &options{parent: opts[OptParent]}
	switch d {
	case IPVlan:
		o.ipvlanMode, o.ipvlanFlag = ModeL2, FlagBridge
		if v, ok := opts[OptIPVlanMode]; ok {
			switch v {
			case ModeL2, ModeL3, ModeL3S:
				o.ipvlanMode = v
			default:
				return nil, invalidf("requested ipvlan mode '%s' is not valid, 'l2' mode is the ipvlan driver default", v)
			}
		}
		if v, ok := opts[OptIPVlanFlag]; ok {
			switch v {
			case FlagBridge, FlagPrivate, FlagVEPA:
				o.ipvlanFlag = v
			default:
				return nil, invalidf("requested ipvlan flag '%s' is not valid, 'bridge' is the ipvlan driver default", v)
			}
		}
	case MACVlan:
		o.macvlanMode = ModeBridge
		if v, ok := opts[OptMACVlanMode]; ok {
			switch v {
			case ModeBridge, ModePrivate, ModeVEPA, ModePassthru:
				o.macvlanMode = v
			default:
				return nil, invalidf("requested macvlan mode '%s' is not valid, 'bridge' mode is the macvlan driver default", v)
			}
		}
	}
	if v, ok := opts[OptMTU]; ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < minMTU || n > 65535 {
			return nil, invalidf("invalid mtu %q: give a number from %d to 65535, at most the parent's MTU", v, minMTU)
		}
		o.mtu = uint32(n)
	}
	if o.parent == "lo" {
		return nil, invalidf("loopback interface is not a valid %s parent link", d)
	}
	if _, ok := opts[OptParent]; ok && o.parent == "" {
		return nil, invalidf("option parent is empty: name the parent link, or leave the option out to get a dummy parent")
	}
	return o, nil
}

// ipvlanMode converts a mode name to the kernel's value.
func ipvlanMode(s string) rtnl.IPVlanMode {
	switch s {
	case ModeL3:
		return rtnl.IPVlanModeL3
	case ModeL3S:
		return rtnl.IPVlanModeL3S
	}
	return rtnl.IPVlanModeL2
}

// ipvlanFlag converts a flag name to the kernel's value.
func ipvlanFlag(s string) rtnl.IPVlanFlag {
	switch s {
	case FlagPrivate:
		return rtnl.IPVlanFlagPrivate
	case FlagVEPA:
		return rtnl.IPVlanFlagVEPA
	}
	return rtnl.IPVlanFlagBridge
}

// macvlanMode converts a mode name to the kernel's value.
func macvlanMode(s string) rtnl.MACVlanMode {
	switch s {
	case ModePrivate:
		return rtnl.MACVlanModePrivate
	case ModeVEPA:
		return rtnl.MACVlanModeVEPA
	case ModePassthru:
		return rtnl.MACVlanModePassthru
	}
	return rtnl.MACVlanModeBridge
}

// l3 reports whether the network is an ipvlan network in l3 or l3s mode,
// whose links do no ARP or neighbour discovery.
func (n *Network) l3() bool {
	return n.Driver == IPVlan && (n.IPVlanMode == ModeL3 || n.IPVlanMode == ModeL3S)
}

// Mode returns the network's mode as `ip -d link` would name it, such as
// "l3 bridge" or "passthru".
func (n *Network) Mode() string {
	if n.Driver == IPVlan {
		return fmt.Sprintf("%s %s", n.IPVlanMode, n.IPVlanFlag)
	}
	return n.MACVlanMode
}
