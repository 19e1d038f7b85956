package modes

import (
	"errors"
	"fmt"
	"slices"
)

// Announced returns what a BGP speaker on the host announces: the
// Upstream of each ipvlan l3 and l3s network with a real parent, in the
// order of the records, whose Routes (each subnet via the parent's
// address of its family) are the prefixes and their next hops. With
// names, only those networks (names or IDs, as `network inspect` takes
// them); a name that no network has is returned in missing (a network
// removed while the speaker runs is withdrawn, not an error), and one
// that is not l3 or l3s, or has no parent, fails with an error matching
// errdefs.ErrInvalid: its endpoints need no routes, or cannot be reached.
func (m *Manager) Announced(names []string) (ups []*Upstream, missing []string, err error) {
	err = m.store.View(func(r *records) error {
		var nets []*Network
		for _, name := range names {
			n, err := r.find(name)
			switch {
			case errors.Is(err, ErrNotFound):
				missing = append(missing, name)
				continue
			case err != nil:
				return err
			case !n.l3():
				return invalidf("network %s is %s %s: its endpoints answer ARP and neighbour discovery on %s's link themselves, so it is not announced; name only ipvlan l3 and l3s networks with --network",
					name, n.Driver, n.Mode(), n.Parent)
			case n.ParentCreated == ParentDummy:
				return invalidf("network %s has no parent (its parent %s is a dummy link): nothing beyond the host can reach it, so it is not announced", name, n.Parent)
			}
			if !slices.Contains(nets, n) {
				nets = append(nets, n)
			}
		}
		if names == nil {
			for _, n := range r.Networks {
				if n.l3() && n.ParentCreated != ParentDummy {
					nets = append(nets, n)
				}
			}
		}
		for _, n := range nets {
			u, err := m.upstream(n)
			if err != nil {
				return fmt.Errorf("network %s: %w", n.Name, err)
			}
			ups = append(ups, u)
		}
		return nil
	})
	return ups, missing, err
}
