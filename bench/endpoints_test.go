package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// endpointBench is a "host" namespace holding the parent p0 (a veth whose
// peer p1 stays there too), a vlanraw network on it, and target
// namespaces for the endpoints.
type endpointBench struct {
	host     *rtnl.NetNS
	hostName string
	m        *modes.Manager
	stateDir string
}

func newEndpointBench(b *testing.B, subnet string) *endpointBench {
	host, hostName := testenv.NewNetNS(b)
	h, err := links.Open(host)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}}); err != nil {
		b.Fatal(err)
	}
	stateDir := b.TempDir()
	m, err := modes.NewManagerIn(stateDir, hostName)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	_, err = m.CreateNetwork(modes.NetworkSpec{
		Name: "net", Driver: modes.MACVlan,
		Subnets: []modes.SubnetSpec{{Subnet: subnet}},
		Options: map[string]string{"parent": "p0", "macvlan_mode": "bridge"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return &endpointBench{host: host, hostName: hostName, m: m, stateDir: stateDir}
}

// bareLink creates a bridge-mode macvlan eth0 on p0 directly in target.
func (e *endpointBench) bareLink(target *rtnl.NetNS) error {
	h, err := links.Open(e.host)
	if err != nil {
		return err
	}
	defer h.Close()
	mode := rtnl.MACVlanModeBridge
	return h.Create(&links.MACVlan{Attrs: links.Attrs{Name: "eth0", NetNS: target, Up: true}, Parent: "p0", Mode: &mode})
}

// buildVlanraw builds the static vlanraw binary for the CLI runs.
func buildVlanraw(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "vlanraw")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "github.com/vlanraw/vlanraw/cmd/vlanraw")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build vlanraw: %v\n%s", err, out)
	}
	return bin
}

