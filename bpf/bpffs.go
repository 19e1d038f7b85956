package bpf

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// bpffsDir is where the BPF file system is mounted.
const bpffsDir = "/sys/fs/bpf"

// pinRoot holds vlanraw's pins: NETNS-INODE/IFNAME-DIRECTION/ per hook.
// Tests may point it elsewhere on a bpffs.
var pinRoot = bpffsDir + "/vlanraw"

// isBPFFS reports whether dir is on a BPF file system.
func isBPFFS(dir string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return st.Type == unix.BPF_FS_MAGIC, nil
}

// ensureBPFFS mounts the BPF file system on /sys/fs/bpf when nothing is
// mounted there, as tc and bpftool do, and creates pinRoot.
func ensureBPFFS() error {
	ok, err := isBPFFS(bpffsDir)
	if err != nil {
		return err
	}
	if !ok {
		if err := os.MkdirAll(bpffsDir, 0o700); err != nil {
			return fmt.Errorf("mount the BPF file system: %w", err)
		}
		if err := unix.Mount("bpf", bpffsDir, "bpf", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0700"); err != nil {
			return fmt.Errorf("mount the BPF file system on %s (needed to pin counters): %w", bpffsDir, err)
		}
	}
	if err := os.MkdirAll(pinRoot, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", pinRoot, err)
	}
	return nil
}
