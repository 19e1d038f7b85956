package rtnl

import (
	"fmt"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// IPv4ConfID numbers a per-link IPv4 setting, one of the sysctls under
// net.ipv4.conf.<link> (the kernel's IPV4_DEVCONF_* enumeration).
type IPv4ConfID uint16

// The settings vlanraw sets.
const (
	// IPv4ConfARPIgnore is arp_ignore: 1 answers ARP requests only for
	// the addresses of the link they came in on.
	IPv4ConfARPIgnore IPv4ConfID = 19
	// IPv4ConfARPNotify is arp_notify: send a gratuitous ARP when the
	// link comes up or its address changes.
	IPv4ConfARPNotify IPv4ConfID = 22
)

// String returns the setting's sysctl name.
func (id IPv4ConfID) String() string {
	switch id {
	case IPv4ConfARPIgnore:
		return "arp_ignore"
	case IPv4ConfARPNotify:
		return "arp_notify"
	}
	return fmt.Sprintf("IPv4ConfID(%d)", uint16(id))
}

// IPv4Conf is one per-link IPv4 setting and its value.
type IPv4Conf struct {
	ID    IPv4ConfID
	Value uint32
}

// encodeIPv4Conf encodes cs as IFLA_AF_SPEC's AF_INET IFLA_INET_CONF.
func encodeIPv4Conf(cs []IPv4Conf) ([]byte, error) {
	conf := netlink.NewAttributeEncoder()
	for _, c := range cs {
		conf.Uint32(uint16(c.ID), c.Value)
	}
	nest := func(typ uint16, b []byte, err error) ([]byte, error) {
		if err != nil {
			return nil, err
		}
		ae := netlink.NewAttributeEncoder()
		ae.Bytes(typ, b)
		return ae.Encode()
	}
	b, err := conf.Encode()
	b, err = nest(unix.IFLA_INET_CONF, b, err)
	return nest(unix.AF_INET, b, err)
}
