// Package guest is run by the vm package's live tests inside a virtual
// machine. Environment variables set by those tests steer it.
package guest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func inVM(t *testing.T) {
	t.Helper()
	if os.Getenv("VLANRAW_TESTENV") != "vm" {
		t.Skip("runs only inside vmtest")
	}
}

func TestGuestEnvironment(t *testing.T) {
	inVM(t)
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	release := unix.ByteSliceToString(uts.Release[:])
	t.Logf("kernel %s, kinds %s", release, os.Getenv("VLANRAW_TESTENV_KINDS"))
	if got := os.Getenv("VLANRAW_TESTENV_KERNEL"); got != release {
		t.Errorf("VLANRAW_TESTENV_KERNEL = %q, uname says %q", got, release)
	}
	if want := os.Getenv("VLANRAW_VMTEST_WANT_KINDS"); want != "" {
		if got := os.Getenv("VLANRAW_TESTENV_KINDS"); got != want {
			t.Errorf("VLANRAW_TESTENV_KINDS = %q, want %q", got, want)
		}
	}
	if want := os.Getenv("VLANRAW_VMTEST_WANT_DIR"); want != "" {
		if wd, err := os.Getwd(); err != nil || wd != want {
			t.Errorf("working directory %q (%v), want %q", wd, err, want)
		}
	}
	if extra := os.Getenv("VLANRAW_VMTEST_WANT_FILE"); extra != "" {
		if data, err := os.ReadFile(extra); err != nil || string(data) != "extra\n" {
			t.Errorf("extra file %s: %q, %v", extra, data, err)
		}
	}
	data, err := os.ReadFile("testdata/hello.txt")
	if err != nil || string(data) != "hello from the host\n" {
		t.Errorf("testdata/hello.txt: %q, %v", data, err)
	}
	for _, fs := range []string{"/proc", "/sys", "/dev", "/sys/fs/bpf", "/run", "/tmp"} {
		var st unix.Statfs_t
		if err := unix.Statfs(fs, &st); err != nil {
			t.Errorf("statfs %s: %v", fs, err)
		}
	}
}

func TestGuestLinks(t *testing.T) {
	inVM(t)
	kinds := os.Getenv("VLANRAW_TESTENV_KINDS")
	for _, c := range []struct{ kind, args string }{
		{"dummy", "link add vt0 type dummy"},
		{"dummy", "link add vt6 type dummy"},
		{"vlan", "link add link vt0 name vt0.7 type vlan id 7"},
		{"ipvlan", "link add link vt0 name vt1 type ipvlan mode l3s"},
		{"macvlan", "link add link vt6 name vt2 type macvlan mode bridge"},
		{"veth", "link add vt3 type veth peer name vt4"},
		{"bridge", "link add vt5 type bridge"},
	} {
		if !strings.Contains(","+kinds+",", ","+c.kind+",") {
			t.Logf("%s: not available", c.kind)
			continue
		}
		out, err := exec.Command("ip", strings.Fields(c.args)...).CombinedOutput()
		if err != nil {
			t.Errorf("ip %s: %v: %s", c.args, err, out)
		}
	}
	out, err := exec.Command("ip", "-br", "link").CombinedOutput()
	if err != nil {
		t.Errorf("ip -br link: %v: %s", err, out)
	}
	t.Logf("links:\n%s", out)
	if !strings.Contains(string(out), "lo ") || !strings.Contains(string(out), "UNKNOWN") {
		t.Errorf("lo is not up")
	}
}

func TestMaybeFail(t *testing.T) {
	inVM(t)
	if os.Getenv("VLANRAW_VMTEST_FAIL") == "1" {
		t.Fatal("failing on purpose (VLANRAW_VMTEST_FAIL=1)")
	}
}

func TestMaybeCrash(t *testing.T) {
	inVM(t)
	if os.Getenv("VLANRAW_VMTEST_CRASH") != "1" {
		return
	}
	t.Log("crashing the kernel on purpose (VLANRAW_VMTEST_CRASH=1)")
	if err := os.WriteFile("/proc/sysrq-trigger", []byte("c"), 0); err != nil {
		t.Fatal(err)
	}
	t.Fatal("still alive after sysrq c")
}
