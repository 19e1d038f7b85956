package links

import (
	"fmt"
	"net"
	"strings"
	"unicode"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
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

// Spec describes a link of one kind: to create it, or, as
// Change.Options, to change the kind's own options. Each kind is one type
// in a file of its own (see the package documentation).
type Spec interface {
	// Kind returns the link kind, such as "ipvlan".
	Kind() string
	// Attributes returns the common attributes, which the caller may
	// change before creating the link.
	Attributes() *Attrs
	// NeedsParent reports whether a link of the kind needs a lower
	// device (IFLA_LINK), which the spec then names.
	NeedsParent() bool
	// parent returns the name of the lower device, or "".
	parent() string
	// peer returns the attributes of the other end, for kinds whose links
	// come in pairs, such as veth; nil for the others.
	peer() *Attrs
	// validate checks the kind-specific values.
	validate() error
	// data returns the IFLA_INFO_DATA driver, or nil.
	data() (rtnetlink.LinkDriver, error)
	// change returns the IFLA_INFO_DATA that changes the options of a
	// link of the kind, whose current data is cur (nil when the kernel
	// reported none), to the spec's, or an error when they cannot
	// change so.
	change(cur rtnetlink.LinkDriver) (rtnetlink.LinkDriver, error)
}

// Attributes returns a, so that every Spec gives its common attributes.
func (a *Attrs) Attributes() *Attrs { return a }

// peer is the Spec method of the kinds without a peer, which is all but
// those that define their own.
func (a *Attrs) peer() *Attrs { return nil }

// noChange is the change method of the kinds whose options vlanraw cannot
// change.
func noChange(s Spec) error {
	return fmt.Errorf("changing %s links is not supported: %w", s.Kind(), errdefs.ErrInvalid)
}

// message builds the RTM_NEWLINK body for s, whose parent has index.
func message(s Spec, parentIndex int32) (*rtnl.LinkMessage, error) {
	a := s.Attributes()
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
	a.setNetNS(&m.Attributes)
	if a.Up {
		m.Flags, m.Change = unix.IFF_UP, unix.IFF_UP
	}
	return m, nil
}

// setNetNS puts the namespace a link is to be created in, if a names
// one, into its attributes.
func (a *Attrs) setNetNS(la *rtnl.LinkAttributes) {
	if a.NetNS != nil {
		fd := uint32(a.NetNS.FD())
		la.NetNSFD = &fd
	}
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
