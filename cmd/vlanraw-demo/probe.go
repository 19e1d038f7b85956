package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
)

// probeIPVlan reports whether the kernel can create ipvlan links: it
// creates a veth and an ipvlan on it in a network namespace of a thread
// that exits afterwards. It returns 0 if it can, 3 if the kernel lacks the
// kind, 1 if the probe could not run.
func probeIPVlan() int {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare: %w", err)
			return
		}
		h, err := links.Open(nil)
		if err != nil {
			errc <- err
			return
		}
		defer h.Close()
		if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "probe0"}, Peer: links.Attrs{Name: "probe1"}}); err != nil {
			errc <- err
			return
		}
		errc <- h.Create(&links.IPVlan{Attrs: links.Attrs{Name: "probe2"}, Parent: "probe0"})
	}()
	err := <-errc
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errdefs.ErrNotSupported):
		return 3
	}
	fmt.Fprintf(os.Stderr, "demo: probing for ipvlan: %v\n", err)
	return 1
}
