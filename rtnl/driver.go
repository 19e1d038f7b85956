package rtnl

import (
	"github.com/jsimonetti/rtnetlink/v2"
)

// init registers the drivers of the kinds table with rtnetlink too, so
// that rtnetlink.LinkMessage decodes those kinds as well.
func init() {
	for _, k := range kinds {
		if k.driver != nil {
			_ = rtnetlink.RegisterDriver(k.driver)
		}
	}
}
