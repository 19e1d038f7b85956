package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/testenv"
)

// unitFile is the example systemd unit, from this package's directory.
const unitFile = "../../dist/systemd/vlanraw-restore.service"

// readUnit parses a systemd unit file into "Section.Key" to its values,
// in order.
func readUnit(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := map[string][]string{}
	section := ""
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: %q is neither a section nor a key=value", path, i+1, line)
			}
			k = section + "." + strings.TrimSpace(k)
			u[k] = append(u[k], strings.TrimSpace(v))
		}
	}
	return u
}

// bootCmd returns a command that runs vlanraw with args, its stdout in a
// buffer and its stderr on a pipe.
func bootCmd(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, io.Reader) {
	t.Helper()
	exe, env := vlanrawExe(t)
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	return cmd, &stdout, stderr
}

// exitStatus waits for cmd and returns its exit status.
func exitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// readUntil reads lines from r until one equals want, and returns those
// read before it. It fails the test when r ends first.
func readUntil(t *testing.T, r *bufio.Scanner, want string) []string {
	t.Helper()
	var before []string
	for r.Scan() {
		if r.Text() == want {
			return before
		}
		before = append(before, r.Text())
	}
	t.Fatalf("stderr ended (%v) without %q; it had %q", r.Err(), want, before)
	return nil
}

// restoredRefs returns the endpoints a restore -j report lists as
// restored, as "network/netns".
func restoredRefs(t *testing.T, out []byte) []string {
	t.Helper()
	var rep modes.RestoreReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("restore -j printed %q: %v", out, err)
	}
	var refs []string
	for _, r := range rep.Restored {
		refs = append(refs, r.Network+"/"+r.NetNS)
	}
	slices.Sort(refs)
	return refs
}

// TestScenarioBoot acts out a boot on the host's macvlan (and, where the
// kernel has 802.1Q, on a sub-interface vlanraw makes): a network with
// two endpoints loses every link, its parent p0 included; `vlanraw
// restore --wait-parent 30s` says it waits for p0, and once p0 is back
// it exits 0, the endpoints have their addresses again and reach each
// other. It exits because p0 came, not because 30 s passed: that would
// be exit 1.
func TestScenarioBoot(t *testing.T) {
	for _, tt := range []struct {
		name, parent string
		kinds        []string
	}{
		{"macvlan", "p0", []string{"macvlan"}},
		{"sub-interface", "p0.50", []string{"vlan", "macvlan"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range tt.kinds {
				testenv.RequireKind(t, k)
			}
			w := newWorld(t)
			w.uplink("p0")
			w.vr("network create -d macvlan --subnet 10.96.0.0/24 -o macvlan_mode=bridge -o parent=" + tt.parent + " boot")
			a, nsA := w.endpoint()
			b, nsB := w.endpoint()
			ipA, ipB := w.connect("boot", a), w.connect("boot", b)
			reaches(t, nsA, ipA, ipB)

			// A reboot loses the links; the namespaces stay here.
			vr(t, a, "link", "del", "eth0")
			vr(t, b, "link", "del", "eth0")
			vr(t, w.host, "link", "del", "p0") // and p0.50 with it
			if got := linkNames(t, w.host); !slices.Equal(got, []string{"lo "}) {
				t.Fatalf("host links after the \"reboot\": %q; want lo only", got)
			}

			cmd, stdout, stderr := bootCmd(t, w.args("restore", "-j", "--wait-parent", "30s")...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stderr)
			if before := readUntil(t, lines, "vlanraw: waiting for parent link p0 (network boot)"); len(before) != 0 {
				t.Errorf("stderr before the waiting line: %q", before)
			}
			w.uplink("p0")
			var after []string
			for lines.Scan() {
				after = append(after, lines.Text())
			}
			if code := exitStatus(t, cmd); code != exitOK || len(after) != 0 {
				t.Fatalf("restore --wait-parent: exit %d, then stderr %q; want exit 0 and nothing more", code, after)
			}
			want := []string{"boot/" + a, "boot/" + b}
			slices.Sort(want)
			if got := restoredRefs(t, stdout.Bytes()); !slices.Equal(got, want) {
				t.Errorf("restored %q, want %q", got, want)
			}
			for ns, ip := range map[string]string{a: ipA, b: ipB} {
				if out := vr(t, ns, "addr", "show", "dev", "eth0"); !strings.Contains(out, " "+ip+"/24 ") {
					t.Errorf("%s: eth0 lacks %s:\n%s", ns, ip, out)
				}
			}
			reaches(t, nsA, ipA, ipB)
			reaches(t, nsB, ipB, ipA)
		})
	}
}

