package modes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/state"
)

// A command that changes the kernel first records what it is about to do
// (an intent, see state.Store.Intend), under the state directory's lock.
// When it finishes, or fails and rolls back, the intent goes with the
// lock. When the process dies instead (SIGKILL, the OOM killer), the
// intent stays, and the next command to take the lock finishes or undoes
// the work (Manager.recover) before doing its own:
//
//   - connect and restore are undone: the links the intent names that
//     carry this directory's group but not yet an endpoint's mark, or the
//     mark of an endpoint that was never recorded, are deleted;
//   - disconnect and network rm are finished: they are idempotent, so
//     they run again on the records the intent names;
//   - network create is undone unless the network was recorded: the
//     host access link and the parent it may have made are deleted;
//   - a CNI attach is undone as a connect, and then as a network create
//     when it was to make the implicit network.

// The operations an intent records.
const (
	opConnect       = "connect"
	opRestore       = "restore"
	opDisconnect    = "disconnect"
	opNetworkCreate = "network-create"
	opNetworkRemove = "network-rm"
	opAttach        = "cni-attach"
)

// intent is what a command is about to do.
type intent struct {
	// PID is the process that recorded it, for messages.
	PID int    `json:"pid"`
	Op  string `json:"op"`
	// Network is the ID of the network created or removed.
	Network string `json:"network,omitempty"`
	// Parent is the parent link a network create may make.
	Parent string `json:"parent,omitempty"`
	// HostLink is the host access link a network create may make.
	HostLink string `json:"host_link,omitempty"`
	// Endpoints are the endpoints connected, restored or disconnected.
	Endpoints []intentEndpoint `json:"endpoints,omitempty"`
}

// intentEndpoint is an endpoint an intent names: its network's and its
// own ID, its namespace, and for connect and restore the names its link
// may be created under, in the order they are tried.
type intentEndpoint struct {
	Network string   `json:"network"`
	ID      string   `json:"id"`
	Path    string   `json:"path"`
	Dev     uint64   `json:"dev,omitempty"`
	Ino     uint64   `json:"ino"`
	Names   []string `json:"names,omitempty"`
}

// intentFor returns the intent entry of endpoint e of n, whose link may be
// created under names.
func intentFor(n *Network, e *Endpoint, names []string) intentEndpoint {
	return intentEndpoint{Network: n.ID, ID: e.ID, Path: e.NetNSPath, Dev: e.NetNSDev, Ino: e.NetNSInode, Names: names}
}

// intend records in before anything is changed. It also proves that the
// state file can be written afterwards: a command that could not record
// what it did changes nothing.
func (m *Manager) intend(in intent) error {
	in.PID = os.Getpid()
	b, err := in.MarshalJSON() // what json.Marshal writes (TestRecordsJSON), without its reflection
	if err != nil {
		return err
	}
	if err := m.store.Intend(b); err != nil {
		return err
	}
	return hook(m.ctx, "intent")
}

// recover finishes or undoes the work an intent left by a process that
// stopped names (see the top of this file), then makes the host routes of
// the networks of the endpoints it names match their records again (see
// hostroutes.go).
func (m *Manager) recover(r *records, b []byte) error {
	var in intent
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("the intent left by a vlanraw that stopped does not parse (%v): remove it, then run vlanraw gc", err)
	}
	err := m.recoverOp(r, in)
	var nets []*Network
	for _, ie := range in.Endpoints {
		nets = append(nets, r.findID(ie.Network))
	}
	return errors.Join(err, m.syncHostRoutesOf(nets...))
}

// recoverOp finishes or undoes the operation of in.
func (m *Manager) recoverOp(r *records, in intent) error {
	switch in.Op {
	case opConnect, opRestore:
		return m.undoCreate(r, in.Endpoints)
	case opDisconnect:
		return m.finishDisconnect(r, in.Endpoints)
	case opNetworkRemove:
		n := r.findID(in.Network)
		if n == nil {
			return nil
		}
		parentErr, endpointErr := m.removeNetworkRecord(r, n)
		return errors.Join(endpointErr, parentErr)
	case opAttach:
		if err := m.undoCreate(r, in.Endpoints); err != nil {
			return err
		}
		if r.findID(in.Network) != nil {
			return nil
		}
		return m.undoParent(in.Network, in.Parent)
	case opNetworkCreate:
		if r.findID(in.Network) != nil {
			return nil
		}
		if err := m.undoNetworkLink(in.Network, in.HostLink, markHost); err != nil {
			return err
		}
		return m.undoParent(in.Network, in.Parent)
	}
	return fmt.Errorf("the intent left by a vlanraw that stopped (pid %d) has an unknown operation %q: a newer vlanraw wrote it; finish with that one", in.PID, in.Op)
}

