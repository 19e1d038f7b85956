package bgppeer

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// Neighbor is one BGP session of a router: the neighbour's address and
// AS.
type Neighbor struct {
	Addr netip.Addr
	ASN  uint32
	// Passive makes the router wait for the neighbour to connect.
	Passive bool
	// Disabled starts BIRD with the session down, until BIRD.Enable (for
	// a benchmark to time a whole table's transfer); FRR ignores it.
	Disabled bool
}

// Config is a router's BGP configuration.
type Config struct {
	// RouterID is the router's BGP identifier.
	RouterID netip.Addr
	// ASN is the router's AS.
	ASN uint32
	// HoldTime is the hold time the router offers, in seconds; 0 is
	// the daemon's default (BIRD's and FRR's: 240 and 180 s).
	HoldTime int
	// Neighbors are the sessions.
	Neighbors []Neighbor
	// Export sends the routes learnt from each neighbour to the others
	// (a top-of-rack router between hosts); without it the router
	// sends none.
	Export bool
}

// BIRD is a running BIRD 2 daemon.
type BIRD struct {
	tb   testing.TB
	dir  string
	sock string
	cmd  *exec.Cmd
}

var birdConf = template.Must(template.New("bird.conf").Parse(`router id {{.RouterID}};
log "{{.Log}}" all;
protocol device { scan time 10; }
protocol direct { ipv4; ipv6; }
protocol kernel { ipv4 { export where source = RTS_BGP; import none; }; merge paths; }
protocol kernel { ipv6 { export where source = RTS_BGP; import none; }; merge paths; }
{{range $i, $n := .Neighbors}}
protocol bgp peer{{$i}} {
	local as {{$.ASN}};
	neighbor {{$n.Addr}} as {{$n.ASN}};
	{{if $.HoldTime}}hold time {{$.HoldTime}};{{end}}
	{{if $n.Passive}}passive on;{{end}}
	{{if $n.Disabled}}disabled;{{end}}
	debug { states, events };
	start delay time 0;
	connect retry time 2;
	error wait time 1, 5;
	ipv4 { import all; export {{if $.Export}}where source = RTS_BGP{{else}}none{{end}}; {{if $.Export}}next hop keep;{{end}} };
	ipv6 { import all; export {{if $.Export}}where source = RTS_BGP{{else}}none{{end}}; {{if $.Export}}next hop keep;{{end}} };
}
{{end}}`))

// StartBIRD starts bird in ns with cfg; it is stopped when the test ends.
// It skips the test when bird is not installed outside the QEMU harness
// (testenv/deps.sh installs it), and fails it there.
func StartBIRD(tb testing.TB, ns *netns.NS, cfg Config) *BIRD {
	tb.Helper()
	bin := need(tb, "bird")
	need(tb, "birdc")
	dir, err := os.MkdirTemp("", "bird-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	b := &BIRD{tb: tb, dir: dir, sock: filepath.Join(dir, "bird.ctl")}
	var conf bytes.Buffer
	err = birdConf.Execute(&conf, struct {
		Config
		Log string
	}{cfg, filepath.Join(dir, "bird.log")})
	if err != nil {
		tb.Fatal(err)
	}
	confPath := filepath.Join(dir, "bird.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	b.cmd = exec.Command(bin, "-f", "-c", confPath, "-s", b.sock, "-P", filepath.Join(dir, "bird.pid"))
	var out bytes.Buffer
	b.cmd.Stdout, b.cmd.Stderr = &out, &out
	if err := ns.Do(b.cmd.Start); err != nil {
		tb.Fatalf("start bird in %s: %v", ns, err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			protos, _ := b.birdc("show protocols all")
			routes, _ := b.birdc("show route all")
			log, _ := os.ReadFile(filepath.Join(dir, "bird.log"))
			tb.Logf("bird's output:\n%s\nbird.log:\n%s\nbird.conf:\n%s\nbirdc show protocols all:\n%s\nbirdc show route all:\n%s",
				out.String(), log, conf.String(), protos, routes)
		}
		b.cmd.Process.Kill()
		b.cmd.Wait()
	})
	waitFor(tb, "bird's control socket", func() (bool, string) {
		_, err := b.birdc("show status")
		return err == nil, fmt.Sprint(err)
	})
	return b
}

// birdc runs one birdc command and returns its output.
func (b *BIRD) birdc(command string) (string, error) {
	out, err := exec.Command("birdc", append([]string{"-s", b.sock}, strings.Fields(command)...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("birdc %s: %v: %s", command, err, out)
	}
	return string(out), nil
}

// Birdc runs one birdc command and returns its output, failing the test
// on an error.
func (b *BIRD) Birdc(command string) string {
	b.tb.Helper()
	out, err := b.birdc(command)
	if err != nil {
		b.tb.Fatal(err)
	}
	return out
}

// Enable brings the session with the i-th neighbour of the Config up
// (birdc enable peerI).
func (b *BIRD) Enable(i int) {
	b.tb.Helper()
	b.Birdc(fmt.Sprintf("enable peer%d", i))
}

// Routes returns BIRD's best routes learnt by BGP, IPv4 and IPv6, as
// prefix -> next hop, read from "birdc show route protocol ...".
func (b *BIRD) Routes() (map[netip.Prefix]netip.Addr, error) {
	out, err := b.birdc("show route where source = RTS_BGP")
	if err != nil {
		return nil, err
	}
	return parseBIRDRoutes(out), nil
}

// parseBIRDRoutes reads "birdc show route": a line starting with a
// prefix, then an indented "via ADDR on DEV" line (or several, for
// more paths: the first is kept).
func parseBIRDRoutes(out string) map[netip.Prefix]netip.Addr {
	routes := map[netip.Prefix]netip.Addr{}
	var cur netip.Prefix
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if p, err := netip.ParsePrefix(f[0]); err == nil && !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			cur = p
			continue
		}
		if f[0] == "via" && len(f) > 1 && cur.IsValid() {
			if a, err := netip.ParseAddr(f[1]); err == nil {
				if _, ok := routes[cur]; !ok {
					routes[cur] = a
				}
			}
		}
	}
	return routes
}

// Established returns the neighbours whose sessions are established, read
// from "birdc show protocols all".
func (b *BIRD) Established() (map[netip.Addr]bool, error) {
	out, err := b.birdc("show protocols all")
	if err != nil {
		return nil, err
	}
	up := map[netip.Addr]bool{}
	var established bool
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && f[1] == "BGP":
			established = f[5] == "Established"
		case len(f) >= 3 && f[0] == "Neighbor" && f[1] == "address:":
			if a, err := netip.ParseAddr(f[2]); err == nil && established {
				up[a] = true
			}
		}
	}
	return up, nil
}

// WaitRoutes waits until BIRD's BGP routes are exactly want, polling
// birdc until Deadline, and returns how long that took.
func (b *BIRD) WaitRoutes(want map[netip.Prefix]netip.Addr) time.Duration {
	b.tb.Helper()
	return waitRoutes(b.tb, "BIRD", b.Routes, want)
}
