package vm

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// mountAll mounts the pseudo file systems. Only proc, sysfs and devtmpfs
// are essential.
func mountAll() error {
	const nosuid = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	for _, m := range []struct {
		src, target, fstype string
		flags               uintptr
		data                string
		optional            bool
	}{
		{"proc", "/proc", "proc", nosuid, "", false},
		{"sysfs", "/sys", "sysfs", nosuid, "", false},
		{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755", false},
		{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "ptmxmode=0666", true},
		{"tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777", true},
		{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755", false},
		{"bpf", "/sys/fs/bpf", "bpf", nosuid, "mode=0700", true},
		{"cgroup2", "/sys/fs/cgroup", "cgroup2", nosuid, "", true},
	} {
		err := mount(m.src, m.target, m.fstype, m.flags, m.data)
		if err != nil && !m.optional {
			return err
		}
		if err != nil {
			initErrorf("%v", err)
		}
	}
	if err := os.MkdirAll(netns.Dir, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", netns.Dir, err)
	}
	return nil
}

// mount creates target and mounts a file system on it.
func mount(src, target, fstype string, flags uintptr, data string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("mount %s: %w", target, err)
	}
	if err := unix.Mount(src, target, fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, target, err)
	}
	return nil
}

// loopbackUp sets the IFF_UP flag of lo.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: SIOCGIFFLAGS: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: SIOCSIFFLAGS: %w", err)
	}
	return nil
}

// loadModules loads cfg's modules in order and returns the link kinds
// whose module loaded or is built in, sorted. Failures are reported on the
// console and are not fatal.
func loadModules(cfg *Config) []string {
	start := time.Now()
	decompress := kernelDecompresses()
	available := make(map[string]bool)
	for _, name := range cfg.Builtin {
		available[name] = true
	}
	loaded := 0
	for _, m := range cfg.Modules {
		if err := loadModule(m, decompress); err != nil {
			initErrorf("%v", err)
			continue
		}
		available[m.Name] = true
		loaded++
	}
	var kinds []string
	for kind, mod := range KindModules {
		if available[mod] {
			kinds = append(kinds, kind)
		}
	}
	sort.Strings(kinds)
	initLogf("loaded %d of %d modules in %v; kinds %s", loaded, len(cfg.Modules), time.Since(start).Round(time.Millisecond), strings.Join(kinds, ","))
	return kinds
}

// openOutput opens the serial port that carries the program's output and
// puts it in raw mode, so that bytes pass unchanged.
func openOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("output %s: %w", path, err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		f.Close()
		return nil, fmt.Errorf("output %s: %w", path, err)
	}
	return f, nil
}
