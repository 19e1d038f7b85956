package ipam_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/modes/ipam"
)

// Allocate addresses from a four-address ip-range whose first usable
// address is the gateway, until the range is full.
func ExamplePool_Allocate() {
	p, err := ipam.NewPool("192.168.10.0/24", "192.168.10.0/30", "192.168.10.1", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	used := map[netip.Addr]bool{}
	for {
		a, err := p.Allocate(func(a netip.Addr) bool { return used[a] })
		if errors.Is(err, ipam.ErrPoolFull) {
			fmt.Println(err)
			break
		}
		used[a] = true
		fmt.Println(a)
	}
	// Output:
	// 192.168.10.2
	// 192.168.10.3
	// no available addresses on this pool: every address of 192.168.10.0/24 (ip-range 192.168.10.0/30) is reserved or in use; widen the ip-range or free an address
}

// NewPool reports every problem at once, in Docker's words.
func ExampleNewPool() {
	_, err := ipam.NewPool("10.10.10.0/8", "10.10.10.0/16", "192.168.0.1", nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, errdefs.ErrInvalid))
	// Output:
	// * invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8
	// * invalid ip-range 10.10.10.0/16: it should be 10.10.0.0/16
	// * invalid gateway 192.168.0.1: parent subnet 10.0.0.0/8 doesn't contain this address
	// true
}
