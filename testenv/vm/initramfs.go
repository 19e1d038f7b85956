package vm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Spec describes one run of a program in a guest.
type Spec struct {
	Kernel  *Kernel
	Args    []string      // program (a host path) and its arguments
	Dir     string        // working directory, recreated in the guest; its testdata is copied
	Env     []string      // extra environment for the program
	Files   []string      // further host files or directories, added at the same paths
	Modules []string      // modules to load; nil means DefaultModules
	Timeout time.Duration // limit for the program inside the guest; 0 means none
}

// guestPath is the PATH in the guest, after the directory of ip.
const guestPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const etcHosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

// writeInitramfs writes the initramfs for spec to w and returns the
// configuration it holds.
func writeInitramfs(w io.Writer, spec *Spec) (*Config, error) {
	im := newImage()
	cfg := &Config{Args: spec.Args, Dir: spec.Dir, Timeout: spec.Timeout}

	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if dyn, err := isDynamicELF(self); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	} else if dyn {
		return nil, fmt.Errorf("initramfs: %s is dynamically linked; build vmtest with CGO_ENABLED=0", self)
	}
	for _, step := range []func() error{
		func() error { return im.HostFile("/init", self) },
		func() error { return im.Dir("/dev", 0o755) },
		func() error { return im.CharDev("/dev/console", 0o600, 5, 1) },
		func() error { return im.Dir("/proc", 0o555) },
		func() error { return im.Dir("/sys", 0o555) },
		func() error { return im.Dir("/run", 0o755) },
		func() error { return im.Dir("/tmp", 0o1777) },
		func() error { return im.Bytes("/etc/hosts", []byte(etcHosts), 0o644) },
	} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("initramfs: %w", err)
		}
	}

	if len(spec.Args) == 0 {
		return nil, errors.New("initramfs: no program")
	}
	prog, err := filepath.Abs(spec.Args[0])
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	cfg.Args = append([]string{prog}, spec.Args[1:]...)
	if err := addExecutable(im, prog); err != nil {
		return nil, err
	}

	ip, err := lookTool("ip", "iproute2")
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if err := addExecutable(im, ip); err != nil {
		return nil, err
	}
	cfg.Env = append([]string{
		"PATH=" + filepath.Dir(ip) + ":" + guestPath,
		"HOME=/tmp",
		"VLANRAW_TESTENV=vm",
	}, spec.Env...)

	for _, f := range spec.Files {
		if err := addHostPath(im, f); err != nil {
			return nil, err
		}
	}

	if spec.Dir != "" {
		if err := im.Mirror(spec.Dir); err != nil {
			return nil, fmt.Errorf("initramfs: working directory: %w", err)
		}
		td := filepath.Join(spec.Dir, "testdata")
		if fi, err := os.Stat(td); err == nil && fi.IsDir() {
			if err := im.MirrorTree(td); err != nil {
				return nil, fmt.Errorf("initramfs: testdata: %w", err)
			}
		}
	}

	if err := addModules(im, cfg, spec); err != nil {
		return nil, err
	}

	cfg.MountTmp = true
	for name := range im.entries {
		if strings.HasPrefix(name, "/tmp/") {
			cfg.MountTmp = false
			break
		}
	}
	data, err := json.MarshalIndent(cfg, "", "\t")
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if err := im.Bytes(guestConfigPath, data, 0o644); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if _, err := im.WriteTo(w); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	return cfg, nil
}

// addExecutable adds a host executable at its own path, with the shared
// libraries and the dynamic loader it needs.
func addExecutable(im *image, path string) error {
	libs, err := sharedLibs(path)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	for _, p := range append([]string{path}, libs...) {
		if err := im.Mirror(p); err != nil {
			return fmt.Errorf("initramfs: %w", err)
		}
	}
	return nil
}

// addHostPath adds a host file (with its libraries, if it is a dynamic
// executable) or a whole directory at the same path.
func addHostPath(im *image, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	if fi.IsDir() {
		if err := im.MirrorTree(path); err != nil {
			return fmt.Errorf("initramfs: %w", err)
		}
		return nil
	}
	return addExecutable(im, path)
}

// addModules adds the wanted modules of the kernel and their dependencies,
// and lists them in cfg in load order.
func addModules(im *image, cfg *Config, spec *Spec) error {
	wanted := spec.Modules
	if wanted == nil {
		wanted = DefaultModules
	}
	if spec.Kernel == nil || spec.Kernel.Modules == "" || len(wanted) == 0 {
		return nil
	}
	idx, err := indexModules(spec.Kernel.Modules)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	order, absent, err := orderModules(wanted, idx.depends)
	if err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	for _, name := range absent {
		if idx.builtin[name] {
			cfg.Builtin = append(cfg.Builtin, name)
		}
	}
	// Without CONFIG_MODULE_DECOMPRESS (or without a config to tell), ship a
	// decompressed copy of each compressed module as well.
	canDecompress := configEnabled(spec.Kernel.Config, "CONFIG_MODULE_DECOMPRESS")
	for _, name := range order {
		src := idx.files[name]
		base := filepath.Base(src)
		m := GuestModule{Name: name, File: filepath.Join(guestModuleDir, base), Params: moduleParams[name]}
		m.Compressed = !strings.HasSuffix(base, ".ko")
		if err := im.HostFile(m.File, src); err != nil {
			return fmt.Errorf("initramfs: %w", err)
		}
		if m.Compressed && !canDecompress {
			data, err := readModuleFile(src)
			if err != nil {
				return fmt.Errorf("initramfs: %w", err)
			}
			m.Plain = filepath.Join(guestModuleDir, name+".ko")
			if err := im.Bytes(m.Plain, data, 0o644); err != nil {
				return fmt.Errorf("initramfs: %w", err)
			}
		}
		cfg.Modules = append(cfg.Modules, m)
	}
	return nil
}

// unixPerm converts the permission bits of an fs.FileMode, including
// setuid, setgid and sticky, to their stat(2) values.
func unixPerm(mode fs.FileMode) uint32 {
	perm := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	return perm
}