// percentile returns the p-th percentile (0..100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkEndpoint connects one macvlan endpoint into an existing
// namespace and disconnects it, alternating vlanraw in-process with the
// CNI macvlan plugin and host-local IPAM driven by cnitool (started from
// a thread inside the host namespace, so it pays no `ip netns exec`), and
// with a bare link delete as the floor for DEL. It reports p50 and p99
// per operation and the ratios.
func BenchmarkEndpoint(b *testing.B) {
	e := newEndpointBench(b, "10.10.0.0/16")
	cni := newCNIPeer(b, "macvlan", "p0", "10.20.0.0/16")
	target, targetName := testenv.NewNetNS(b)
	cli := buildVlanraw(b)
	vlanraw := func(args ...string) time.Duration {
		args = append([]string{"--state-dir", e.stateDir, "-n", e.hostName}, args...)
		start := time.Now()
		if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
			b.Fatalf("vlanraw %v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	var vrAdd, vrDel, cliAdd, cliDel, cniAdd, cniDel, bareDel, floor []time.Duration
	for b.Loop() {
		// The floor for any CLI: starting the same binary to print its
		// help and exit.
		start := time.Now()
		if out, err := exec.Command(cli, "help").CombinedOutput(); err != nil {
			b.Fatalf("vlanraw help: %v\n%s", err, out)
		}
		floor = append(floor, time.Since(start))

		cliAdd = append(cliAdd, vlanraw("connect", "net", targetName))
		cliDel = append(cliDel, vlanraw("disconnect", "net", targetName))

		start = time.Now()
		if _, err := e.m.Connect(modes.ConnectSpec{Network: "net", NetNS: targetName}); err != nil {
			b.Fatal(err)
		}
		vrAdd = append(vrAdd, time.Since(start))
		start = time.Now()
		if err := e.m.Disconnect("net", targetName); err != nil {
			b.Fatal(err)
		}
		vrDel = append(vrDel, time.Since(start))

		// The floor for a delete: one RTM_DELLINK of the same kind of link.
		if err := e.bareLink(target); err != nil {
			b.Fatal(err)
		}
		th, err := links.Open(target)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if err := th.Delete("eth0"); err != nil {
			b.Fatal(err)
		}
		bareDel = append(bareDel, time.Since(start))
		th.Close()

		var add, del time.Duration
		if err := e.host.Do(func() error {
			add = cni.run(b, "add", target.Path())
			del = cni.run(b, "del", target.Path())
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		cniAdd, cniDel = append(cniAdd, add), append(cniDel, del)
	}
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{{"vlanraw-add", vrAdd}, {"vlanraw-del", vrDel}, {"cli-add", cliAdd}, {"cli-del", cliDel},
		{"cni-add", cniAdd}, {"cni-del", cniDel}, {"bare-del", bareDel}, {"cli-exec-floor", floor}} {
		b.ReportMetric(ms(percentile(r.ds, 50)), r.name+"-p50-ms")
		b.ReportMetric(ms(percentile(r.ds, 99)), r.name+"-p99-ms")
	}
	b.ReportMetric(ms(percentile(cniAdd, 50))/ms(percentile(vrAdd, 50)), "inproc-add-ratio-vs-cni")
	b.ReportMetric(ms(percentile(cniAdd, 50))/ms(percentile(cliAdd, 50)), "cli-add-ratio-vs-cni")
	b.ReportMetric(ms(percentile(cniAdd, 50))/ms(percentile(floor, 50)), "cni-add-vs-exec-floor")
	b.ReportMetric(ms(percentile(vrDel, 50))/ms(percentile(bareDel, 50)), "inproc-del-vs-bare-del")
	b.ReportMetric(ms(percentile(cliDel, 50))/ms(percentile(bareDel, 50)), "cli-del-vs-bare-del")
}

// BenchmarkEndpointScale connects n endpoints, one per namespace, on one
// network with one ConnectAll (as `vlanraw connect NET NS1 NS2 ...`
// does), then tears them down with DisconnectAll and removes the network,
// and reports the time per endpoint for each phase; flat across n means
// no step is O(n) per endpoint. It also connects the same n one Connect
// at a time (as n `vlanraw connect` runs would, each a whole state
// update). Namespace creation is not timed.
func BenchmarkEndpointScale(b *testing.B) {
	sizes := []int{10, 100, 1000}
	if testing.Short() {
		sizes = []int{10}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var up, each, down time.Duration
			for b.Loop() {
				b.StopTimer()
				e := newEndpointBench(b, "10.128.0.0/9")
				specs := make([]modes.ConnectSpec, n)
				for i := range specs {
					_, name := testenv.NewNetNS(b)
					specs[i] = modes.ConnectSpec{Network: "net", NetNS: name}
				}
				b.StartTimer()
				start := time.Now()
				if _, err := e.m.ConnectAll(specs); err != nil {
					b.Fatal(err)
				}
				up += time.Since(start)
				start = time.Now()
				if err := e.m.DisconnectAll("net"); err != nil {
					b.Fatal(err)
				}
				down += time.Since(start)
				start = time.Now()
				for _, s := range specs {
					if _, err := e.m.Connect(s); err != nil {
						b.Fatal(err)
					}
				}
				each += time.Since(start)
				b.StopTimer()
				if err := e.m.DisconnectAll("net"); err != nil {
					b.Fatal(err)
				}
				start = time.Now()
				b.StartTimer()
				if err := e.m.RemoveNetwork("net"); err != nil {
					b.Fatal(err)
				}
				down += time.Since(start)
			}
			per := float64(n) * float64(b.N)
			b.ReportMetric(up.Seconds()*1e3/per, "connect-ms/endpoint")
			b.ReportMetric(down.Seconds()*1e3/per, "teardown-ms/endpoint")
			b.ReportMetric(each.Seconds()*1e3/per, "connect-each-ms/endpoint")
			b.ReportMetric(up.Seconds()/float64(b.N), "connect-s-total")
			b.ReportMetric(down.Seconds()/float64(b.N), "teardown-s-total")
		})
	}
}
