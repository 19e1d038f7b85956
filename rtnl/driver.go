package rtnl

import (
	"github.com/jsimonetti/rtnetlink/v2"
)

// drivers are this package's link drivers, by kind.
var drivers = map[string]func() rtnetlink.LinkDriver{}

// register adds a driver to this package and to rtnetlink's registry, so
// that rtnetlink.LinkMessage decodes the kind too.
func register(d rtnetlink.LinkDriver) {
	drivers[d.Kind()] = d.New
	_ = rtnetlink.RegisterDriver(d)
}

// NewDriver returns an empty driver for kind, or nil when the package has
// none. Kinds without kind-specific data, such as dummy, return nil.
func NewDriver(kind string) rtnetlink.LinkDriver {
	if f, ok := drivers[kind]; ok {
		return f()
	}
	return nil
}
