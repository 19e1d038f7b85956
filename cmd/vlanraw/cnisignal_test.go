package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
)

// startCNI starts vlanraw as a CNI plugin (CNI_COMMAND=cmd) in w's host
// namespace, for container id's eth0 in namespace ns on w's network
// network, stopped at step stop (none when stop is ""). It is started
// from a thread inside the host namespace, as a runtime on that host
// would start it.
func startCNI(t *testing.T, w *world, stop, cmd, network, id, ns string) (*stopped, <-chan string) {
	t.Helper()
	exe, env := vlanrawExe(t)
	c := exec.Command(exe)
	c.Env = append(slices.Clone(env), "CNI_COMMAND="+cmd, "CNI_CONTAINERID="+id, "CNI_NETNS="+filepath.Join(netns.Dir, ns), "CNI_IFNAME=eth0")
	if stop != "" {
		c.Env = append(c.Env, testStopEnv+"="+stop)
	}
	c.Stdin = strings.NewReader(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"k","type":"vlanraw","network":%q,"stateDir":%q}`, network, w.state))
	host, err := netns.Open(w.host)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	return startCmdWith(t, c, func() error { return host.Do(c.Start) })
}

// TestCNISignal stops a CNI ADD at each step and sends it SIGTERM or
// SIGINT. A plugin catches no signal (runtimes stop plugins with SIGKILL;
// see package cni): it dies of the signal, as of SIGKILL, and the next
// command undoes what it did: no link, no record, and the namespace then
// connects with the address the stopped ADD had taken.
func TestCNISignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, step := range connectSteps {
			t.Run(signalName(sig)+"-"+step, func(t *testing.T) {
				w := macvlanWorld(t, "knet", "10.61.0.0/24")
				ns := newNetNS(t)
				s, stops := startCNI(t, w, step, "ADD", "knet", "pod1", ns)
				if _, ok := <-stops; !ok {
					t.Fatalf("the ADD exited %d without reaching %s: %s", s.wait(), step, s.stderr.String())
				}
				if code := s.signal(sig); code != exitSignal {
					t.Fatalf("%s at %s: exit %d, want death by the signal; stderr %q", signalName(sig), step, code, s.stderr.String())
				}
				leftBehind(t, w, step, []string{ns})
				if w.invariant(ns).allOrNone(t, "knet", []string{ns}) != 0 {
					t.Errorf("stopped at %s, the ADD was recorded", step)
				}
				if ip := w.connect("knet", ns); ip != "10.61.0.1" {
					t.Errorf("connect after the recovery got %s, want 10.61.0.1 (the address the stopped ADD had taken)", ip)
				}
				w.invariant(ns).stillConnected(t, "knet", ns)
			})
		}
	}
}