// findID returns the network whose ID is id, or nil.
func (r *records) findID(id string) *Network {
	for _, n := range r.Networks {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// findEndpointID returns the endpoint of n whose ID is id, or -1.
func (n *Network) findEndpointID(id string) int {
	for i, e := range n.Endpoints {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// undoCreate deletes the links an interrupted connect or restore made for
// eps: under one of the names it tried, in this directory's group, and
// either without a mark yet or with the mark of an endpoint that was not
// recorded. A recorded endpoint whose link is marked was finished.
func (m *Manager) undoCreate(r *records, eps []intentEndpoint) error {
	var errs []error
	var holders nsHolders
	for _, ie := range eps {
		recorded := false
		if n := r.findID(ie.Network); n != nil && n.findEndpointID(ie.ID) >= 0 {
			recorded = true
		}
		want := mark{dir: m.id, network: short(ie.Network), endpoint: short(ie.ID)}.String()
		t, err := locate(&Endpoint{NetNSPath: ie.Path, NetNSDev: ie.Dev, NetNSInode: ie.Ino}, &holders)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t == nil {
			continue // the namespace is gone, and its links with it
		}
		err = withHandle(t, func(h *links.Handle) error {
			for _, name := range ie.Names {
				l, err := h.Get(name)
				if errors.Is(err, unix.ENODEV) {
					continue
				}
				if err != nil {
					return err
				}
				if l.Group != m.group || (l.Alias != "" && l.Alias != want) || (recorded && l.Alias == want) {
					continue
				}
				if err := h.Delete(name); err != nil && !errors.Is(err, unix.ENODEV) {
					return fmt.Errorf("undo: delete %s in %s: %w", name, ie.Path, err)
				}
			}
			return nil
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// finishDisconnect disconnects the endpoints eps names that are still
// recorded.
func (m *Manager) finishDisconnect(r *records, eps []intentEndpoint) error {
	var errs []error
	for _, ie := range eps {
		n := r.findID(ie.Network)
		if n == nil {
			continue
		}
		i := n.findEndpointID(ie.ID)
		if i < 0 {
			continue
		}
		if err := m.deleteEndpointLinks(n, n.Endpoints[i:i+1])[0]; err != nil {
			errs = append(errs, err)
			continue
		}
		n.Endpoints = append(n.Endpoints[:i], n.Endpoints[i+1:]...)
	}
	return errors.Join(errs...)
}

// undoParent deletes the parent link an interrupted network create of the
// network with ID id may have made, if it is the one it made.
func (m *Manager) undoParent(id, name string) error {
	return m.undoNetworkLink(id, name, markParent)
}

// undoNetworkLink deletes the link name ("" for none) an interrupted
// network create of the network with ID id may have made, whose mark ends
// in which, if it is the one it made.
func (m *Manager) undoNetworkLink(id, name, which string) error {
	if name == "" {
		return nil
	}
	h, err := m.hostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	if err := m.deleteNetworkLink(h, id, name, which); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	return nil
}

// withHandle runs fn with a links handle in t, then closes both.
func withHandle(t *targetNS, fn func(*links.Handle) error) error {
	defer t.ns.Close()
	h, err := links.Open(t.ns)
	if err != nil {
		return err
	}
	defer h.Close()
	return fn(h)
}

// testHook, when set by tests (and through SetStepHook by the CLI's
// tests), is called at each step of an operation: "intent" once the
// intent is recorded, then steps of the operation such as "created",
// "sysctls", "addresses", "up" and "configured" for each endpoint link,
// "parent" and "network" for a network create, "deleted" once links are
// deleted; an error it returns fails the step.
var testHook func(step string) error

// SetStepHook sets a function called at each step of every operation (see
// the steps above), for tests that stop or kill a process there; nil
// removes it. An error it returns fails the step, which then rolls back.
// It is not safe to call while operations run.
func SetStepHook(fn func(step string) error) { testHook = fn }

// hook ends a step: it fails when ctx is done (the operation then rolls
// back) and calls the test hook.
func hook(ctx context.Context, step string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped before %s: %w", step, context.Cause(ctx))
	}
	if testHook == nil {
		return nil
	}
	return testHook(step)
}

// unfinished marks an error after which a rollback did not finish: the
// intent stays for the next command to finish it.
func unfinished(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w (%w: the next vlanraw command finishes it)", err, state.ErrUnfinished)
}
