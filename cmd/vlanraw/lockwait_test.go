package main

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestDriftLockHolderStopped stops (SIGSTOP) a connect that holds the
// state lock, and checks that another command says, after about a second,
// which process holds the lock (its pid and command), then gives up after
// --wait with exit 1; once the holder is killed, the next command
// recovers its work.
func TestDriftLockHolderStopped(t *testing.T) {
	w := macvlanWorld(t, "snet", "10.73.0.0/24")
	ns := newNetNS(t)
	holder := stopAt(t, w, "created", "connect", "snet", ns)
	if err := holder.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waiter, _ := startVR(t, w, "", "--wait", "2s", "network", "ls")
	code := waiter.wait()
	stderr := waiter.stderr.String()
	pid := strconv.Itoa(holder.cmd.Process.Pid)
	if code != exitRuntime {
		t.Errorf("network ls behind a stopped holder: exit %d, want %d", code, exitRuntime)
	}
	for _, want := range []string{
		"vlanraw: waiting for the state lock, held by pid " + pid + " (",
		"connect snet " + ns,
		"giving up after 2s (--wait)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if strings.Count(stderr, "waiting for the state lock") != 1 {
		t.Errorf("stderr %q: want the holder reported once", stderr)
	}
	if code := holder.signal(syscall.SIGKILL); code != exitSignal {
		t.Fatalf("holder: exit %d after SIGKILL", code)
	}
	a := w.invariant(ns)
	if rec, linked := a.connected("snet", ns); rec || linked {
		t.Errorf("after the killed connect: recorded %v, link %v; want neither", rec, linked)
	}
}
