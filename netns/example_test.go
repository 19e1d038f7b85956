package netns_test

import (
	"fmt"
	"log"
	"net"

	"github.com/vlanraw/vlanraw/netns"
)

// ExampleOpen opens a namespace given as a word (here a name; a path
// such as /proc/1234/ns/net, or a process id, work the same) and lists
// its interfaces from a thread inside it.
func ExampleOpen() {
	ns, err := netns.Open("blue")
	if err != nil {
		log.Fatal(err) // says which forms of word are accepted
	}
	defer ns.Close()
	id, err := ns.ID()
	if err != nil {
		log.Fatal(err)
	}
	err = ns.Do(func() error {
		ifs, err := net.Interfaces()
		for _, i := range ifs {
			fmt.Println(id, i.Name)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
}
