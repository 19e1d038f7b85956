package modes

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
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
// it does not know; vlanraw refuses them. The macvlan_flag,
// macvlan_source_macs and macvlan_bcqueuelen options are vlanraw's own
// (Docker has none of them): iproute2's nopromisc and nodst, its
// "macaddr set" list of a source-mode link, and its bcqueuelen.
const (
	OptParent            = "parent"
	OptIPVlanMode        = "ipvlan_mode"
	OptIPVlanFlag        = "ipvlan_flag"
	OptMACVlanMode       = "macvlan_mode"
	OptMACVlanFlag       = "macvlan_flag"
	OptMACVlanSourceMACs = "macvlan_source_macs"
	OptMACVlanBCQueueLen = "macvlan_bcqueuelen"
	OptMTU               = "mtu"
	// OptHostAccess and OptHostAccess6 give the host a link of its own
	// on the network, with that address (see hostaccess.go); vlanraw's
	// own.
	OptHostAccess  = "host_access"
	OptHostAccess6 = "host_access6"
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
	ModeSource   = "source"

	FlagNoPromisc = "nopromisc"
	FlagNoDst     = "nodst"
)

// minMTU is the smallest MTU an IPv4 link may have.
const minMTU = 68

// driverOptions lists the options each driver takes.
var driverOptions = map[Driver][]string{
	IPVlan:  {OptParent, OptIPVlanMode, OptIPVlanFlag, OptMTU, OptHostAccess, OptHostAccess6},
	MACVlan: {OptParent, OptMACVlanMode, OptMACVlanFlag, OptMACVlanSourceMACs, OptMACVlanBCQueueLen, OptMTU, OptHostAccess, OptHostAccess6},
}

// options are a network's parsed driver options, defaults filled in.
type options struct {
	parent      string
	ipvlanMode  string
	ipvlanFlag  string
	macvlanMode string
	macvlanFlag string
	// sourceMACs are a source-mode link's source MACs, as net.HardwareAddr
	// prints them.
	sourceMACs []string
	bcQueueLen uint32
	mtu        uint32
	// hostAccess are the host_access (IPv4) and host_access6 (IPv6)
	// addresses, if given.
	hostAccess []netip.Addr
}

// fill copies the driver's mode and settings into n.
func (o *options) fill(n *Network) {
	if n.Driver == IPVlan {
		n.IPVlanMode, n.IPVlanFlag = o.ipvlanMode, o.ipvlanFlag
		return
	}
	n.MACVlanMode, n.MACVlanFlag, n.SourceMACs, n.BCQueueLen = o.macvlanMode, o.macvlanFlag, o.sourceMACs, o.bcQueueLen
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
			case ModeBridge, ModePrivate, ModeVEPA, ModePassthru, ModeSource:
				o.macvlanMode = v
			default:
				return nil, invalidf("requested macvlan mode '%s' is not valid, 'bridge' mode is the macvlan driver default", v)
			}
		}
		if err := o.parseMACVlan(opts); err != nil {
			return nil, err
		}
	}
	if v, ok := opts[OptMTU]; ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n < minMTU || n > 65535 {
			return nil, invalidf("invalid mtu %q: give a number from %d to 65535, at most the parent's MTU", v, minMTU)
		}
		o.mtu = uint32(n)
	}
	if err := o.parseHostAccess(opts); err != nil {
		return nil, err
	}
	if o.parent == "lo" {
		return nil, invalidf("loopback interface is not a valid %s parent link", d)
	}
	if _, ok := opts[OptParent]; ok && o.parent == "" {
		return nil, invalidf("option parent is empty: name the parent link, or leave the option out to get a dummy parent")
	}
	return o, nil
}

// parseMACVlan checks the macvlan settings beyond the mode against it:
// nopromisc needs passthru, nodst and the source MACs need source, and
// source needs the MACs.
func (o *options) parseMACVlan(opts map[string]string) error {
	if v, ok := opts[OptMACVlanFlag]; ok {
		need := map[string]string{FlagNoPromisc: ModePassthru, FlagNoDst: ModeSource}[v]
		switch {
		case need == "":
			return invalidf("requested macvlan flag '%s' is not valid: give nopromisc (with macvlan_mode=passthru) or nodst (with macvlan_mode=source)", v)
		case need != o.macvlanMode:
			return invalidf("macvlan flag %s needs macvlan_mode=%s, not %s", v, need, o.macvlanMode)
		}
		o.macvlanFlag = v
	}
	if v, ok := opts[OptMACVlanSourceMACs]; ok {
		if o.macvlanMode != ModeSource {
			return invalidf("%s needs macvlan_mode=source, not %s", OptMACVlanSourceMACs, o.macvlanMode)
		}
		for _, s := range strings.Split(v, ",") {
			mac, err := net.ParseMAC(strings.TrimSpace(s))
			if err != nil || len(mac) != 6 || mac[0]&1 != 0 || mac.String() == "00:00:00:00:00:00" {
				return invalidf("invalid source MAC %q in %s: give unicast six-byte addresses, such as 02:42:ac:11:00:02, separated by commas", s, OptMACVlanSourceMACs)
			}
			if !slices.Contains(o.sourceMACs, mac.String()) {
				o.sourceMACs = append(o.sourceMACs, mac.String())
			}
		}
	}
	if o.macvlanMode == ModeSource && len(o.sourceMACs) == 0 {
		return invalidf("macvlan_mode=source needs %s=MAC[,MAC...]: a source-mode link receives only the frames sent from those MACs", OptMACVlanSourceMACs)
	}
	if v, ok := opts[OptMACVlanBCQueueLen]; ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return invalidf("invalid %s %q: give the broadcast queue length, a number from 1 to %d (Linux 5.11 and later)", OptMACVlanBCQueueLen, v, uint32(1<<32-1))
		}
		o.bcQueueLen = uint32(n)
	}
	return nil
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
	case ModeSource:
		return rtnl.MACVlanModeSource
	}
	return rtnl.MACVlanModeBridge
}

// macvlanFlag converts a flag name to the kernel's value; 0 for none.
func macvlanFlag(s string) rtnl.MACVlanFlag {
	switch s {
	case FlagNoPromisc:
		return rtnl.MACVlanFlagNoPromisc
	case FlagNoDst:
		return rtnl.MACVlanFlagNoDst
	}
	return 0
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
