package vm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLdd(t *testing.T) {
	out := `	linux-vdso.so.1 (0x00007ffd6f5e5000)
	libbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007f3d68f5f000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3d68d36000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f3d690c1000)
`
	got, err := parseLdd([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/lib/x86_64-linux-gnu/libbpf.so.1", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	if _, err := parseLdd([]byte("\tlibmissing.so.3 => not found\n")); err == nil {
		t.Error("a missing library is not an error")
	}
}

func TestSharedLibs(t *testing.T) {
	ip, err := lookToolNoInstall("ip")
	if err != nil {
		t.Skip(err)
	}
	libs, err := sharedLibs(ip)
	if err != nil {
		t.Fatal(err)
	}
	var libc, loader bool
	for _, l := range libs {
		switch filepath.Base(l) {
		case "libc.so.6":
			libc = true
		case "ld-linux-x86-64.so.2":
			loader = true
		}
	}
	if !libc || !loader {
		t.Errorf("sharedLibs(%s) = %v: want libc and the loader", ip, libs)
	}

	// A text file is not a dynamic executable.
	txt := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(txt, []byte("hello"), 0o644)
	if libs, err := sharedLibs(txt); err != nil || libs != nil {
		t.Errorf("sharedLibs(text file) = %v, %v", libs, err)
	}
}

// lookToolNoInstall finds a command without installing anything.
func lookToolNoInstall(name string) (string, error) {
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", os.ErrNotExist
}
