package runtime_test

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv/cniplugins"
	"github.com/vlanraw/vlanraw/testenv/nsstate"
	"github.com/vlanraw/vlanraw/testenv/runtime"
)

// TestPodman runs two containers from a local root file system on a
// macvlan conflist: the second pings the first; each has its address on
// a macvlan eth0 in its own namespace; podman rm leaves neither the
// namespaces, nor a reservation, nor vlanraw's record.
func TestPodman(t *testing.T) {
	host := newHost(t)
	plugins := cniplugins.UnderTest(t)
	tool := cniplugins.NewTool(t, plugins) // only for its configuration directory
	dataDir, stateDir := t.TempDir(), t.TempDir()
	const network = "vrpodman"
	tool.WriteConf(t, conflist(network, "10.88.7.0/24", dataDir, stateDir))
	pm := runtime.NewPodman(t, host, plugins, tool.ConfDir)
	rootfs := runtime.Rootfs(t)

	if _, err := pm.Run("run", "-d", "--name", "a", "--network", network, "--rootfs", rootfs, "sleep", "600"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pm.Run("rm", "-f", "-t", "0", "a", "b") })
	aIP := inspect(t, pm, "a", "{{.NetworkSettings.Networks."+network+".IPAddress}}")
	aNS := inspect(t, pm, "a", "{{.NetworkSettings.SandboxKey}}")
	checkEth0(t, aNS, aIP)

	if _, err := pm.Run("run", "-d", "--name", "b", "--network", network, "--rootfs", rootfs, "sleep", "600"); err != nil {
		t.Fatal(err)
	}
	bIP := inspect(t, pm, "b", "{{.NetworkSettings.Networks."+network+".IPAddress}}")
	bNS := inspect(t, pm, "b", "{{.NetworkSettings.SandboxKey}}")
	checkEth0(t, bNS, bIP)
	if aIP == bIP {
		t.Fatalf("both containers got %s", aIP)
	}
	if got := cniplugins.Reserved(t, dataDir, network); !slices.Equal(got, sorted(aIP, bIP)) {
		t.Errorf("host-local holds %v, want the containers' %s and %s", got, aIP, bIP)
	}
	checkRecorded(t, stateDir, inspect(t, pm, "a", "{{.Id}}"), inspect(t, pm, "b", "{{.Id}}"))
	if out, err := pm.Run("exec", "b", "ping", "-c", "1", "-W", "5", aIP); err != nil {
		t.Errorf("b cannot ping a: %v", err)
	} else if !strings.Contains(string(out), "1 packets received") {
		t.Errorf("b pinged a, but: %s", out)
	}

	if _, err := pm.Run("rm", "-f", "-t", "0", "a", "b"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{aNS, bNS} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the container namespace %s is still there after podman rm (%v)", p, err)
		}
	}
	if got := cniplugins.Reserved(t, dataDir, network); len(got) != 0 {
		t.Errorf("host-local still holds %v after podman rm", got)
	}
	checkRecorded(t, stateDir)
	checkNoMACVlan(t, host)
}

// inspect returns podman inspect's format of container.
func inspect(t *testing.T, pm *runtime.Podman, container, format string) string {
	t.Helper()
	out, err := pm.Run("inspect", "-f", format, container)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(string(out))
	if s == "" || s == "<no value>" {
		t.Fatalf("podman inspect -f %s %s printed nothing", format, container)
	}
	return s
}

// checkEth0 checks that the namespace at path has a macvlan eth0, up,
// with ip on it.
func checkEth0(t *testing.T, path, ip string) {
	t.Helper()
	ns, err := netns.OpenPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	st, err := nsstate.Read(ns)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Link("eth0")
	if l == nil {
		t.Fatalf("no eth0 in %s: %+v", path, st.Links)
	}
	a := netip.MustParseAddr(ip)
	if l.Kind != "macvlan" || l.Mode != "bridge" || !l.Up || !slices.ContainsFunc(l.Addrs, func(x nsstate.Addr) bool { return x.Prefix.Addr() == a }) {
		t.Errorf("eth0 in %s is %+v; want a macvlan in bridge mode, up, with %s", path, *l, ip)
	}
}

// sorted returns its arguments sorted.
func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
