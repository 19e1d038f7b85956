package rtnl

import (
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"
)

// Kind is a link kind vlanraw knows: its name, the kernel option that
// provides it and, when vlanraw encodes and decodes its IFLA_INFO_DATA,
// its driver.
type Kind struct {
	// Name is IFLA_INFO_KIND, such as "ipvlan".
	Name string
	// Config is the kernel configuration option that provides the kind,
	// such as "CONFIG_IPVLAN".
	Config string
	// Module is the module Config builds when it is not built in, such as
	// "8021q" for vlan.
	Module string
	// driver is an empty driver of the kind, nil when vlanraw has none.
	driver rtnetlink.LinkDriver
}

// NewDriver returns an empty driver of the kind, or nil when vlanraw has
// none.
func (k Kind) NewDriver() rtnetlink.LinkDriver {
	if k.driver == nil {
		return nil
	}
	return k.driver.New()
}

// kinds is the table of link kinds: a kind is its driver, in a file of
// its own, and a line here. The order is the one the CLI lists them in.
var kinds = []Kind{
	{Name: "ipvlan", Config: "CONFIG_IPVLAN", Module: "ipvlan", driver: &IPVlan{}},
	{Name: "ipvtap", Config: "CONFIG_IPVTAP", Module: "ipvtap", driver: &IPVtap{}},
	{Name: "macvlan", Config: "CONFIG_MACVLAN", Module: "macvlan", driver: &MACVlan{}},
	{Name: "macvtap", Config: "CONFIG_MACVTAP", Module: "macvtap", driver: &MACVtap{}},
	{Name: "vlan", Config: "CONFIG_VLAN_8021Q", Module: "8021q", driver: &VLAN{}},
	{Name: "dummy", Config: "CONFIG_DUMMY", Module: "dummy", driver: &Dummy{}},
	// veth's driver is rtnetlink's own (github.com/jsimonetti/rtnetlink/v2/driver).
	{Name: "veth", Config: "CONFIG_VETH", Module: "veth"},
	{Name: "netkit", Config: "CONFIG_NETKIT", Module: "netkit", driver: &Netkit{}},
	// vlanraw creates no bridges; the tests use them as peers.
	{Name: "bridge", Config: "CONFIG_BRIDGE", Module: "bridge"},
}

// Kinds returns every link kind vlanraw knows, in the table's order.
func Kinds() []Kind { return slices.Clone(kinds) }

// LookupKind returns the link kind called name, and false when vlanraw
// does not know it.
func LookupKind(name string) (Kind, bool) {
	i := slices.IndexFunc(kinds, func(k Kind) bool { return k.Name == name })
	if i < 0 {
		return Kind{}, false
	}
	return kinds[i], true
}

// KindConfig returns the kernel configuration option that provides a link
// kind, or "" when vlanraw does not know it.
func KindConfig(kind string) string {
	k, _ := LookupKind(kind)
	return k.Config
}

// NewDriver returns an empty driver for kind, or nil when vlanraw has
// none, as for veth.
func NewDriver(kind string) rtnetlink.LinkDriver {
	k, _ := LookupKind(kind)
	return k.NewDriver()
}
