package vm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// kernelMeta is the file in each unpacked kernel directory that describes
// it, with paths relative to that directory.
const kernelMeta = "vmtest-kernel.json"

// loadKernelDir reads the description of an unpacked kernel.
func loadKernelDir(dir string) (*Kernel, error) {
	data, err := os.ReadFile(filepath.Join(dir, kernelMeta))
	if err != nil {
		return nil, err
	}
	k := Kernel{dir: dir}
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	for _, p := range []*string{&k.Vmlinuz, &k.Modules, &k.Config, &k.Boot} {
		if *p != "" {
			*p = filepath.Join(dir, *p)
		}
	}
	if _, err := os.Stat(k.Vmlinuz); err != nil {
		return nil, err
	}
	return &k, nil
}

// writeKernelMeta writes the description of a kernel unpacked in dir, whose
// paths are absolute or relative to dir.
func writeKernelMeta(dir string, k *Kernel) error {
	rel := *k
	for _, p := range []*string{&rel.Vmlinuz, &rel.Modules, &rel.Config, &rel.Boot} {
		if filepath.IsAbs(*p) {
			r, err := filepath.Rel(dir, *p)
			if err != nil {
				return fmt.Errorf("kernel cache: %w", err)
			}
			*p = r
		}
	}
	data, err := json.MarshalIndent(&rel, "", "\t")
	if err != nil {
		return fmt.Errorf("kernel cache: %w", err)
	}
	tmp := filepath.Join(dir, kernelMeta+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("kernel cache: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, kernelMeta)); err != nil {
		return fmt.Errorf("kernel cache: %w", err)
	}
	return nil
}

// bootVmlinux is the name of the vmlinux extracted into a cached kernel's
// directory.
const bootVmlinux = "vmtest-vmlinux"

// addBootImage extracts, once, the vmlinux of a cached kernel for a faster
// boot, falling back to the bzImage when that fails, and records the
// choice in the kernel's description.
func addBootImage(k *Kernel) error {
	if k.Boot != "" || k.dir == "" {
		return nil
	}
	dst := filepath.Join(k.dir, bootVmlinux)
	if err := extractVmlinux(k.Vmlinuz, dst); err != nil {
		logf("booting the bzImage: %v", err)
		k.Boot = k.Vmlinuz
	} else {
		k.Boot = dst
	}
	return writeKernelMeta(k.dir, k)
}

// describeUnpacked finds the kernel image, modules and config in the
// unpacked packages of one kernel, with paths relative to root. Up to
// Debian 12 the image package holds boot/vmlinuz-<release> and
// boot/config-<release>; since Debian 13 the kernel is
// usr/lib/modules/<release>/vmlinuz (package linux-binary-*) and the
// config usr/lib/modules/<release>/config (linux-base-*).
func describeUnpacked(root string) (*Kernel, error) {
	var k *Kernel
	if images, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*")); len(images) == 1 {
		rel := strings.TrimPrefix(filepath.Base(images[0]), "vmlinuz-")
		k = &Kernel{Release: rel, Vmlinuz: filepath.Join("boot", "vmlinuz-"+rel), Config: filepath.Join("boot", "config-"+rel)}
	} else if len(images) > 1 {
		return nil, fmt.Errorf("found %d boot/vmlinuz-* files", len(images))
	} else {
		images, _ = filepath.Glob(filepath.Join(root, "usr", "lib", "modules", "*", "vmlinuz"))
		if len(images) != 1 {
			return nil, fmt.Errorf("found no boot/vmlinuz-* file and %d usr/lib/modules/*/vmlinuz files", len(images))
		}
		rel := filepath.Base(filepath.Dir(images[0]))
		k = &Kernel{Release: rel, Vmlinuz: filepath.Join("usr", "lib", "modules", rel, "vmlinuz"), Config: filepath.Join("usr", "lib", "modules", rel, "config")}
	}
	for _, dir := range []string{"lib/modules/" + k.Release, "usr/lib/modules/" + k.Release} {
		if fi, err := os.Stat(filepath.Join(root, dir, "kernel")); err == nil && fi.IsDir() {
			k.Modules = dir
			break
		}
	}
	if k.Modules == "" {
		return nil, errors.New("no modules directory")
	}
	if _, err := os.Stat(filepath.Join(root, k.Config)); errors.Is(err, fs.ErrNotExist) {
		k.Config = ""
	} else if err != nil {
		return nil, err
	}
	return k, nil
}
