package bgppeer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"text/template"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// FRR is a running FRR bgpd, without zebra (-Z): zebra insists on
// running as a member of the frrvty group, which the QEMU guest does not
// have, so the routes bgpd learns stay in its own table (show ip bgp),
// not the kernel's.
type FRR struct {
	tb  testing.TB
	dir string
}

// frrDir is where Debian's frr package keeps its daemons.
const frrDir = "/usr/lib/frr"

var bgpdConf = template.Must(template.New("bgpd.conf").Parse(`frr defaults traditional
hostname router
log file {{.Dir}}/bgpd.log
router bgp {{.ASN}}
 bgp router-id {{.RouterID}}
 no bgp ebgp-requires-policy
 no bgp network import-check
{{- range .Neighbors}}
 neighbor {{.Addr}} remote-as {{.ASN}}
 {{- if $.HoldTime}}
 neighbor {{.Addr}} timers 1 {{$.HoldTime}}{{end}}
 neighbor {{.Addr}} timers connect 2
 {{- if .Passive}}
 neighbor {{.Addr}} passive{{end}}
{{- end}}
 address-family ipv6 unicast
{{- range .Neighbors}}
  neighbor {{.Addr}} activate
{{- end}}
 exit-address-family
`))

// StartFRR starts zebra and bgpd in ns with cfg, their sockets, pid
// files, configuration and logs in a temporary directory; they are
// stopped when the test ends. Like StartBIRD, it skips the test on a
// host without FRR and fails it in the QEMU guest.
func StartFRR(tb testing.TB, ns *netns.NS, cfg Config) *FRR {
	tb.Helper()
	bgpd := need(tb, filepath.Join(frrDir, "bgpd"))
	dir, err := os.MkdirTemp("", "frr-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	f := &FRR{tb: tb, dir: dir}
	var conf bytes.Buffer
	if err := bgpdConf.Execute(&conf, struct {
		Config
		Dir string
	}{cfg, dir}); err != nil {
		tb.Fatal(err)
	}
	confPath := filepath.Join(dir, "bgpd.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bgpd, "-Z", "-n", "-S", "-P", "0", "--vty_socket", dir, "-f", confPath, "-i", filepath.Join(dir, "bgpd.pid"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := ns.Do(cmd.Start); err != nil {
		tb.Fatalf("start bgpd in %s: %v", ns, err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	tb.Cleanup(func() {
		if tb.Failed() {
			show, _ := f.vtysh("show bgp summary")
			log, _ := os.ReadFile(filepath.Join(dir, "bgpd.log"))
			tb.Logf("bgpd's output:\n%s\nbgpd.log:\n%s\nbgpd.conf:\n%s\nshow bgp summary:\n%s", out.String(), log, conf.String(), show)
		}
	})
	waitFor(tb, "bgpd's vty socket", func() (bool, string) {
		_, err := f.vtysh("show bgp summary")
		return err == nil, fmt.Sprint(err)
	})
	return f
}

// vtysh runs one command on bgpd's vty socket, as vtysh does: the
// command and a NUL byte go out, the output comes back followed by three
// NUL bytes and the command's status (0 for success). vtysh itself does
// not run in the QEMU guest: it insists on PAM and a passwd entry.
func (f *FRR) vtysh(command string) ([]byte, error) {
	c, err := net.DialTimeout("unix", filepath.Join(f.dir, "bgpd.vty"), 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("bgpd's vty: %w", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(append([]byte(command), 0)); err != nil {
		return nil, fmt.Errorf("bgpd's vty: %q: %w", command, err)
	}
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if l := len(out); l >= 4 && out[l-4] == 0 && out[l-3] == 0 && out[l-2] == 0 {
			if status := out[l-1]; status != 0 {
				return nil, fmt.Errorf("bgpd's vty: %q: status %d: %s", command, status, out[:l-4])
			}
			return out[:l-4], nil
		}
		if err != nil {
			return nil, fmt.Errorf("bgpd's vty: %q: %w after %q", command, err, out)
		}
	}
}

// Routes returns bgpd's best routes, IPv4 and IPv6, as prefix -> next
// hop, read from "show ip bgp json" and "show bgp ipv6 unicast json" (what
// vtysh -c 'show ip bgp' prints, as JSON).
func (f *FRR) Routes() (map[netip.Prefix]netip.Addr, error) {
	routes := map[netip.Prefix]netip.Addr{}
	for _, c := range []string{"show ip bgp json", "show bgp ipv6 unicast json"} {
		out, err := f.vtysh(c)
		if err != nil {
			return nil, err
		}
		var table struct {
			Routes map[string][]struct {
				Valid    bool `json:"valid"`
				Bestpath bool `json:"bestpath"`
				Nexthops []struct {
					IP string `json:"ip"`
				} `json:"nexthops"`
			} `json:"routes"`
		}
		if err := json.Unmarshal(out, &table); err != nil {
			return nil, fmt.Errorf("vtysh -c %q: %v: %s", c, err, out)
		}
		for p, paths := range table.Routes {
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("vtysh -c %q: prefix %q: %v", c, p, err)
			}
			for _, path := range paths {
				if !path.Valid || !path.Bestpath || len(path.Nexthops) == 0 {
					continue
				}
				if a, err := netip.ParseAddr(path.Nexthops[0].IP); err == nil {
					routes[pfx] = a
				}
			}
		}
	}
	return routes, nil
}

// WaitRoutes waits until bgpd's best routes are exactly want, polling
// vtysh until Deadline, and returns how long that took.
func (f *FRR) WaitRoutes(want map[netip.Prefix]netip.Addr) time.Duration {
	f.tb.Helper()
	return waitRoutes(f.tb, "FRR", f.Routes, want)
}