// TestScenarioBootTimeout: the parent never comes; `vlanraw restore
// --wait-parent 1s` exits 1 naming it and its network, and keeps the
// endpoint's record.
func TestScenarioBootTimeout(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d macvlan --subnet 10.97.0.0/24 -o parent=p0 late")
	a, _ := w.endpoint()
	w.connect("late", a)
	vr(t, w.host, "link", "del", "p0")

	cmd, stdout, stderr := bootCmd(t, w.args("restore", "--wait-parent", "1s")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(stderr)
	if err != nil {
		t.Fatal(err)
	}
	code := exitStatus(t, cmd)
	want := "vlanraw: waiting for parent link p0 (network late)\n" +
		"vlanraw: gave up after 1s waiting for parent link p0 (network late)\n"
	if code != exitRuntime || !strings.HasPrefix(string(b), want) {
		t.Errorf("restore --wait-parent 1s: exit %d, stderr %q; want exit 1 and stderr starting %q", code, b, want)
	}
	if !strings.Contains(stdout.String(), "network late: FAILED:") {
		t.Errorf("restore --wait-parent 1s: stdout %q; want the report with network late failed", stdout)
	}
	if out := w.vr("network inspect late"); !strings.Contains(out, a) {
		t.Errorf("the endpoint's record is gone after the timeout:\n%s", out)
	}
}

// TestSystemdUnit checks dist/systemd/vlanraw-restore.service: a oneshot
// that stays active, enabled into multi-user.target, that systemd-analyze
// (where there is one) finds nothing wrong with; and its ExecStart, with
// a vlanraw built now in place of /usr/local/bin/vlanraw, run in a
// host namespace with a state directory, restores a network whose
// parent is there and exits 0.
func TestSystemdUnit(t *testing.T) {
	if _, err := os.Stat(unitFile); errors.Is(err, os.ErrNotExist) && os.Getenv("VLANRAW_TESTENV") == "vm" {
		t.Skip("the QEMU guest has this package's testdata only, not dist/: the unit is tested on the host")
	}
	u := readUnit(t, unitFile)
	for key, want := range map[string]string{
		"Service.Type":            "oneshot",
		"Service.RemainAfterExit": "yes",
	} {
		if got := u[key]; !slices.Equal(got, []string{want}) {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	if wb := strings.Fields(strings.Join(u["Install.WantedBy"], " ")); !slices.Contains(wb, "multi-user.target") {
		t.Errorf("Install.WantedBy %q lacks multi-user.target", wb)
	}
	if len(u["Service.ExecStart"]) != 1 {
		t.Fatalf("ExecStart: %q; want one command", u["Service.ExecStart"])
	}
	argv := strings.Fields(u["Service.ExecStart"][0])
	if len(argv) < 2 || argv[0] != "/usr/local/bin/vlanraw" || argv[1] != "restore" {
		t.Fatalf("ExecStart %q: want /usr/local/bin/vlanraw restore ...", argv)
	}
	exe, env := vlanrawExe(t)
	argv[0] = exe

	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		b, err := os.ReadFile(unitFile)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), filepath.Base(unitFile))
		if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte("/usr/local/bin/vlanraw"), []byte(exe)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", path).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte(filepath.Base(path))) {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	} else {
		t.Logf("no systemd-analyze: the unit is not verified by systemd")
	}

	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d macvlan --subnet 10.98.0.0/24 -o parent=p0 net")
	a, nsA := w.endpoint()
	b, _ := w.endpoint()
	ipA, ipB := w.connect("net", a), w.connect("net", b)
	vr(t, b, "link", "del", "eth0")

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(env, "VLANRAW_STATE_DIR="+w.state)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The unit runs in the host's namespace: this one is the world's.
	if err := openNS(t, w.host).Do(cmd.Start); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(t, cmd); code != exitOK || stderr.Len() != 0 {
		t.Fatalf("%s: exit %d, stderr %q; want exit 0 and nothing on stderr", strings.Join(argv, " "), code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "network net, namespace "+b+" (eth0): restored") ||
		!strings.Contains(out, "network net, namespace "+a+" (eth0): present") {
		t.Errorf("%s printed %q; want %s restored and %s present", strings.Join(argv, " "), out, b, a)
	}
	reaches(t, nsA, ipA, ipB)
}
