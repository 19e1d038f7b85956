//go:build linux

package modes_test

import (
	"fmt"
	"log"

	"github.com/vlanraw/vlanraw/modes"
)

// Create an ipvlan l3 network on eth0 with the two subnets of the usual
// L3 how-to, connect the namespace "webapp" to it, and print what the
// upstream router needs. Needs root, and the namespace.
func Example_l3() {
	m, err := modes.NewManager("") // state in $VLANRAW_STATE_DIR or /var/lib/vlanraw
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.CreateNetwork(modes.NetworkSpec{
		Name:    "ipvlan_net",
		Driver:  modes.IPVlan,
		Subnets: []modes.SubnetSpec{{Subnet: "192.168.10.0/24"}, {Subnet: "192.168.20.0/24"}},
		Options: map[string]string{"parent": "eth0", "ipvlan_mode": "l3"},
	})
	if err != nil {
		log.Fatal(err) // e.g. network with name ipvlan_net already exists
	}
	ep, err := m.Connect(modes.ConnectSpec{Network: "ipvlan_net", NetNS: "webapp", IPv4: "192.168.10.10"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ep.IfName, ep.IPv4, ep.Routes) // eth0 192.168.10.10/24 [default dev eth0]

	u, err := m.Upstream("ipvlan_net")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range u.Commands() {
		fmt.Println(c) // ip route add 192.168.10.0/24 via <eth0's address> ...
	}
}
