package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestScenarioBadSubnets: every subnet Docker would refuse, or whose
// addresses no interface can use, and a subnet overlapping another
// network's, is refused with exit status 2 and a message, before anything
// is made: the state directory, the links and `network ls` stay as they
// were.
func TestScenarioBadSubnets(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("q0")
	w.vr("network create -d macvlan --subnet 10.70.0.0/24 --subnet fd70::/64 -o parent=q0 m1")
	ls := w.vr("network ls")
	const overlap = "invalid pool request: Pool overlaps with other one on this address space"
	var fails []failure
	for _, tc := range []struct{ subnet, want string }{
		{"224.0.0.0/24", "invalid subnet 224.0.0.0/24: it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"239.1.0.0/16", "it is a multicast range"},
		{"ff02::/16", "invalid subnet ff02::/16: it is a multicast range"},
		{"127.0.0.0/8", "invalid subnet 127.0.0.0/8: it is a loopback range"},
		{"127.1.0.0/24", "it is a loopback range"},
		{"::1/128", "invalid subnet ::1/128: it is the loopback address"},
		{"0.0.0.0/0", "invalid subnet 0.0.0.0/0: it is the default route"},
		{"::/0", "invalid subnet ::/0: it is the default route"},
		{"0.0.0.0/8", "invalid subnet 0.0.0.0/8: it holds the unspecified address 0.0.0.0"},
		{"::/96", "invalid subnet ::/96: it holds the unspecified address ::"},
		{"fe80::/10", "invalid subnet fe80::/10: it is an IPv6 link-local range"},
		{"fe80::/64", "invalid subnet fe80::/64: it is an IPv6 link-local range"},
		{"::ffff:0:0/96", "invalid subnet ::ffff:0:0/96: it is an IPv4-mapped IPv6 subnet"},
		{"::ffff:10.1.0.0/112", "invalid subnet ::ffff:10.1.0.0/112: it is an IPv4-mapped IPv6 subnet"},
		{"10.70.0.0/24", overlap + ": subnet 10.70.0.0/24 overlaps subnet 10.70.0.0/24 of network m1"},
		{"10.0.0.0/8", overlap + ": subnet 10.0.0.0/8 overlaps subnet 10.70.0.0/24 of network m1"},
		{"10.70.0.64/26", overlap},
		{"fd70::/16", overlap + ": subnet fd70::/16 overlaps subnet fd70::/64 of network m1"},
	} {
		// With a parent, and without one (a dummy parent is never made),
		// alone or after a good subnet.
		fails = append(fails,
			failure{exitUsage, tc.want, "network create -d macvlan --subnet " + tc.subnet + " -o parent=q0 m2"},
			failure{exitUsage, tc.want, "network create -d ipvlan --subnet " + tc.subnet + " m2"})
		if !strings.HasPrefix(tc.subnet, "0.") && !strings.HasPrefix(tc.subnet, "10.") {
			fails = append(fails, failure{exitUsage, tc.want, "network create -d ipvlan --subnet 172.30.1.0/24 --subnet " + tc.subnet + " m2"})
		}
	}
	fails = append(fails,
		failure{exitUsage, "multiple overlapping subnet configuration is not supported",
			"network create -d macvlan --subnet 10.72.0.0/16 --subnet 10.72.1.0/24 -o parent=q0 m2"},
		failure{exitUsage, "every ip-range or gateway must have a corresponding subnet: 1 subnet, 2 gateways and 0 ip-ranges given; give a --subnet that contains each",
			"network create -d macvlan --subnet 10.72.0.0/24 --gateway 10.72.0.1 --gateway 10.73.0.1 -o parent=q0 m2"},
		failure{exitUsage, "every ip-range or gateway must have a corresponding subnet: 0 subnets, 1 gateway and 0 ip-ranges given",
			"network create -d macvlan --gateway 10.72.0.1 -o parent=q0 m2"},
		failure{exitUsage, "parent eth9 does not exist: create it first, give an existing link as -o parent, or omit -o parent for a dummy parent",
			"network create -d macvlan --subnet 10.72.0.0/24 -o parent=eth9 m2"},
		failure{exitUsage, "-o parent interface was not found on the host: eth9", // Docker's, for NAME.VID
			"network create -d macvlan --subnet 10.72.0.0/24 -o parent=eth9.10 m2"},
	)
	w.check(fails, w.host)
	if got := w.vr("network ls"); got != ls {
		t.Errorf("network ls after the refusals:\n%s\nwant:\n%s", got, ls)
	}
}

// TestScenarioConnectRefusals: addresses never handed out, a MAC in use,
// a namespace named twice and paths that are no network namespace are
// refused with a message naming them, and change nothing.
func TestScenarioConnectRefusals(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("q0")
	w.vr("network create -d macvlan --subnet 10.70.0.0/24 --subnet fd70::/64 --ip-range 10.70.0.0/30 -o parent=q0 m1")
	a, _ := w.endpoint()
	b, _ := w.endpoint()
	const mac = "02:42:ac:11:00:02"
	// The first allocation skips the network address, first in the /30
	// range.
	if ip := w.connect("m1", a, "--mac", mac); ip != "10.70.0.1" {
		t.Errorf("allocated %s, want 10.70.0.1", ip)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w.check([]failure{
		{exitRuntime, "address 10.70.0.0 is reserved as the network address of 10.70.0.0/24", "connect --ip 10.70.0.0 m1 " + b},
		{exitRuntime, "address 10.70.0.255 is reserved as the broadcast address of 10.70.0.0/24", "connect --ip 10.70.0.255 m1 " + b},
		{exitRuntime, "address fd70:: is reserved as the subnet-router anycast address of fd70::/64", "connect --ip6 fd70:: m1 " + b},
		{exitRuntime, "MAC address " + mac + " is already in use by the endpoint of " + a + " on network m1", "connect --mac " + mac + " m1 " + b},
		{exitRuntime, "MAC address " + mac + " is already in use by the endpoint of " + a + " on network m1", "connect --mac 02:42:AC:11:00:02 m1 " + b},
		{exitUsage, "network namespace " + b + " is named twice", "connect m1 " + b + " " + b},
		{exitUsage, "network namespace " + b + " is named twice", "connect m1 " + a + " " + b + " " + b},
		{exitRuntime, plain + " is not a network namespace (nothing is mounted there)", "connect m1 " + plain},
		{exitUsage, "/proc/self/ns/mnt is not a network namespace (it is a mount namespace)", "connect m1 /proc/self/ns/mnt"},
	}, w.host, a, b)
	if ip := w.connect("m1", b); ip != "10.70.0.2" {
		t.Errorf("allocated %s, want 10.70.0.2", ip)
	}
}

// dropCapsArg, as the first argument, makes the test binary drop
// CAP_SYS_ADMIN and CAP_SYS_PTRACE from its bounding set and exec itself
// as vlanraw with the other arguments: root without the capabilities to
// enter other namespaces.
const dropCapsArg = "-vlanraw-test-drop-caps"

// sleepArg, as the first argument, makes the test binary wait until it is
// killed: a process whose namespace a less privileged vlanraw may not
// open.
const sleepArg = "-vlanraw-test-sleep"

// dropCapsAndRunMain drops the capabilities (see dropCapsArg) on this
// thread, then execs the test binary as vlanraw with args.
func dropCapsAndRunMain(args []string) {
	runtime.LockOSThread()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "drop capabilities:", err)
		os.Exit(99)
	}
	for _, c := range []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_SYS_PTRACE} {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil {
			fail(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	fail(syscall.Exec(exe, append([]string{exe}, args...), append(os.Environ(), beMainEnv+"=1")))
}

// TestScenarioPermissionDenied runs vlanraw as root without CAP_SYS_ADMIN
// and CAP_SYS_PTRACE, inside the host namespace of a world: connecting a
// namespace it may not enter, or a process's it may not open, fails
// naming the namespace and the errno, with a hint at the missing
// capability and not at running as root; nothing changes.
func TestScenarioPermissionDenied(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	w := newWorld(t)
	w.uplink("q0")
	w.vr("network create -d macvlan --subnet 10.70.0.0/24 -o parent=q0 m1")
	a, _ := w.endpoint()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sleeper := exec.Command(self, sleepArg)
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	pid := strconv.Itoa(sleeper.Process.Pid)
	vlanraw := vlanrawBinary(t)
	for _, tc := range []struct {
		target string
		want   []string
	}{
		{a, []string{"cannot enter network namespace " + a + " (/run/netns/" + a + ")", "operation not permitted (EPERM)",
			"vlanraw: vlanraw has CAP_NET_ADMIN but not CAP_SYS_ADMIN"}},
		{pid, []string{"network namespace " + pid + ": /proc/" + pid + "/ns/net: permission denied (EACCES)",
			"vlanraw: vlanraw has CAP_NET_ADMIN but not CAP_SYS_ADMIN", "nor CAP_SYS_PTRACE"}},
	} {
		before := w.snap(w.host, a)
		var stdout, stderr bytes.Buffer
		cmd := vlanraw("netns", "exec", w.host, self, dropCapsArg, "--state-dir", w.state, "connect", "m1", tc.target)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitRuntime {
			t.Errorf("connect m1 %s without CAP_SYS_ADMIN: %v, stderr %q; want exit %d", tc.target, err, stderr.String(), exitRuntime)
		}
		t.Logf("connect m1 %s: %s", tc.target, strings.TrimSpace(stderr.String()))
		for _, want := range tc.want {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("connect m1 %s: stderr %q does not say %q", tc.target, stderr.String(), want)
			}
		}
		if strings.Contains(stderr.String(), "run vlanraw as root") {
			t.Errorf("connect m1 %s: stderr %q tells root to run as root", tc.target, stderr.String())
		}
		w.unchanged("connect m1 "+tc.target+" without CAP_SYS_ADMIN", before)
	}
}
