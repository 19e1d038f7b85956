package bgppeer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"text/template"
	"time"

	"github.com/vlanraw/vlanraw/netns"
)

// FRR is a running FRR zebra and bgpd: bgpd's best routes (show ip bgp)
// go to zebra, which installs them in the namespace's kernel table.
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
// stopped when the test ends. bgpd hands the routes it learns to zebra
// over the zserv socket in that directory, and zebra installs them in
// ns's main table. Like StartBIRD, it skips the test on a host without
// FRR and fails it in the QEMU guest.
func StartFRR(tb testing.TB, ns *netns.NS, cfg Config) *FRR {
	tb.Helper()
	zebra := need(tb, filepath.Join(frrDir, "zebra"))
	bgpd := need(tb, filepath.Join(frrDir, "bgpd"))
	dir, err := os.MkdirTemp("", "frr-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	// zebra runs as FRR's user, frr (a member of the vty group, frrvty,
	// as zebra insists), and makes its sockets and log in dir.
	frr, err := user.Lookup("frr")
	if err != nil {
		tb.Fatalf("zebra runs as FRR's user: %v (the QEMU guest needs the host's /etc/passwd and /etc/group: see the Makefile)", err)
	}
	uid, _ := strconv.Atoi(frr.Uid)
	gid, _ := strconv.Atoi(frr.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		tb.Fatal(err)
	}
	f := &FRR{tb: tb, dir: dir}
	zserv := filepath.Join(dir, "zserv.api")

	zebraConf := fmt.Sprintf("hostname router\nlog file %s/zebra.log\n", dir)
	f.start(ns, "zebra", zebraConf, zebra, "-z", zserv)

	var conf bytes.Buffer
	if err := bgpdConf.Execute(&conf, struct {
		Config
		Dir string
	}{cfg, dir}); err != nil {
		tb.Fatal(err)
	}
	f.start(ns, "bgpd", conf.String(), bgpd, "-S", "-z", zserv)
	return f
}

// start writes conf to DIR/DAEMON.conf and starts daemon (bin, with args
// and FRR's common options: that configuration, pid file and vty socket
// in DIR, no vty TCP port) in ns, and waits until it answers on its vty
// socket. It is killed when the test ends, and its output, log,
// configuration and state shown if the test failed.
func (f *FRR) start(ns *netns.NS, daemon, conf, bin string, args ...string) {
	f.tb.Helper()
	confPath := filepath.Join(f.dir, daemon+".conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		f.tb.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, "-P", "0", "--vty_socket", f.dir, "-f", confPath, "-i", filepath.Join(f.dir, daemon+".pid"))...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := ns.Do(cmd.Start); err != nil {
		f.tb.Fatalf("start %s in %s: %v", daemon, ns, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	f.tb.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		exited <- nil
	})
	f.tb.Cleanup(func() {
		if f.tb.Failed() {
			show, _ := f.vty(daemon, "show "+map[string]string{"zebra": "ip route", "bgpd": "bgp summary"}[daemon])
			log, _ := os.ReadFile(filepath.Join(f.dir, daemon+".log"))
			f.tb.Logf("%s's output:\n%s\n%s.log:\n%s\n%s.conf:\n%s\n%s:\n%s", daemon, out.String(), daemon, log, daemon, conf, daemon, show)
		}
	})
	waitFor(f.tb, daemon+"'s vty socket", func() (bool, string) {
		select {
		case err := <-exited:
			exited <- err
			f.tb.Fatalf("%s exited: %v: %s", daemon, err, out.String())
		default:
		}
		_, err := f.vty(daemon, "show version")
		return err == nil, fmt.Sprint(err)
	})
}

// vtysh runs one command on bgpd's vty socket.
func (f *FRR) vtysh(command string) ([]byte, error) { return f.vty("bgpd", command) }

// vty runs one command on daemon's vty socket, as vtysh does: the
// command and a NUL byte go out, the output comes back followed by three
// NUL bytes and the command's status (0 for success). vtysh itself does
// not run in the QEMU guest: it insists on PAM and a passwd entry.
func (f *FRR) vty(daemon, command string) ([]byte, error) {
	c, err := net.DialTimeout("unix", filepath.Join(f.dir, daemon+".vty"), 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%s's vty: %w", daemon, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(append([]byte(command), 0)); err != nil {
		return nil, fmt.Errorf("%s's vty: %q: %w", daemon, command, err)
	}
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if l := len(out); l >= 4 && out[l-4] == 0 && out[l-3] == 0 && out[l-2] == 0 {
			if status := out[l-1]; status != 0 {
				return nil, fmt.Errorf("%s's vty: %q: status %d: %s", daemon, command, status, out[:l-4])
			}
			return out[:l-4], nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s's vty: %q: %w after %q", daemon, command, err, out)
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
