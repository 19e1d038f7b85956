// Command vlanraw-demo acts out the ipvlan L3 article scenario with the
// vlanraw binary alone, printing each command and what the kernel shows.
//
// A "host" namespace holds the parent link, enp0s3 (10.0.0.2/24), a veth
// whose other end, eth0 (10.0.0.1/24), sits in a "router" namespace: the
// machine's own interfaces are never touched. An ipvlan L3 network with
// subnets 192.168.10.0/24 and 192.168.20.0/24 gets two endpoints, webapp
// (192.168.10.10) and database (192.168.20.10). The demo proves with real
// ICMP echo that webapp reaches database, that it does not reach the router
// until the router has routes back to the subnets, and that it does once
// `vlanraw routes ipvlan_net --apply --netns router` has added them.
//
// Then it acts out Docker's l3 example without a parent: network ipnet210
// (subnets 192.168.214.0/24 and 10.1.214.0/24, a dummy parent) with
// endpoints 192.168.214.10 and 10.1.214.10, whose route tables are
// Docker's (`default dev eth0` and the subnet's), then 192.168.214.9 and
// 10.1.214.9, which ping across the subnets, while the router stays out of
// reach. It ends with `vlanraw verify ipvlan_net`: eBPF counters on the
// parent, the router's link and the endpoints, showing that L3 mode drops
// the broadcast, multicast and ARP probes and delivers the unicast ones.
// Then it removes everything, also when a step fails or it is
// interrupted.
//
// Usage:
//
//	vlanraw-demo [-vlanraw PATH]   run the demo (root; kernel with ipvlan)
//	vlanraw-demo -probe            exit 0 if this kernel can create ipvlan
//	                               links, 3 if it cannot
//
// It exits 0 when every step behaved as the sources say, 1 otherwise. It
// is built static so that it also runs inside the QEMU harness
// (`make demo` does that when the host kernel lacks ipvlan).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	bin := flag.String("vlanraw", "bin/vlanraw", "the vlanraw binary to run")
	probe := flag.Bool("probe", false, "only report whether the kernel can create ipvlan links (exit 0) or not (exit 3)")
	flag.Parse()
	if *probe {
		os.Exit(probeIPVlan())
	}
	os.Exit(run(*bin))
}

// run plays the demo and returns the exit status.
func run(bin string) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "demo: needs root: it creates network namespaces and links")
		return 1
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		fmt.Fprintf(os.Stderr, "demo: %s is not an executable: build it (make build) or give -vlanraw PATH\n", bin)
		return 1
	}
	if code := probeIPVlan(); code != 0 {
		fmt.Fprintf(os.Stderr, "demo: this kernel cannot create ipvlan links; \"make demo\" runs the demo in QEMU instead\n")
		return 1
	}
	d, err := newDemo(bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 1
	}
	// Interrupted: clean up, as a shell trap would, then exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- d.play() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("interrupted")
	}
	d.cleanup()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo: FAILED: %v\n", err)
		return 1
	}
	fmt.Println("\ndemo: done; every step behaved as the article and Docker's documentation say, and nothing is left behind")
	return 0
}
