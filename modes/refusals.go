package modes

import (
	"errors"
	"fmt"
	"net"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/ipam"
)

// This file holds the checks that refuse a request with a message saying
// what is wrong and what to do, and the mapping of the kernel's terse
// errors onto such messages.

// poolOverlap is Docker's error for a --subnet that overlaps a subnet of
// another network (libnetwork's ipamapi.ErrPoolOverlap, as the daemon
// wraps it).
const poolOverlap = "invalid pool request: Pool overlaps with other one on this address space"

// checkOverlap refuses subnets that overlap a subnet of a network in r,
// with Docker's message followed by which subnets overlap. The error
// matches ErrConflict, and errdefs.ErrInvalid too: nothing was changed, and the
// CLI exits 2 for it as for any other bad subnet. Subnets of one network
// overlapping one another are refused by ipam.NewPools.
func checkOverlap(r *records, subnets []Subnet) error {
	for _, s := range subnets {
		for _, x := range r.Networks {
			for _, o := range x.Subnets {
				if ipam.Overlaps(s.Subnet, o.Subnet) {
					return &categoryError{category: ErrConflict, cause: errdefs.ErrInvalid, msg: fmt.Sprintf(
						"%s: subnet %s overlaps subnet %s of network %s; give a subnet that no other network uses, or remove network %s first",
						poolOverlap, s.Subnet, o.Subnet, x.Name, x.Name)}
				}
			}
		}
	}
	return nil
}

// checkMAC refuses a MAC address given for an endpoint of n (mac, as
// planned) that an endpoint of a network on the same parent has already:
// the kernel refuses two macvlan links with one address on a parent only
// when the second comes up, as "address already in use". given is the
// address as the caller gave it; "" (a random one) is not checked.
func checkMAC(r *records, n *Network, given, mac string) error {
	if given == "" || mac == "" {
		return nil
	}
	for _, x := range r.Networks {
		if x.Parent != n.Parent {
			continue
		}
		for _, e := range x.Endpoints {
			if e.MAC == mac {
				return conflictf("MAC address %s is already in use by the endpoint of %s on network %s: give another --mac, or none for a random one",
					mac, e.NetNS, x.Name)
			}
		}
	}
	return nil
}

// macInUse explains the kernel's EADDRINUSE when a macvlan endpoint link
// of n with address mac comes up: the address is the parent's, or that of
// another link on the parent. host is a handle in the parent's namespace.
// Other errors are returned as they are.
func macInUse(host *links.Handle, n *Network, mac net.HardwareAddr, err error) error {
	if !errors.Is(err, unix.EADDRINUSE) || n.Driver != MACVlan || mac == nil {
		return err
	}
	if p, perr := host.Get(n.Parent); perr == nil && p.MAC.String() == mac.String() {
		return &categoryError{category: ErrConflict, cause: err, msg: fmt.Sprintf(
			"MAC address %s is already in use: it is the MAC of parent %s; give another --mac, or none for a random one", mac, n.Parent)}
	}
	return &categoryError{category: ErrConflict, cause: err, msg: fmt.Sprintf(
		"MAC address %s is already in use on parent %s, by a link vlanraw did not make (see \"vlanraw link show\"); give another --mac, or none for a random one",
		mac, n.Parent)}
}

// errnoName returns " (EPERM)" and the like when err holds a permission
// error, so that a message says which errno the kernel gave; otherwise
// "".
func errnoName(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) && (errno == unix.EPERM || errno == unix.EACCES) {
		return " (" + unix.ErrnoName(errno) + ")"
	}
	return ""
}

// errnoOf returns the errno in err, or err when it holds none: the cause
// of a failed netns.NS.Do's entry, whose own words enterError says.
func errnoOf(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// enterError explains a failure to enter the namespace of t, naming it and
// the errno.
func enterError(t *targetNS, err error) error {
	return fmt.Errorf("cannot enter network namespace %s (%s): %w%s", t.given, t.path, err, errnoName(err))
}
