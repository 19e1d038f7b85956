package rtnl

import (
	"github.com/jsimonetti/rtnetlink/v2"
	// Upstream's drivers register themselves before this package's, in
	// every program that imports it, not only in those that import them
	// too (see init).
	_ "github.com/jsimonetti/rtnetlink/v2/driver"
)

// init registers the drivers of the kinds table with rtnetlink, so that a
// program that reads links with rtnetlink.LinkMessage decodes those kinds
// with vlanraw's drivers too.
//
// rtnetlink keeps the first driver registered for a kind. Upstream's
// package github.com/jsimonetti/rtnetlink/v2/driver registers its own in
// its init, and Go initialises a package's imports before the package, so
// importing it here makes it register first in every program: a kind it
// has a driver for (bond, bond_slave, netkit and veth in v2.0.2) stays
// its, and rtnetlink.LinkMessage decodes that kind with upstream's driver
// while rtnl.LinkMessage decodes it with vlanraw's. Which driver decodes
// a kind therefore never depends on what else a program imports. Only an
// upgrade of rtnetlink can change it, for a kind upstream adds a driver
// for (its master has macvlan and vlan): TestRegisteredDrivers fails then
// for the kinds only vlanraw decodes today.
func init() {
	for _, k := range kinds {
		if k.driver != nil {
			// A refusal means upstream has the kind, as said above.
			_ = rtnetlink.RegisterDriver(k.driver)
		}
	}
}
