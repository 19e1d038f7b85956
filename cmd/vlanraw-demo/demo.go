package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// The cast, named as in the article; then the four containers of
// Docker's l3 example without a parent (seed 001), named by their
// addresses.
const (
	hostNS   = "host"
	routerNS = "router"
	webapp   = "webapp"
	database = "database"
	network  = "ipvlan_net"

	noParentNet = "ipnet210"
	c214x10     = "c214-10"
	c10x10      = "c10-10"
	c214x9      = "c214-9"
	c10x9       = "c10-9"
)

var (
	webappIP   = netip.MustParseAddr("192.168.10.10")
	databaseIP = netip.MustParseAddr("192.168.20.10")
	routerIP   = netip.MustParseAddr("10.0.0.1")

	ip214x10 = netip.MustParseAddr("192.168.214.10")
	ip10x10  = netip.MustParseAddr("10.1.214.10")
	ip214x9  = netip.MustParseAddr("192.168.214.9")
	ip10x9   = netip.MustParseAddr("10.1.214.9")
)

// namespaces are every namespace the demo creates, in order.
var namespaces = []string{hostNS, routerNS, webapp, database, c214x10, c10x10, c214x9, c10x9}

// pingTimeout bounds each ping; one that must fail takes this long.
const pingTimeout = 2 * time.Second

// demo is one run: the vlanraw binary, a state directory of its own, and
// what it created, for cleanup.
type demo struct {
	bin      string
	stateDir string

	mu       sync.Mutex
	created  []string // namespaces
	networks []string // networks created
	cleaned  bool
}

// newDemo checks that the namespaces are free and makes the state
// directory.
func newDemo(bin string) (*demo, error) {
	for _, ns := range namespaces {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			return nil, fmt.Errorf("network namespace %q exists already; the demo leaves existing namespaces alone: remove it (vlanraw netns del %s) or run the demo elsewhere", ns, ns)
		}
	}
	dir, err := os.MkdirTemp("", "vlanraw-demo-state-")
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	return &demo{bin: bin, stateDir: dir}, nil
}

// step prints a heading.
func step(format string, args ...any) {
	fmt.Printf("\n== "+format+"\n", args...)
}

// say prints a line of commentary.
func say(format string, args ...any) {
	fmt.Printf("   "+format+"\n", args...)
}

// vr prints a vlanraw command line, runs it with the demo's state
// directory and prints its output. It fails if vlanraw does.
func (d *demo) vr(args ...string) error {
	fmt.Printf("$ vlanraw %s\n", strings.Join(args, " "))
	var out bytes.Buffer
	cmd := exec.Command(d.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "VLANRAW_STATE_DIR="+d.stateDir)
	err := cmd.Run()
	os.Stdout.Write(out.Bytes())
	if err != nil {
		return fmt.Errorf("vlanraw %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// createNetwork runs `vlanraw -n host network create ARGS... NAME` and
// remembers the network for cleanup.
func (d *demo) createNetwork(name string, args ...string) error {
	args = append(append([]string{"-n", hostNS, "network", "create"}, args...), name)
	return d.track(func() { d.networks = append(d.networks, name) }, args...)
}

// addNetNS creates a namespace and remembers it for cleanup.
func (d *demo) addNetNS(name string) error {
	return d.track(func() { d.created = append(d.created, name) }, "netns", "add", name)
}

// track runs vlanraw with args and, if it succeeds, records what it
// created with record. After cleanup it runs nothing.
func (d *demo) track(record func(), args ...string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cleaned {
		return errors.New("cleaned up already")
	}
	if err := d.vr(args...); err != nil {
		return err
	}
	record()
	return nil
}

// ping sends ICMP echo from inside namespace from, and checks that a reply
// comes (want true) or does not (want false).
func (d *demo) ping(from string, src, dst netip.Addr, want bool) error {
	fmt.Printf("$ ping %s from %s (%s)   [ICMP echo, every %v for up to %v, by testenv/traffic]\n",
		dst, from, src, traffic.Interval, pingTimeout)
	ns, err := netns.Open(from)
	if err != nil {
		return err
	}
	defer ns.Close()
	err = traffic.Ping(ns, src, dst, pingTimeout)
	switch {
	case err == nil && want:
		say("reply from %s", dst)
	case err == nil:
		return fmt.Errorf("%s reached %s, which it must not yet", from, dst)
	case errors.Is(err, traffic.ErrNoReply) && !want:
		say("no reply (%v)", err)
	default:
		return fmt.Errorf("%s cannot reach %s: %w", from, dst, err)
	}
	return nil
}

// cleanup removes the network and every namespace the demo created, and
// the state directory. It runs once, after success, failure or an
// interrupt.
func (d *demo) cleanup() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cleaned {
		return
	}
	d.cleaned = true
	if len(d.created) > 0 {
		step("clean up")
	}
	// Endpoints and the networks first, while the host namespace is there.
	for i := len(d.networks) - 1; i >= 0; i-- {
		if err := d.vr("-n", hostNS, "disconnect", "--all", d.networks[i]); err != nil {
			fmt.Fprintf(os.Stderr, "demo: cleanup: %v\n", err)
		}
		if err := d.vr("-n", hostNS, "network", "rm", d.networks[i]); err != nil {
			fmt.Fprintf(os.Stderr, "demo: cleanup: %v\n", err)
		}
	}
	d.networks = nil
	for i := len(d.created) - 1; i >= 0; i-- {
		if err := d.vr("netns", "del", d.created[i]); err != nil {
			fmt.Fprintf(os.Stderr, "demo: cleanup: %v\n", err)
		}
	}
	d.created = nil
	os.RemoveAll(d.stateDir)
}
