package vm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAbiNumber(t *testing.T) {
	for _, tt := range []struct {
		series, pkg string
		want        int
	}{
		{"6.1", "linux-image-6.1.0-56-cloud-amd64-unsigned", 56},
		{"6.1", "linux-image-6.1.0-9-cloud-amd64-unsigned", 9},
		{"6.1", "linux-image-6.1.0-56-cloud-amd64", -1},
		{"6.1", "linux-image-6.1.0-56-amd64-unsigned", -1},
		{"6.1", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", -1},
		{"6.12", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", 117},
		{"6.12", "linux-image-6.12.9+deb12-cloud-amd64-unsigned", 9},
		{"6.12", "linux-image-6.12.117+deb13-cloud-amd64-unsigned", -1},
		{"6.12", "linux-image-6.12.117+deb12-cloud-amd64-dbg", -1},
	} {
		if got := abiNumber(tt.series, tt.pkg); got != tt.want {
			t.Errorf("abiNumber(%q, %q) = %d, want %d", tt.series, tt.pkg, got, tt.want)
		}
	}
}

func TestCandidateVersion(t *testing.T) {
	for _, tt := range []struct {
		policy, want string
	}{
		{"linux-image-6.1.0-56-cloud-amd64-unsigned:\n  Installed: (none)\n  Candidate: 6.1.192-2\n  Version table:\n     6.1.192-2 500\n", "6.1.192-2"},
		{"x:\n  Installed: (none)\n  Candidate: 6.12.117-1~deb12u1\n", "6.12.117-1~deb12u1"},
		{"x:\n  Installed: (none)\n  Candidate: (none)\n", ""},
		{"", ""},
	} {
		if got := candidateVersion([]byte(tt.policy)); got != tt.want {
			t.Errorf("candidateVersion(%q) = %q, want %q", tt.policy, got, tt.want)
		}
	}
}

func TestDescribeUnpacked(t *testing.T) {
	root := t.TempDir()
	const rel = "6.12.117+deb12-cloud-amd64"
	for _, p := range []string{"boot/vmlinuz-" + rel, "boot/config-" + rel, "lib/modules/" + rel + "/modules.order"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte("x"), 0o644)
	}
	k, err := describeUnpacked(root)
	if err != nil {
		t.Fatal(err)
	}
	want := &Kernel{Release: rel, Vmlinuz: "boot/vmlinuz-" + rel, Modules: "lib/modules/" + rel, Config: "boot/config-" + rel}
	if diff := cmp.Diff(want, k, cmpopts.IgnoreUnexported(Kernel{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// The same tree, given by path.
	k, err = ResolveKernel(filepath.Join(root, "boot/vmlinuz-"+rel), "")
	if err != nil {
		t.Fatal(err)
	}
	want = &Kernel{Release: rel, Vmlinuz: filepath.Join(root, "boot/vmlinuz-"+rel), Modules: filepath.Join(root, "lib/modules", rel), Config: filepath.Join(root, "boot/config-"+rel)}
	if diff := cmp.Diff(want, k, cmpopts.IgnoreUnexported(Kernel{})); diff != "" {
		t.Errorf("by path (-want +got):\n%s", diff)
	}

	if _, err := ResolveKernel("5.10", ""); err == nil || !strings.Contains(err.Error(), "neither a series") {
		t.Errorf("unknown series: %v", err)
	}
}

func TestConfigEnabled(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfg, []byte("#\n# comment\nCONFIG_MODULE_DECOMPRESS=y\n# CONFIG_FOO is not set\nCONFIG_BAR=m\n"), 0o644)
	for _, tt := range []struct {
		option string
		want   bool
	}{
		{"CONFIG_MODULE_DECOMPRESS", true},
		{"CONFIG_FOO", false},
		{"CONFIG_BAR", false},
		{"CONFIG_MODULE", false},
	} {
		if got := configEnabled(cfg, tt.option); got != tt.want {
			t.Errorf("configEnabled(%s) = %v, want %v", tt.option, got, tt.want)
		}
	}
	if configEnabled("", "CONFIG_X") {
		t.Error("no config file enables options")
	}
}

func TestQemuArgs(t *testing.T) {
	args := strings.Join(qemuArgs(Machine{Memory: "1G", CPUs: 2}, "/k", "/i", 3, 4), " ")
	for _, want := range []string{
		"-accel tcg -cpu qemu64,-cx16", "-m 1G", "-smp 2", "-no-reboot", "-nographic",
		"-kernel /k", "-initrd /i", "-serial file:/dev/fd/3 -serial file:/dev/fd/4",
		"console=ttyS0 panic=-1",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("qemu args %q lack %q", args, want)
		}
	}
	kvm := strings.Join(qemuArgs(Machine{Memory: "1G", KVM: true, Append: "foo=1"}, "/k", "/i", 3, 4), " ")
	if !strings.Contains(kvm, "-accel kvm") || strings.Contains(kvm, "tcg") || !strings.Contains(kvm, "quiet foo=1") {
		t.Errorf("KVM args %q", kvm)
	}
}
