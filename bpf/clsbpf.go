package bpf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// filterName is the TCA_BPF_NAME of vlanraw's filters, as `tc filter
// show` prints it.
const filterName = "vlanraw-counters"

// parent is the clsact hook of direction d.
func parent(d Direction) uint32 {
	if d == Egress {
		return rtnl.ParentEgress
	}
	return rtnl.ParentIngress
}

// findClsact returns the kind of the qdisc that holds the device's
// ingress and egress hooks ("clsact", or "ingress" which only has the
// ingress hook), or "" when there is none.
func findClsact(c *rtnl.Conn, ifindex int32) (string, error) {
	qs, err := c.ListQdiscs(ifindex)
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.Parent == rtnl.HandleClsact && (q.Attributes.Kind == "clsact" || q.Attributes.Kind == "ingress") {
			return q.Attributes.Kind, nil
		}
	}
	return "", nil
}

// attachClsBPF adds the program with file descriptor fd as a
// direct-action cls_bpf filter on the device's clsact hook of direction
// d, creating the clsact qdisc first when the device has none (and
// marking it as vlanraw's, see marks.go). It reports whether it created
// the qdisc.
func attachClsBPF(c *rtnl.Conn, k qdiscKey, d Direction, fd int, pinned bool) (created bool, err error) {
	kind, err := findClsact(c, k.ifindex)
	if err != nil {
		return false, err
	}
	switch {
	case kind == "ingress" && d == Egress:
		return false, errors.New("the device has an ingress qdisc, which has no egress hook: " +
			"replace it with a clsact qdisc (tc qdisc del dev DEV ingress), or use TCX")
	case kind == "":
		if err := markClsact(k, pinned); err != nil {
			return false, err
		}
		attachStep("marked")
		err := c.AddQdisc(rtnl.NewClsactQdisc(k.ifindex))
		switch {
		case err == nil:
			created = true
			attachStep("qdisc")
		case errors.Is(err, unix.EEXIST):
			// Someone else was quicker: it is theirs.
			unmarkClsact(k)
		default:
			unmarkClsact(k)
			return false, clsBPFError("add a clsact qdisc", "sch_ingress (CONFIG_NET_SCH_INGRESS)", err)
		}
	}
	err = c.AddFilter(rtnl.NewBPFFilter(k.ifindex, parent(d), 0, fd, filterName))
	if err != nil {
		if created {
			removeClsactIfEmpty(c, k)
		}
		return false, clsBPFError("add a cls_bpf filter", "cls_bpf (CONFIG_NET_CLS_BPF)", err)
	}
	attachStep("filter")
	return created, nil
}

// clsBPFError wraps err from step; a kernel that lacks the qdisc or
// classifier (ENOENT, with "Specified qdisc kind is unknown" or "TC
// classifier not found") gives an error matching errdefs.ErrNotSupported.
func clsBPFError(step, module string, err error) error {
	var oe *rtnl.OpError
	if errors.As(err, &oe) && errors.Is(err, unix.ENOENT) {
		msg := strings.ToLower(oe.Message)
		if msg == "" || strings.Contains(msg, "not found") || strings.Contains(msg, "unknown") {
			return &NotSupportedError{Lacks: "no " + module, Hint: "load the module, or use TCX", Err: err}
		}
	}
	return fmt.Errorf("%s: %w", step, err)
}

// detachClsBPF removes the cls_bpf filters that run the program with id
// from the device's hook of direction d, then the clsact qdisc when it
// is vlanraw's and no filter is left on it. Filters that are gone
// already, or a device that is gone, are not errors.
func detachClsBPF(c *rtnl.Conn, k qdiscKey, d Direction, id ebpf.ProgramID) error {
	fs, err := c.ListFilters(k.ifindex, parent(d))
	if err != nil {
		return err
	}
	for _, f := range fs {
		o := f.Attributes.BPF
		if f.Attributes.Kind != "bpf" || o == nil || o.ID == nil || ebpf.ProgramID(*o.ID) != id {
			continue
		}
		err := c.DeleteFilter(&rtnl.TCMessage{
			Ifindex: k.ifindex, Handle: f.Handle, Parent: parent(d), Info: f.Info,
			Attributes: rtnl.TCAttributes{Kind: "bpf"},
		})
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("delete the cls_bpf filter: %w", err)
		}
	}
	if clsactMarked(k) {
		return removeClsactIfEmpty(c, k)
	}
	return nil
}

// removeClsactIfEmpty deletes the device's clsact qdisc, and forgets its
// mark, when neither hook has a filter left.
func removeClsactIfEmpty(c *rtnl.Conn, k qdiscKey) error {
	for _, p := range []uint32{rtnl.ParentIngress, rtnl.ParentEgress} {
		fs, err := c.ListFilters(k.ifindex, p)
		if err != nil {
			return err
		}
		if len(fs) > 0 {
			return nil // someone else's filter: leave the qdisc, and the mark, to them
		}
	}
	kind, err := findClsact(c, k.ifindex)
	if err != nil {
		return err
	}
	if kind == "clsact" {
		err := c.DeleteQdisc(rtnl.NewClsactQdisc(k.ifindex))
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("delete the clsact qdisc vlanraw created: %w", err)
		}
	}
	return unmarkClsact(k)
}
