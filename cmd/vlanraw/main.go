// Command vlanraw creates ipvlan, macvlan and vlan links and networks over
// raw rtnetlink, on hosts without iproute2 or Docker.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "vlanraw: not yet")
	os.Exit(2)
}
