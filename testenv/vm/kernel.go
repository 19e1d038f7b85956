package vm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Kernel is a kernel image and the modules that go with it.
type Kernel struct {
	Series  string `json:"series,omitempty"`  // "6.1" or "6.12"; "" for a kernel given by path
	Package string `json:"package,omitempty"` // Debian package name
	Version string `json:"version,omitempty"` // Debian package version
	Release string `json:"release,omitempty"` // uname -r, as far as known before boot
	Vmlinuz string `json:"vmlinuz"`           // kernel image
	Modules string `json:"modules,omitempty"` // /lib/modules/<release> directory, or ""
	Config  string `json:"config,omitempty"`  // config-<release> file, or ""
	Boot    string `json:"boot,omitempty"`    // what QEMU boots: a vmlinux extracted from Vmlinuz, or Vmlinuz

	dir string // the cache directory it was unpacked in, or ""
}

// BootImage returns the file that QEMU's -kernel gets: the extracted
// vmlinux when there is one, unless VLANRAW_VMTEST_BZIMAGE=1, else
// Vmlinuz.
func (k *Kernel) BootImage() string {
	if k.Boot == "" || os.Getenv("VLANRAW_VMTEST_BZIMAGE") == "1" {
		return k.Vmlinuz
	}
	return k.Boot
}

// String names the kernel for messages.
func (k *Kernel) String() string {
	switch {
	case k.Package != "":
		return fmt.Sprintf("%s %s", k.Package, k.Version)
	case k.Release != "":
		return k.Release
	default:
		return k.Vmlinuz
	}
}

// seriesPackage matches the Debian package names of each kernel series;
// the first group is the number that grows with every ABI bump.
var seriesPackage = map[string]struct {
	prefix string
	re     *regexp.Regexp
}{
	"6.1":  {"linux-image-6.1.0-", regexp.MustCompile(`^linux-image-6\.1\.0-(\d+)-cloud-amd64-unsigned$`)},
	"6.12": {"linux-image-6.12.", regexp.MustCompile(`^linux-image-6\.12\.(\d+)\+deb12-cloud-amd64-unsigned$`)},
}

// Series lists the kernel series that ResolveKernel fetches by name.
func Series() []string {
	s := make([]string, 0, len(seriesPackage))
	for name := range seriesPackage {
		s = append(s, name)
	}
	sort.Strings(s)
	return s
}

// ResolveKernel returns the kernel named by spec: a series ("6.1", "6.12"),
// fetched with apt into the cache, or the path of a vmlinuz file, whose
// modules are in modulesDir or, if that is "", looked for next to it and
// in /lib/modules.
func ResolveKernel(spec, modulesDir string) (*Kernel, error) {
	if _, ok := seriesPackage[spec]; ok {
		if modulesDir != "" {
			return nil, fmt.Errorf("kernel %s: a modules directory only goes with a kernel path", spec)
		}
		return fetchSeries(spec)
	}
	if fi, err := os.Stat(spec); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("kernel %q: neither a series (%s) nor a kernel image file", spec, strings.Join(Series(), ", "))
	}
	return kernelFromPath(spec, modulesDir)
}

// kernelFromPath describes a vmlinuz given by path.
func kernelFromPath(vmlinuz, modulesDir string) (*Kernel, error) {
	vmlinuz, err := filepath.Abs(vmlinuz)
	if err != nil {
		return nil, err
	}
	k := &Kernel{Vmlinuz: vmlinuz}
	base := filepath.Base(vmlinuz)
	for _, p := range []string{"vmlinuz-", "vmlinux-", "bzImage-"} {
		if rel, ok := strings.CutPrefix(base, p); ok {
			k.Release = rel
		}
	}
	if modulesDir == "" && k.Release != "" {
		root := filepath.Dir(filepath.Dir(vmlinuz)) // <root>/boot/vmlinuz-<release>
		for _, dir := range []string{
			filepath.Join(root, "lib/modules", k.Release),
			filepath.Join(root, "usr/lib/modules", k.Release),
			filepath.Join("/lib/modules", k.Release),
		} {
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				modulesDir = dir
				break
			}
		}
	}
	if modulesDir != "" {
		if k.Modules, err = filepath.Abs(modulesDir); err != nil {
			return nil, err
		}
		if k.Release == "" {
			k.Release = filepath.Base(k.Modules)
		}
	}
	if k.Release != "" {
		cfg := filepath.Join(filepath.Dir(vmlinuz), "config-"+k.Release)
		if _, err := os.Stat(cfg); err == nil {
			k.Config = cfg
		}
	}
	return k, nil
}

// configEnabled reports whether a kernel config file sets option to y.
func configEnabled(config, option string) bool {
	if config == "" {
		return false
	}
	data, err := os.ReadFile(config)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte("\n"+option+"=y\n"))
}
