//go:build linux

package bpf_test

import (
	"fmt"
	"log"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
)

// Attach counters to a namespace's eth0, let traffic flow, read them.
func ExampleAttach() {
	ns, err := netns.Open("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: "eth0", Direction: bpf.Ingress})
	if err != nil {
		log.Fatal(err) // such as: attach counters to eth0 ingress: no interface eth0 in network namespace blue: ...
	}
	defer h.Detach()

	// ... traffic ...

	c, err := h.Counts()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d ARP requests, %d frames on VLAN 50\n", h.Mode(), c.Class[bpf.ClassARPRequest].Packets, c.VLAN[50].Packets)
}

// The classes, in the order the counters list them.
func ExampleClasses() {
	for _, c := range bpf.Classes() {
		fmt.Println(c)
	}
	// Output:
	// arp-request
	// arp-reply
	// broadcast
	// ipv4-multicast
	// ipv6-multicast
	// ipv6-nd
	// ipv4-unicast
	// ipv6-unicast
	// vlan
	// other
}

// What was counted between two readings.
func ExampleCounts_Sub() {
	var before, after bpf.Counts
	after.Class[bpf.ClassARPRequest] = bpf.Count{Packets: 3, Bytes: 126}
	after.VLAN = map[uint16]bpf.Count{50: {Packets: 2, Bytes: 128}}
	before.Class[bpf.ClassARPRequest] = bpf.Count{Packets: 1, Bytes: 42}
	d := after.Sub(before)
	fmt.Println(d.Class[bpf.ClassARPRequest], d.VLAN[50], d.Total())
	// Output: {2 84} {2 128} {2 84}
}
