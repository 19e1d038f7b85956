package modes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/state"
	"github.com/vlanraw/vlanraw/netns"
)

// stateName and stateSchema name the Manager's state file and the version
// of its layout.
const (
	stateName   = "networks"
	stateSchema = 2
)

// records is what the state file holds.
type records struct {
	// Networks are the networks, in the order they were created.
	Networks []*Network `json:"networks"`
	// Swept is set once the links of this state directory that no record
	// claims have been looked for (see Manager.sweepOnce): a state file
	// that is new, or was deleted, may leave such links behind.
	Swept bool `json:"swept,omitempty"`
	// endpointsOnly is set by an update that changes endpoints and
	// nothing else: endpoints live in network namespaces, which do not
	// outlive the machine, so its save need not survive a power failure
	// (see state.Store.Transient), which spares a connect, a disconnect
	// and a CNI ADD or DEL the sync of the state directory.
	endpointsOnly bool
}

// Manager creates and removes networks and endpoints, and keeps their
// records. Every method that changes anything holds the state directory's
// lock from start to finish, so that Managers in several processes can
// share one directory.
type Manager struct {
	store *state.Store[records]
	// host is the namespace the parent links live in; nil is the
	// caller's current namespace.
	host *netns.NS
	// id is the state directory's ID and group the link group of the
	// links made for it (see identity.go).
	id    string
	group uint32
	// ctx stops an operation at its next step, which then rolls back as
	// a failure does (see SetContext).
	ctx context.Context
}

// NewManager returns a Manager keeping its state in stateDir, or in
// state.Dir("") when stateDir is empty. The parent links live in the
// caller's current network namespace.
func NewManager(stateDir string) (*Manager, error) {
	return NewManagerIn(stateDir, nil)
}

// NewManagerIn is NewManager with the parent links living in the network
// namespace host rather than in the caller's; nil is the caller's
// namespace. The Manager takes host over: Close closes it, also when
// NewManagerIn fails. The CLI's -n and tests and demos that keep a whole
// setup inside throwaway namespaces use it. The records do not say which
// host namespace they were made in: use one per state directory.
func NewManagerIn(stateDir string, host *netns.NS) (*Manager, error) {
	if stateDir == "" {
		stateDir = state.Dir("")
	}
	st, err := state.Open[records](stateDir, stateName, stateSchema, state.Migrate(migrate))
	if err != nil {
		host.Close()
		return nil, err
	}
	id := dirID(stateDir)
	m := &Manager{store: st, host: host, id: id, group: linkGroup(id), ctx: context.Background()}
	st.SetValidate((*records).validate)
	st.SetRecover(m.recover)
	return m, nil
}

// SetContext makes the operations of m stop when ctx is done: the one in
// progress stops at its next step and rolls back as a failure does (the
// links it made are deleted, nothing is recorded), and its error matches
// ctx's error. The CLI cancels it on SIGINT, SIGTERM and SIGHUP.
func (m *Manager) SetContext(ctx context.Context) { m.ctx = ctx }

// SetLockWait makes m's operations give up when another process has held
// the state directory's lock for longer than timeout (0: wait for ever),
// and call waiting, once, when the lock has not come within about a
// second, with the process that holds it.
func (m *Manager) SetLockWait(timeout time.Duration, waiting func(state.Holder)) {
	m.store.SetWait(timeout, waiting)
}

// Close releases the host namespace given to NewManagerIn, if any.
func (m *Manager) Close() error { return m.host.Close() }

// hostHandle opens a links.Handle in the host namespace.
func (m *Manager) hostHandle() (*links.Handle, error) {
	h, err := links.Open(m.host)
	if err != nil {
		return nil, fmt.Errorf("host network namespace: %w", err)
	}
	return h, nil
}

// update is store.Update for the commands that change records: on the
// first one of a state file that is new, was deleted, or comes from an
// older vlanraw, it first reconciles records and kernel as GC does, so
// that links this state directory made and no record claims (those of a
// deleted state file) do not keep addresses it would hand out again.
func (m *Manager) update(fn func(*records) error) error {
	return m.store.Update(func(r *records) error {
		swept := r.Swept
		if !swept {
			if _, err := m.gc(r); err != nil {
				return err
			}
		}
		var before []byte
		if checkEndpointsOnly {
			before = r.skeleton()
		}
		if err := fn(r); err != nil {
			return err
		}
		if r.endpointsOnly && swept {
			if checkEndpointsOnly && !bytes.Equal(before, r.skeleton()) {
				return fmt.Errorf("modes: an update marked as changing only endpoints changed a network (a bug)")
			}
			m.store.Transient()
		}
		return nil
	})
}

// checkEndpointsOnly makes update check, at a cost that grows with the
// number of networks, that an update marked endpointsOnly changed no
// network; the package's tests set it.
var checkEndpointsOnly = false

// skeleton returns the records without their endpoints, encoded, or nil
// if they do not encode: what an update marked endpointsOnly must leave
// as it was.
func (r *records) skeleton() []byte {
	nets := make([]Network, len(r.Networks))
	for i, n := range r.Networks {
		nets[i] = *n
		nets[i].Endpoints = nil
	}
	b, err := json.Marshal(struct {
		Networks []Network
		Swept    bool
	}{nets, r.Swept})
	if err != nil {
		return nil
	}
	return b
}

// find returns the network called name, or whose ID is name or starts
// with it (when only one does), as Docker resolves networks.
func (r *records) find(name string) (*Network, error) {
	if name == "" {
		return nil, invalidf("no network given")
	}
	for _, n := range r.Networks {
		if n.Name == name || n.ID == name {
			return n, nil
		}
	}
	var found *Network
	for _, n := range r.Networks {
		if len(name) >= 3 && len(n.ID) > len(name) && n.ID[:len(name)] == name {
			if found != nil {
				return nil, invalidf("network ID prefix %s is ambiguous: give more of the ID, or the name", name)
			}
			found = n
		}
	}
	if found == nil {
		return nil, notFoundf("network %s not found", name)
	}
	return found, nil
}

// remove drops network n from the records.
func (r *records) remove(n *Network) {
	for i, x := range r.Networks {
		if x == n {
			r.Networks = append(r.Networks[:i], r.Networks[i+1:]...)
			return
		}
	}
}
