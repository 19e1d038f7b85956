package vm

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cpioMember is one member read back from a newc archive.
type cpioMember struct {
	Name         string
	Mode         uint32
	Data         string
	Major, Minor uint32
}

// readCPIO is a minimal newc reader for the tests.
func readCPIO(t *testing.T, data []byte) []cpioMember {
	t.Helper()
	var members []cpioMember
	off := 0
	align := func() { off = (off + 3) &^ 3 }
	for {
		if off+110 > len(data) {
			t.Fatalf("truncated header at %d", off)
		}
		hdr := string(data[off : off+110])
		if !strings.HasPrefix(hdr, cpioMagic) {
			t.Fatalf("bad magic at %d: %q", off, hdr[:6])
		}
		field := func(i int) uint32 {
			v, err := strconv.ParseUint(hdr[6+8*i:14+8*i], 16, 32)
			if err != nil {
				t.Fatalf("header field %d at %d: %v", i, off, err)
			}
			return uint32(v)
		}
		mode, size, rmajor, rminor, namesize := field(1), field(6), field(9), field(10), field(11)
		off += 110
		name := string(data[off : off+int(namesize)-1])
		if data[off+int(namesize)-1] != 0 {
			t.Fatalf("name %q not NUL-terminated", name)
		}
		off += int(namesize)
		align()
		content := string(data[off : off+int(size)])
		off += int(size)
		align()
		if name == cpioTrailer {
			if off != len(data) {
				t.Errorf("%d bytes after the trailer", len(data)-off)
			}
			return members
		}
		members = append(members, cpioMember{Name: name, Mode: mode, Data: content, Major: rmajor, Minor: rminor})
	}
}

func TestCPIOWriter(t *testing.T) {
	var buf bytes.Buffer
	cw := newCPIOWriter(&buf)
	for _, err := range []error{
		cw.Dir("/dev", 0o755),
		cw.CharDev("/dev/console", 0o600, 5, 1),
		cw.File("/init", 0o755, strings.NewReader("#!x"), 3),
		cw.File("/empty", 0o644, strings.NewReader(""), 0),
		cw.Symlink("/lib", "usr/lib"),
		cw.File("/a/b", 0o600, strings.NewReader("12345"), 5),
		cw.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len()%4 != 0 {
		t.Errorf("archive length %d not a multiple of 4", buf.Len())
	}
	want := []cpioMember{
		{Name: "dev", Mode: cpioTypeDir | 0o755},
		{Name: "dev/console", Mode: cpioTypeCharDev | 0o600, Major: 5, Minor: 1},
		{Name: "init", Mode: cpioTypeRegular | 0o755, Data: "#!x"},
		{Name: "empty", Mode: cpioTypeRegular | 0o644},
		{Name: "lib", Mode: cpioTypeSymlink | 0o777, Data: "usr/lib"},
		{Name: "a/b", Mode: cpioTypeRegular | 0o600, Data: "12345"},
	}
	if diff := cmp.Diff(want, readCPIO(t, buf.Bytes())); diff != "" {
		t.Errorf("archive (-want +got):\n%s", diff)
	}

	if err := cw.File("/late", 0o644, strings.NewReader("x"), 1); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestCPIOWriterShortContent(t *testing.T) {
	cw := newCPIOWriter(io.Discard)
	if err := cw.File("/f", 0o644, strings.NewReader("abc"), 10); err == nil {
		t.Error("short content accepted")
	}
}

// TestCPIOListedByCpio checks the archive with GNU cpio, when installed.
func TestCPIOListedByCpio(t *testing.T) {
	cpio, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio is not installed")
	}
	im := newImage()
	for _, err := range []error{
		im.Bytes("/etc/hosts", []byte("127.0.0.1 localhost\n"), 0o644),
		im.Symlink("/bin", "usr/bin"),
		im.Dir("/tmp", 0o1777),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := im.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cpio, "-t", "--quiet")
	cmd.Stdin = &buf
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cpio -t: %v\n%s", err, out)
	}
	if diff := cmp.Diff("bin\netc\netc/hosts\ntmp\n", string(out)); diff != "" {
		t.Errorf("cpio -t (-want +got):\n%s", diff)
	}
}

func TestImageMirror(t *testing.T) {
	root := t.TempDir()
	mustWrite := func(p, content string, perm os.FileMode) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), perm); err != nil {
			t.Fatal(err)
		}
	}
	mustLink := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	// A merged-/usr layout: lib -> usr/lib, and a library symlink.
	mustWrite(filepath.Join(root, "usr/lib/libx.so.1.2"), "ELF", 0o755)
	mustLink("usr/lib", filepath.Join(root, "lib"))
	mustLink("libx.so.1.2", filepath.Join(root, "usr/lib/libx.so.1"))
	mustWrite(filepath.Join(root, "pkg/testdata/in.txt"), "data", 0o644)
	mustLink("in.txt", filepath.Join(root, "pkg/testdata/link"))

	im := newImage()
	if err := im.Mirror(filepath.Join(root, "lib/libx.so.1")); err != nil {
		t.Fatal(err)
	}
	if err := im.MirrorTree(filepath.Join(root, "pkg/testdata")); err != nil {
		t.Fatal(err)
	}
	// Adding the same thing twice is fine.
	if err := im.Mirror(filepath.Join(root, "lib/libx.so.1")); err != nil {
		t.Fatal(err)
	}

	got := make(map[string]string)
	for name, e := range im.entries {
		rel, err := filepath.Rel(root, name)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // the temporary directory's own parents
		}
		switch e.kind {
		case entryDir:
			got[rel] = "dir"
		case entrySymlink:
			got[rel] = "-> " + e.target
		case entryFile:
			src, _ := filepath.Rel(root, e.source)
			got[rel] = fmt.Sprintf("file %o from %s", e.perm, src)
		}
	}
	want := map[string]string{
		".":                   "dir",
		"lib":                 "-> usr/lib",
		"usr":                 "dir",
		"usr/lib":             "dir",
		"usr/lib/libx.so.1":   "-> libx.so.1.2",
		"usr/lib/libx.so.1.2": "file 755 from usr/lib/libx.so.1.2",
		"pkg":                 "dir",
		"pkg/testdata":        "dir",
		"pkg/testdata/in.txt": "file 644 from pkg/testdata/in.txt",
		"pkg/testdata/link":   "-> in.txt",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}

	// A different file at a taken path is an error.
	if err := im.Bytes(filepath.Join(root, "lib"), []byte("x"), 0o644); err == nil {
		t.Error("replacing a symlink with a file succeeded")
	}
	if err := im.Bytes(filepath.Join(root, "usr/lib/libx.so.1.2/sub"), []byte("x"), 0o644); err == nil {
		t.Error("a file below a file succeeded")
	}
}

func TestImageWriteOrder(t *testing.T) {
	im := newImage()
	for _, err := range []error{
		im.Bytes("/z/y/x", []byte("1"), 0o644),
		im.Bytes("/a-b", []byte("2"), 0o644),
		im.Dir("/a", 0o700),
		im.Bytes("/a/c", []byte("3"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := im.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, m := range readCPIO(t, buf.Bytes()) {
		if dir := filepath.Dir(m.Name); dir != "." && !seen[dir] {
			t.Errorf("%s comes before its directory", m.Name)
		}
		seen[m.Name] = true
		if m.Name == "a" && m.Mode != cpioTypeDir|0o700 {
			t.Errorf("a: mode %o, want the explicit 0700", m.Mode)
		}
	}
}
