package vm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kernel is a kernel image and the modules that go with it.
type Kernel struct {
	Series  string `json:"series,omitempty"`  // "5.10", "6.1", "6.12" or "7"; "" for a kernel given by path
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

// ResolveKernel returns the kernel named by spec: a series (see Series:
// "5.10", "6.1", "6.12", or "7" for the newest 7.x), fetched with apt into
// the cache, or the path of a vmlinuz file, whose modules are in
// modulesDir or, if that is "", looked for next to it and in /lib/modules.
func ResolveKernel(spec, modulesDir string) (*Kernel, error) {
	if s := lookupSeries(spec); s != nil {
		if modulesDir != "" {
			return nil, fmt.Errorf("kernel %s: a modules directory only goes with a kernel path", spec)
		}
		return fetchSeries(s)
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
	if dir := filepath.Dir(vmlinuz); modulesDir == "" && base == "vmlinuz" {
		// Debian 13's layout: <root>/usr/lib/modules/<release>/vmlinuz,
		// beside the modules and the config.
		if fi, err := os.Stat(filepath.Join(dir, "kernel")); err == nil && fi.IsDir() {
			modulesDir = dir
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
		cfgs := []string{filepath.Join(filepath.Dir(vmlinuz), "config-"+k.Release)}
		if k.Modules != "" {
			cfgs = append(cfgs, filepath.Join(k.Modules, "config")) // Debian 13
		}
		for _, cfg := range cfgs {
			if _, err := os.Stat(cfg); err == nil {
				k.Config = cfg
				break
			}
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
