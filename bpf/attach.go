package bpf

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// attachStep is called after each step of Attach, with the step's
// name; tests stop a helper process there and kill it.
var attachStep = func(step string) {}

// AttachOptions say where to attach counters, and how.
type AttachOptions struct {
	// NetNS is the network namespace of the interface; nil means the
	// caller's current one.
	NetNS *netns.NS
	// Ifname is the interface.
	Ifname string
	// Direction is the hook: Ingress or Egress.
	Direction Direction
	// Mode is how to attach; ModeAuto (the zero value) uses TCX where
	// the kernel has it, else cls_bpf.
	Mode Mode
	// Pin keeps the counters in the BPF file system (mounted on
	// /sys/fs/bpf if nothing is), under
	// /sys/fs/bpf/vlanraw/NETNS-INODE/IFNAME-DIRECTION/, so that they
	// outlive the process: OpenPinned finds them again, in any process.
	Pin bool
}

// Attach loads a fresh copy of the classifier, with its own counters,
// and attaches it to the hook o names. Frames keep their fate: the
// classifier hands every frame on to the next filter or program, as if
// it were not there.
//
// With ModeClsBPF (or ModeAuto on a kernel without TCX) it adds a
// direct-action cls_bpf filter under the device's clsact qdisc, creating
// the qdisc if the device has none; Detach removes a qdisc it created
// once nothing else is left on it. Errors are *HookError values; a
// kernel that lacks what the mode needs gives one matching
// errdefs.ErrNotSupported, and a classifier the kernel refused one holding a
// *LoadError with the verifier's log.
func Attach(o AttachOptions) (*Hook, error) {
	h, err := attach(o)
	if err != nil {
		return nil, &HookError{Op: "attach counters to", Ifname: o.Ifname, Direction: o.Direction, Err: err}
	}
	return h, nil
}

func attach(o AttachOptions) (*Hook, error) {
	switch {
	case o.Ifname == "":
		return nil, errors.New("no interface given")
	case !o.Direction.valid():
		return nil, fmt.Errorf("invalid direction %d: use Ingress or Egress", int(o.Direction))
	case o.Mode < ModeAuto || o.Mode > ModeClsBPF:
		return nil, fmt.Errorf("invalid attach mode %d: use ModeAuto, ModeTCX or ModeClsBPF", int(o.Mode))
	}
	id, err := o.NetNS.ID()
	if err != nil {
		return nil, err
	}
	ino := id.Inode
	c, err := rtnl.Dial(o.NetNS)
	if err != nil {
		return nil, err
	}
	l, err := c.GetLink(o.Ifname)
	if err != nil {
		c.Close()
		if errors.Is(err, unix.ENODEV) {
			return nil, fmt.Errorf("no interface %s in network namespace %s: %w", o.Ifname, describeNetNS(ino), err)
		}
		return nil, err
	}
	k := qdiscKey{ino: ino, cookie: netnsCookie(o.NetNS), ifindex: l.Index}
	h := &Hook{ifname: o.Ifname, dir: o.Direction, mode: o.Mode, key: k, c: c}

	if o.Pin {
		dir, err := makeHookDir(ino, o.Ifname, o.Direction, record{Mode: o.Mode, Ifindex: l.Index, Cookie: k.cookie})
		if err != nil {
			h.release()
			return nil, err
		}
		h.pinDir = dir
		attachStep("dir")
	}
	// fail undoes what was done before the classifier was attached.
	fail := func(err error) (*Hook, error) {
		h.release()
		if h.pinDir != "" {
			removePins(h.pinDir)
		}
		return nil, err
	}

	var objs counterObjects
	if err := loadClassifier(&objs); err != nil {
		return fail(err)
	}
	h.prog, h.classes, h.vlans = objs.CountFrames, objs.Classes, objs.Vlans
	if h.pinDir != "" {
		for _, p := range []struct {
			name string
			pin  func(string) error
		}{{pinProgram, h.prog.Pin}, {pinClasses, h.classes.Pin}, {pinVLANs, h.vlans.Pin}} {
			if err := p.pin(filepath.Join(h.pinDir, p.name)); err != nil {
				return fail(fmt.Errorf("pin the %s: %w", p.name, err))
			}
		}
		attachStep("pinned")
	}

	if err := h.attach(o); err != nil {
		return fail(err)
	}
	if h.pinDir != "" {
		if err := writeRecord(h.pinDir, record{Attached: true, Mode: h.mode, Ifindex: l.Index, Cookie: k.cookie}); err != nil {
			return nil, errors.Join(err, h.Detach())
		}
	}
	return h, nil
}

// attach attaches h's program by o.Mode and sets h.mode to the path
// used.
func (h *Hook) attach(o AttachOptions) error {
	if o.Mode == ModeTCX || o.Mode == ModeAuto {
		err := h.attachTCX(o)
		if err == nil || o.Mode == ModeTCX || !errors.Is(err, errdefs.ErrNotSupported) {
			return err
		}
		cerr := h.attachClsBPF(o)
		if errors.Is(cerr, errdefs.ErrNotSupported) {
			return &NotSupportedError{Lacks: "neither TCX nor cls_bpf",
				Hint: "counters need one of them: Linux 6.6 or later, or the cls_bpf and sch_ingress modules",
				Err:  fmt.Errorf("tcx: %w; cls_bpf: %w", errors.Unwrap(err), errors.Unwrap(cerr))}
		}
		return cerr
	}
	return h.attachClsBPF(o)
}

func (h *Hook) attachTCX(o AttachOptions) error {
	l, err := attachTCX(o.NetNS, h.key.ifindex, h.dir, h.prog)
	if err != nil {
		return err
	}
	attachStep("tcx")
	if h.pinDir != "" {
		if err := l.Pin(filepath.Join(h.pinDir, pinLink)); err != nil {
			l.Close() // not pinned: closing it detaches it
			return fmt.Errorf("pin the TCX link: %w", err)
		}
		attachStep("link")
	}
	h.link, h.mode = l, ModeTCX
	return nil
}

func (h *Hook) attachClsBPF(o AttachOptions) error {
	if _, err := attachClsBPF(h.c, h.key, h.dir, h.prog.FD(), h.pinDir != ""); err != nil {
		return err
	}
	h.mode = ModeClsBPF
	return nil
}
