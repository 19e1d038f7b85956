package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// attachTCX attaches prog to the device with ifindex in ns with a TCX
// bpf_link, after any programs already there. A kernel without TCX gives
// an error matching errdefs.ErrNotSupported.
func attachTCX(ns *netns.NS, ifindex int32, d Direction, prog *ebpf.Program) (link.Link, error) {
	at := ebpf.AttachTCXIngress
	if d == Egress {
		at = ebpf.AttachTCXEgress
	}
	var l link.Link
	// BPF_LINK_CREATE looks the ifindex up in the caller's namespace.
	err := ns.Do(func() error {
		var err error
		l, err = link.AttachTCX(link.TCXOptions{Interface: int(ifindex), Program: prog, Attach: at})
		return err
	})
	if err != nil {
		if tcxMissing(err) {
			return nil, &NotSupportedError{Lacks: "no TCX, the bpf_link tc attach of Linux 6.6 and later", Hint: "use mode cls_bpf or auto", Err: err}
		}
		return nil, fmt.Errorf("TCX attach: %w", err)
	}
	return l, nil
}

// errENOTSUPP is the kernel's internal ENOTSUPP (524), which some BPF
// commands return to user space.
const errENOTSUPP = unix.Errno(524)

// tcxMissing reports whether err from a TCX attach means that the kernel
// has no TCX: cilium/ebpf probes and says ebpf.ErrNotSupported; kernels that
// do not know the attach type answer EINVAL (or ENOTSUPP, EOPNOTSUPP).
func tcxMissing(err error) bool {
	return errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, unix.EINVAL) ||
		errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, errENOTSUPP)
}

// detachTCX detaches and releases l, and removes its pin.
func detachTCX(l link.Link, pinned bool) error {
	var errs []error
	if pinned {
		if err := l.Unpin(); err != nil {
			errs = append(errs, fmt.Errorf("unpin the TCX link: %w", err))
		}
	}
	// Detach even if another process holds the link open.
	if err := l.Detach(); err != nil && !errors.Is(err, ebpf.ErrNotSupported) {
		errs = append(errs, fmt.Errorf("detach the TCX link: %w", err))
	}
	if err := l.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close the TCX link: %w", err))
	}
	return errors.Join(errs...)
}
