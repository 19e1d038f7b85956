//go:build linux

package rtnl_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// printRows prints b sixteen bytes a row, as the examples' output.
func printRows(b []byte) {
	for len(b) > 0 {
		n := min(16, len(b))
		fmt.Printf("% x\n", b[:n])
		b = b[n:]
	}
}

// ExampleMACVlan builds the request of `ip link add link eth0 name mv0
// type macvlan mode bridge`, eth0 being the link with index 2, and reads
// it back.
func ExampleMACVlan() {
	mode := rtnl.MACVlanModeBridge
	m := &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Parent: 2,
		Name:   "mv0",
		Info: &rtnl.LinkInfo{
			Kind: "macvlan",
			Data: &rtnl.MACVlan{Mode: &mode},
		},
	}}
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	printRows(b)

	var back rtnl.LinkMessage
	if err := back.UnmarshalBinary(b); err != nil {
		log.Fatal(err)
	}
	mv := back.Attributes.Info.Data.(*rtnl.MACVlan)
	fmt.Println(back.Attributes.Name, back.Attributes.Info.Kind, "mode", mv.Mode)
	// Output:
	// 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	// 08 00 05 00 02 00 00 00 08 00 03 00 6d 76 30 00
	// 1c 00 12 00 0b 00 01 00 6d 61 63 76 6c 61 6e 00
	// 0c 00 02 00 08 00 01 00 04 00 00 00
	// mv0 macvlan mode bridge
}

// ExampleIPVlan builds the request of `ip link add link eth0 name ipv0
// type ipvlan mode l3s private`. iproute2 sends IFLA_IPVLAN_FLAGS with
// every ipvlan option, so set Flags too (IPVlanFlagBridge is 0).
func ExampleIPVlan() {
	mode, flags := rtnl.IPVlanModeL3S, rtnl.IPVlanFlagPrivate
	m := &rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Parent: 2,
		Name:   "ipv0",
		Info: &rtnl.LinkInfo{
			Kind: "ipvlan",
			Data: &rtnl.IPVlan{Mode: &mode, Flags: &flags},
		},
	}}
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	printRows(b)
	fmt.Println("ipvlan mode", mode, flags)
	// Output:
	// 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	// 08 00 05 00 02 00 00 00 09 00 03 00 69 70 76 30
	// 00 00 00 00 24 00 12 00 0a 00 01 00 69 70 76 6c
	// 61 6e 00 00 14 00 02 00 06 00 01 00 02 00 00 00
	// 06 00 02 00 01 00 00 00
	// ipvlan mode l3s private
}

// ExampleConn_NewLink creates an ipvlan in the namespace "blue" and tells
// a kernel without ipvlan apart from other failures. It needs root.
func ExampleConn_NewLink() {
	ns, err := netns.Open("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	c, err := rtnl.Dial(ns)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	parent, err := c.GetLink("eth0")
	if err != nil {
		log.Fatal(err)
	}
	mode, flags := rtnl.IPVlanModeL2, rtnl.IPVlanFlagBridge
	err = c.NewLink(&rtnl.LinkMessage{Attributes: rtnl.LinkAttributes{
		Parent: uint32(parent.Index),
		Name:   "ipv0",
		Info:   &rtnl.LinkInfo{Kind: "ipvlan", Data: &rtnl.IPVlan{Mode: &mode, Flags: &flags}},
	}})
	var kerr *rtnl.KindNotSupportedError
	switch {
	case errors.As(err, &kerr):
		log.Fatalf("rebuild the kernel with %s: %v", kerr.Config, err)
	case err != nil:
		log.Fatal(err)
	}
}
