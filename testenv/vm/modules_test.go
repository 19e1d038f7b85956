package vm

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseModinfo(t *testing.T) {
	for _, tt := range []struct {
		name    string
		section string
		want    modinfo
	}{
		{"8021q", "license=GPL\x00version=1.8\x00depends=mrp,garp\x00retpoline=Y\x00intree=Y\x00name=8021q\x00vermagic=6.1.0 SMP\x00", modinfo{Name: "8021q", Depends: []string{"mrp", "garp"}}},
		{"no deps", "depends=\x00name=dummy\x00", modinfo{Name: "dummy"}},
		{"dashes", "name=nf-conntrack\x00depends=nf-defrag-ipv4,libcrc32c\x00", modinfo{Name: "nf_conntrack", Depends: []string{"nf_defrag_ipv4", "libcrc32c"}}},
		{"padding", "\x00\x00name=veth\x00\x00\x00alias=rtnl-link-veth\x00", modinfo{Name: "veth"}},
		{"value with =", "parm=x:a=b\x00name=tap\x00", modinfo{Name: "tap"}},
		{"empty", "", modinfo{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseModinfo([]byte(tt.section))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestModuleFileName(t *testing.T) {
	for _, tt := range []struct {
		path string
		name string
		ok   bool
	}{
		{"kernel/net/8021q/8021q.ko", "8021q", true},
		{"/x/kernel/drivers/net/ipvlan/ipvtap.ko.xz", "ipvtap", true},
		{"kernel/net/sched/sch_ingress.ko.zst", "sch_ingress", true},
		{"kernel/fs/nls/nls-cp437.ko.gz", "nls_cp437", true},
		{"modules.builtin", "", false},
		{"kernel/x.ko.bak", "", false},
	} {
		name, ok := moduleFileName(tt.path)
		if name != tt.name || ok != tt.ok {
			t.Errorf("moduleFileName(%q) = %q, %v; want %q, %v", tt.path, name, ok, tt.name, tt.ok)
		}
	}
}

func TestOrderModules(t *testing.T) {
	graph := map[string][]string{
		"8021q":   {"mrp", "garp"},
		"garp":    {"stp", "llc"},
		"mrp":     nil,
		"stp":     {"llc"},
		"llc":     nil,
		"bridge":  {"stp", "llc"},
		"macvtap": {"macvlan", "tap"},
		"macvlan": nil,
		"tap":     nil,
		"ipvtap":  {"ipvlan", "tap"},
		"ipvlan":  nil,
		"broken":  {"gone"},
		"cycle_a": {"cycle_b"},
		"cycle_b": {"cycle_a"},
	}
	deps := func(name string) ([]string, bool, error) {
		d, ok := graph[name]
		return d, ok, nil
	}
	for _, tt := range []struct {
		name    string
		wanted  []string
		order   []string
		absent  []string
		wantErr string
	}{
		{
			name:   "vlan",
			wanted: []string{"8021q"},
			order:  []string{"mrp", "llc", "stp", "garp", "8021q"},
		},
		{
			name:   "shared deps once",
			wanted: []string{"macvtap", "ipvtap", "bridge", "8021q", "llc"},
			order:  []string{"macvlan", "tap", "macvtap", "ipvlan", "ipvtap", "llc", "stp", "bridge", "mrp", "garp", "8021q"},
		},
		{
			name:   "built in or absent",
			wanted: []string{"veth", "dummy", "macvlan", "sch-ingress"},
			order:  []string{"macvlan"},
			absent: []string{"dummy", "sch_ingress", "veth"},
		},
		{name: "missing dependency", wanted: []string{"broken"}, wantErr: "gone: not found (needed by broken)"},
		{name: "cycle", wanted: []string{"cycle_a"}, wantErr: "cycle"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			order, absent, err := orderModules(tt.wanted, deps)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.order, order); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.absent, absent); diff != "" {
				t.Errorf("absent (-want +got):\n%s", diff)
			}
		})
	}

	boom := errors.New("boom")
	_, _, err := orderModules([]string{"x"}, func(string) ([]string, bool, error) { return nil, true, boom })
	if !errors.Is(err, boom) {
		t.Errorf("lookup error: got %v", err)
	}
}

// fakeModule returns a minimal ELF relocatable file with a .modinfo
// section, as a kernel module has.
func fakeModule(t *testing.T, modinfo string) []byte {
	t.Helper()
	shstrtab := "\x00.modinfo\x00.shstrtab\x00"
	const ehsize, shentsize = 64, 64
	infoOff := uint64(ehsize)
	strOff := infoOff + uint64(len(modinfo))
	shOff := (strOff + uint64(len(shstrtab)) + 7) &^ 7
	var buf bytes.Buffer
	hdr := elf.Header64{
		Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Shoff: shOff, Ehsize: ehsize, Shentsize: shentsize, Shnum: 3, Shstrndx: 2,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	binary.Write(&buf, binary.LittleEndian, hdr)
	buf.WriteString(modinfo)
	buf.WriteString(shstrtab)
	buf.Write(make([]byte, int(shOff)-buf.Len()))
	for _, sh := range []elf.Section64{
		{},
		{Name: 1, Type: uint32(elf.SHT_PROGBITS), Flags: uint64(elf.SHF_ALLOC), Off: infoOff, Size: uint64(len(modinfo)), Addralign: 1},
		{Name: 10, Type: uint32(elf.SHT_STRTAB), Off: strOff, Size: uint64(len(shstrtab)), Addralign: 1},
	} {
		binary.Write(&buf, binary.LittleEndian, sh)
	}
	return buf.Bytes()
}

func TestReadModinfo(t *testing.T) {
	dir := t.TempDir()
	ko := fakeModule(t, "name=macvtap\x00depends=macvlan,tap\x00")
	plain := filepath.Join(dir, "macvtap.ko")
	if err := os.WriteFile(plain, ko, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ko)
	zw.Close()
	gzPath := filepath.Join(dir, "gz", "macvtap.ko.gz")
	os.MkdirAll(filepath.Dir(gzPath), 0o755)
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{plain, gzPath}
	if xz, err := exec.LookPath("xz"); err == nil {
		xzPath := filepath.Join(dir, "xz", "macvtap.ko.xz")
		os.MkdirAll(filepath.Dir(xzPath), 0o755)
		cmd := exec.Command(xz, "-c", "--check=crc32", plain)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(xzPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, xzPath)
	}
	want := modinfo{Name: "macvtap", Depends: []string{"macvlan", "tap"}}
	for _, p := range paths {
		mi, err := readModinfo(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if diff := cmp.Diff(want, mi); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p, diff)
		}
	}

	// The index finds them all, and reads modules.builtin.
	if err := os.WriteFile(filepath.Join(dir, "modules.builtin"), []byte("kernel/drivers/net/veth.ko\nkernel/net/bridge/bridge.ko\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	idx, err := indexModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := idx.files["macvtap"]; !ok {
		t.Error("index lacks macvtap")
	}
	if diff := cmp.Diff(map[string]bool{"veth": true, "bridge": true}, idx.builtin); diff != "" {
		t.Errorf("builtin (-want +got):\n%s", diff)
	}

	notELF := filepath.Join(dir, "bad.ko")
	os.WriteFile(notELF, []byte("not an ELF file"), 0o644)
	if _, err := readModinfo(notELF); err == nil {
		t.Error("readModinfo of a non-ELF file succeeded")
	}
}

// TestCachedKernelModules checks dependency resolution against the real
// modules of the kernels in the cache, when they are there.
func TestCachedKernelModules(t *testing.T) {
	cache, err := CacheDir()
	if err != nil {
		t.Skip(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(cache, "kernels", "*", kernelMeta))
	if len(dirs) == 0 {
		t.Skip("no kernel in the cache")
	}
	for _, meta := range dirs {
		k, err := loadKernelDir(filepath.Dir(meta))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(k.Release, func(t *testing.T) {
			idx, err := indexModules(k.Modules)
			if err != nil {
				t.Fatal(err)
			}
			order, absent, err := orderModules(DefaultModules, idx.depends)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("order %v, absent %v", order, absent)
			pos := make(map[string]int)
			for i, m := range order {
				pos[m] = i
			}
			for _, pair := range [][2]string{{"llc", "stp"}, {"stp", "garp"}, {"garp", "8021q"}, {"mrp", "8021q"}, {"macvlan", "macvtap"}, {"tap", "macvtap"}, {"ipvlan", "ipvtap"}} {
				a, aok := pos[pair[0]]
				b, bok := pos[pair[1]]
				if !aok || !bok || a > b {
					t.Errorf("%s must be loaded before %s: order %v", pair[0], pair[1], order)
				}
			}
		})
	}
}
