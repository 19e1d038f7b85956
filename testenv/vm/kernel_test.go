package vm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSeriesRank(t *testing.T) {
	for _, tt := range []struct {
		series, pkg string
		want        []int // nil: not of the series
	}{
		{"5.10", "linux-image-5.10.0-43-cloud-amd64-unsigned", []int{43}},
		{"5.10", "linux-image-5.10.0-46-cloud-amd64", nil},
		{"5.10", "linux-image-5.10.0-46-rt-amd64-unsigned", nil},
		{"6.1", "linux-image-6.1.0-56-cloud-amd64-unsigned", []int{56}},
		{"6.1", "linux-image-6.1.0-9-cloud-amd64-unsigned", []int{9}},
		{"6.1", "linux-image-6.1.0-56-cloud-amd64", nil},
		{"6.1", "linux-image-6.1.0-56-amd64-unsigned", nil},
		{"6.1", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", nil},
		{"6.12", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", []int{117}},
		{"6.12", "linux-image-6.12.9+deb12-cloud-amd64-unsigned", []int{9}},
		{"6.12", "linux-image-6.12.117+deb13-cloud-amd64-unsigned", nil},
		{"6.12", "linux-image-6.12.117+deb12-cloud-amd64-dbg", nil},
		{"7", "linux-binary-7.3.4+deb13-cloud-amd64", []int{3, 4}},
		{"7", "linux-binary-7.10.1+deb13-cloud-amd64", []int{10, 1}},
		{"7", "linux-image-7.3.4+deb13-cloud-amd64", nil}, // the metapackage
		{"7", "linux-binary-7.3.4+deb13-rt-amd64", nil},
		{"7", "linux-binary-8.0.1+deb13-cloud-amd64", nil},
	} {
		s := lookupSeries(tt.series)
		if got := s.rank(tt.pkg); !cmp.Equal(got, tt.want) {
			t.Errorf("series %s: rank(%q) = %v, want %v", tt.series, tt.pkg, got, tt.want)
		}
	}
}

func TestSeriesNewestFirst(t *testing.T) {
	for _, tt := range []struct {
		series string
		pkgs   []string
		want   []string
	}{
		{"5.10", []string{
			"linux-image-5.10.0-43-cloud-amd64-unsigned", "linux-image-5.10.0-46-cloud-amd64-unsigned",
			"linux-image-5.10.0-46-cloud-amd64-dbg", "linux-image-5.10.0-9-cloud-amd64-unsigned",
		}, []string{
			"linux-image-5.10.0-46-cloud-amd64-unsigned", "linux-image-5.10.0-43-cloud-amd64-unsigned",
			"linux-image-5.10.0-9-cloud-amd64-unsigned",
		}},
		{"7", []string{
			"linux-binary-7.2.12+deb13-cloud-amd64", "linux-binary-7.3.4+deb13-cloud-amd64",
			"linux-binary-7.10.0+deb13-cloud-amd64", "linux-binary-7.3.4+deb13-amd64", "linux-binary-7.2.9+deb13-cloud-amd64",
		}, []string{
			"linux-binary-7.10.0+deb13-cloud-amd64", "linux-binary-7.3.4+deb13-cloud-amd64",
			"linux-binary-7.2.12+deb13-cloud-amd64", "linux-binary-7.2.9+deb13-cloud-amd64",
		}},
	} {
		if got := lookupSeries(tt.series).newestFirst(tt.pkgs); !cmp.Equal(got, tt.want) {
			t.Errorf("series %s: newestFirst (-want +got):\n%s", tt.series, cmp.Diff(tt.want, got))
		}
	}
}

func TestSeriesPackages(t *testing.T) {
	for _, tt := range []struct {
		series, pkg string
		want        []string
	}{
		{"5.10", "linux-image-5.10.0-43-cloud-amd64-unsigned", []string{"linux-image-5.10.0-43-cloud-amd64-unsigned"}},
		{"6.12", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", []string{"linux-image-6.12.117+deb12-cloud-amd64-unsigned"}},
		{"7", "linux-binary-7.3.4+deb13-cloud-amd64", []string{
			"linux-binary-7.3.4+deb13-cloud-amd64", "linux-modules-7.3.4+deb13-cloud-amd64", "linux-base-7.3.4+deb13-cloud-amd64",
		}},
	} {
		if got := lookupSeries(tt.series).packages(tt.pkg); !cmp.Equal(got, tt.want) {
			t.Errorf("series %s: packages(%q) = %v, want %v", tt.series, tt.pkg, got, tt.want)
		}
	}
}

func TestSeriesNames(t *testing.T) {
	if got, want := Series(), []string{"5.10", "6.1", "6.12", "7"}; !cmp.Equal(got, want) {
		t.Errorf("Series() = %v, want %v", got, want)
	}
	if s := lookupSeries("7.x"); s != nil {
		t.Errorf("lookupSeries(7.x) = %v; the series is spelled 7", s.Name)
	}
}

func TestSourcesList(t *testing.T) {
	t.Setenv("VLANRAW_VMTEST_MIRROR", "http://mirror.example/")
	got := lookupSeries("5.10").sourcesList()
	want := "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bullseye main\n" +
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian-security bullseye-security main\n"
	if got != want {
		t.Errorf("sourcesList:\n%s\nwant\n%s", got, want)
	}
	if s := lookupSeries("6.12"); s.Suites != nil {
		t.Errorf("6.12 uses a private apt configuration; it is in the host's bookworm-security")
	}
}

func TestCandidateVersions(t *testing.T) {
	policy := "linux-image-5.10.0-46-cloud-amd64-unsigned:\n  Installed: (none)\n  Candidate: 5.10.262-1\n  Version table:\n     5.10.262-1 500\n        500 http://deb.debian.org/debian-security bullseye-security/main amd64 Packages\n" +
		"linux-image-5.10.0-43-cloud-amd64-unsigned:\n  Installed: (none)\n  Candidate: 5.10.251-5\n" +
		"linux-binary-7.3.4+deb13-cloud-amd64:\n  Installed: (none)\n  Candidate: 7.3.4-1~bpo13+1\n" +
		"gone:\n  Installed: (none)\n  Candidate: (none)\n"
	want := map[string]string{
		"linux-image-5.10.0-46-cloud-amd64-unsigned": "5.10.262-1",
		"linux-image-5.10.0-43-cloud-amd64-unsigned": "5.10.251-5",
		"linux-binary-7.3.4+deb13-cloud-amd64":       "7.3.4-1~bpo13+1",
	}
	if got := candidateVersions([]byte(policy)); !cmp.Equal(got, want) {
		t.Errorf("candidateVersions (-want +got):\n%s", cmp.Diff(want, got))
	}
	if got := candidateVersions(nil); len(got) != 0 {
		t.Errorf("candidateVersions(nil) = %v", got)
	}
}

func TestDescribeUnpacked(t *testing.T) {
	root := t.TempDir()
	const rel = "6.12.117+deb12-cloud-amd64"
	for _, p := range []string{"boot/vmlinuz-" + rel, "boot/config-" + rel, "lib/modules/" + rel + "/kernel/net/8021q/8021q.ko.xz"} {
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

	if _, err := ResolveKernel("5.4", ""); err == nil || !strings.Contains(err.Error(), "neither a series (5.10, 6.1, 6.12, 7)") {
		t.Errorf("unknown series: %v", err)
	}
}

// TestDescribeUnpackedTrixie: since Debian 13 the kernel and its config
// sit beside the modules, in three packages unpacked into one tree.
func TestDescribeUnpackedTrixie(t *testing.T) {
	root := t.TempDir()
	const rel = "7.3.4+deb13-cloud-amd64"
	dir := "usr/lib/modules/" + rel
	for _, p := range []string{dir + "/vmlinuz", dir + "/config", dir + "/System.map", dir + "/kernel/net/8021q/8021q.ko.xz"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte("x"), 0o644)
	}
	k, err := describeUnpacked(root)
	if err != nil {
		t.Fatal(err)
	}
	want := &Kernel{Release: rel, Vmlinuz: dir + "/vmlinuz", Modules: dir, Config: dir + "/config"}
	if diff := cmp.Diff(want, k, cmpopts.IgnoreUnexported(Kernel{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	k, err = ResolveKernel(filepath.Join(root, dir, "vmlinuz"), "")
	if err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(root, dir)
	want = &Kernel{Release: rel, Vmlinuz: abs + "/vmlinuz", Modules: abs, Config: abs + "/config"}
	if diff := cmp.Diff(want, k, cmpopts.IgnoreUnexported(Kernel{})); diff != "" {
		t.Errorf("by path (-want +got):\n%s", diff)
	}

	// Without the modules package there is no kernel to test.
	os.RemoveAll(filepath.Join(root, dir, "kernel"))
	if _, err := describeUnpacked(root); err == nil {
		t.Error("describeUnpacked without modules: no error")
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
		"-accel tcg,thread=single -cpu qemu64,-cx16", "-m 1G", "-smp 2", "-no-reboot", "-nographic",
		"-kernel /k", "-initrd /i", "-serial file:/dev/fd/3 -serial file:/dev/fd/4",
		"console=ttyS0 panic=-1",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("qemu args %q lack %q", args, want)
		}
	}
	if mt := strings.Join(qemuArgs(Machine{Memory: "1G", MTTCG: true}, "/k", "/i", 3, 4), " "); !strings.Contains(mt, "-accel tcg,thread=multi ") {
		t.Errorf("MTTCG args %q", mt)
	}
	kvm := strings.Join(qemuArgs(Machine{Memory: "1G", KVM: true, Append: "foo=1"}, "/k", "/i", 3, 4), " ")
	if !strings.Contains(kvm, "-accel kvm") || strings.Contains(kvm, "tcg") || !strings.Contains(kvm, "quiet foo=1") {
		t.Errorf("KVM args %q", kvm)
	}
}
