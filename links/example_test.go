//go:build linux

package links_test

import (
	"fmt"
	"log"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Create a bridge-mode macvlan on eth0 directly inside the namespace
// "blue", up, and read back what the kernel made. Needs root.
func Example_createMACVlan() {
	h, err := links.Open(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	blue, err := netns.Open("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer blue.Close()

	mode := rtnl.MACVlanModeBridge
	err = h.Create(&links.MACVlan{
		Attrs:  links.Attrs{Name: "mv0", Up: true, NetNS: blue},
		Parent: "eth0",
		Mode:   &mode,
	})
	if err != nil {
		log.Fatal(err) // e.g. invalid link name "...": ..., or the kernel's own message
	}

	inBlue, err := links.Open(blue)
	if err != nil {
		log.Fatal(err)
	}
	defer inBlue.Close()
	l, err := inBlue.Get("mv0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Kind, l.Data.(*rtnl.MACVlan).Mode, l.Up())
}

// Delete many links in one batch, as `ip link del group` does.
func ExampleHandle_DeleteAll() {
	h, err := links.OpenName("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	if err := h.DeleteAll([]string{"mv0", "mv1", "mv2"}); err != nil {
		log.Fatal(err)
	}
}
