package bpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Hook is the classifier attached to one tc hook: an interface and a
// direction. Its methods may be called from several goroutines.
type Hook struct {
	mu sync.Mutex

	ifname  string
	dir     Direction
	mode    Mode
	key     qdiscKey // namespace inode and ifindex
	pinDir  string   // "" when not pinned
	c       *rtnl.Conn
	prog    *ebpf.Program // nil for what a crash left half-made
	classes *ebpf.Map
	vlans   *ebpf.Map
	link    link.Link // ModeTCX
	closed  bool
}

// Ifname is the interface's name.
func (h *Hook) Ifname() string { return h.ifname }

// Direction is the hook's direction.
func (h *Hook) Direction() Direction { return h.dir }

// Mode is the path actually used: ModeTCX or ModeClsBPF (ModeAuto only
// for a pinned hook whose attach was interrupted before it knew).
func (h *Hook) Mode() Mode { return h.mode }

// PinPath is the hook's directory in the BPF file system, or "" when it
// is not pinned.
func (h *Hook) PinPath() string { return h.pinDir }

// Counts reads the counters: the sums over every CPU.
func (h *Hook) Counts() (Counts, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return Counts{}, h.errorf("read counters of", ErrClosed)
	}
	if h.classes == nil || h.vlans == nil {
		return Counts{}, h.errorf("read counters of", fmt.Errorf("%w: its attach was interrupted; detach and attach again", ErrNotAttached))
	}
	c, err := readCounts(h.classes, h.vlans)
	if err != nil {
		return Counts{}, h.errorf("read counters of", err)
	}
	return c, nil
}

// Detach removes what Attach made: the TCX link, or the cls_bpf filter
// and, when vlanraw created it and nothing else is left on it, the
// clsact qdisc; then the pins. A clsact qdisc that was there before
// stays. It also cleans up after an attach that was killed half-way.
// The hook is closed afterwards.
func (h *Hook) Detach() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.detach()
}

// detach is Detach with h.mu held.
func (h *Hook) detach() error {
	if h.closed {
		return h.errorf("detach counters from", ErrClosed)
	}
	var errs []error
	if h.link != nil {
		errs = append(errs, detachTCX(h.link, h.pinDir != ""))
		h.link = nil
	}
	if h.mode != ModeTCX && h.key.ifindex != 0 {
		errs = append(errs, h.detachClsBPF())
	}
	if err := errors.Join(errs...); err != nil {
		// Keep the pins, so that Detach can be tried again.
		h.release()
		return h.errorf("detach counters from", err)
	}
	if h.pinDir != "" {
		if err := removePins(h.pinDir); err != nil {
			h.release()
			return h.errorf("detach counters from", err)
		}
	}
	h.release()
	return nil
}

// detachClsBPF removes the filter that runs h's program, if any.
func (h *Hook) detachClsBPF() error {
	if h.prog == nil {
		// The attach died before loading: no filter can run it, but a
		// qdisc vlanraw created may be left.
		if clsactMarked(h.key) {
			return removeClsactIfEmpty(h.c, h.key)
		}
		return nil
	}
	info, err := h.prog.Info()
	if err != nil {
		return fmt.Errorf("read the classifier's id: %w", err)
	}
	id, ok := info.ID()
	if !ok {
		return errors.New("read the classifier's id: the kernel does not report it")
	}
	return detachClsBPF(h.c, h.key, h.dir, id)
}

// Close releases the hook's file descriptors. A pinned hook stays
// attached and counting, for OpenPinned in this or another process; one
// that is not pinned is detached, since nothing could find it again.
func (h *Hook) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	if h.pinDir == "" {
		return h.detach()
	}
	h.release()
	return nil
}

// release closes every descriptor; h.mu is held.
func (h *Hook) release() {
	if h.link != nil {
		h.link.Close()
	}
	if h.prog != nil {
		h.prog.Close()
	}
	if h.classes != nil {
		h.classes.Close()
	}
	if h.vlans != nil {
		h.vlans.Close()
	}
	if h.c != nil {
		h.c.Close()
	}
	h.prog, h.classes, h.vlans, h.link, h.c = nil, nil, nil, nil, nil
	h.closed = true
}

func (h *Hook) errorf(op string, err error) error {
	return &HookError{Op: op, Ifname: h.ifname, Direction: h.dir, Err: err}
}

// removePins removes a hook's pins and its directory. Unpinning the
// program and maps drops the file system's references; the kernel frees
// them when nothing else holds them.
func removePins(dir string) error {
	var errs []error
	for _, name := range []string{pinLink, pinProgram, pinClasses, pinVLANs, pinRecordNew, pinRecord} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	// The namespace's directory goes with its last hook and mark.
	os.Remove(filepath.Dir(dir))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove the pins in %s: %w", dir, err)
	}
	return nil
}
