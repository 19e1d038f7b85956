package links

import (
	"net"
	"strings"
	"unicode"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Attrs are the attributes every kind of link has.
type Attrs struct {
	// Name is the link's name: 1 to 15 bytes, no '/', ':' or white space.
	Name string
	// MTU is the link's MTU; 0 leaves the kernel's default (the parent's).
	MTU uint32
	// MAC is the link's hardware address; nil lets the kernel choose.
	MAC net.HardwareAddr
	// TxQueueLen is the transmit queue length; nil leaves the default.
	TxQueueLen *uint32
	// Group is the link group; nil leaves group 0.
	Group *uint32
	// Up brings the link up as it is created.
	Up bool
	// NetNS, when not nil, creates the link directly in that namespace
	// (IFLA_NET_NS_FD), with its parent looked up where the Handle is.
	// Open it with package netns, by name, path or process id.
	NetNS *netns.NS
}

// Spec describes a link to create. It is implemented by IPVlan, MACVlan,
// VLAN, Dummy and Veth.
type Spec interface {
	// Kind returns the link kind, such as "ipvlan".
	Kind() string
	// Attributes returns the common attributes, which the caller may
	// change before creating the link.
	Attributes() *Attrs
	// attrs returns the common attributes.
	attrs() *Attrs
	// parent returns the name of the lower device, or "".
	parent() string
	// validate checks the kind-specific values.
	validate() error
	// data returns the IFLA_INFO_DATA driver, or nil.
	data() (rtnetlink.LinkDriver, error)
}

func (a *Attrs) attrs() *Attrs { return a }

// Attributes returns a, so that every Spec gives its common attributes.
func (a *Attrs) Attributes() *Attrs { return a }

// message builds the RTM_NEWLINK body for s, whose parent has index.
func message(s Spec, parentIndex int32) (*rtnl.LinkMessage, error) {
	a := s.attrs()
	d, err := s.data()
	if err != nil {
		return nil, err
	}
	m := &rtnl.LinkMessage{
		Attributes: rtnl.LinkAttributes{
			MTU:        a.MTU,
			Address:    a.MAC,
			TxQueueLen: a.TxQueueLen,
			Group:      a.Group,
			Parent:     uint32(parentIndex),
			Name:       a.Name,
			Info:       &rtnl.LinkInfo{Kind: s.Kind(), Data: d},
		},
	}
	if a.NetNS != nil {
		fd := uint32(a.NetNS.FD())
		m.Attributes.NetNSFD = &fd
	}
	if a.Up {
		m.Flags, m.Change = unix.IFF_UP, unix.IFF_UP
	}
	return m, nil
}

// CheckName reports whether name is a valid link name, as the kernel's
// dev_valid_name and iproute2's check_ifname see it.
func CheckName(name string) error {
	switch {
	case name == "":
		return invalid("link name", name, "a link needs a name of 1 to 15 bytes")
	case len(name) >= unix.IFNAMSIZ:
		return invalid("link name", name, "it has %d bytes; the kernel allows at most %d", len(name), unix.IFNAMSIZ-1)
	case name == "." || name == "..":
		return invalid("link name", name, "it is reserved")
	case strings.ContainsAny(name, "/:"):
		return invalid("link name", name, "it must not contain '/' or ':'")
	case strings.IndexFunc(name, unicode.IsSpace) >= 0:
		return invalid("link name", name, "it must not contain white space")
	}
	return nil
}

func checkAttrs(a *Attrs) error {
	if err := CheckName(a.Name); err != nil {
		return err
	}
	if a.MAC != nil && (len(a.MAC) != 6 || a.MAC[0]&1 != 0 || isZero(a.MAC)) {
		return invalid("address", a.MAC.String(), "a link address must be a 6-byte unicast MAC, not zero and not multicast")
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
