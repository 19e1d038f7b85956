package modes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// MissingParent is a link that networks need and the host namespace
// lacks, and that vlanraw does not create: a parent that existed before
// its networks (a NIC, a bond, a bridge), or the base NAME of an 802.1Q
// parent NAME.VID that vlanraw made. RestoreWait waits for it.
type MissingParent struct {
	// Link names the missing link.
	Link string `json:"link"`
	// Networks name the networks waiting for it.
	Networks []string `json:"networks"`
}

// String describes p as "parent link eth1 (network n1)".
func (p MissingParent) String() string {
	s := "s"
	if len(p.Networks) == 1 {
		s = ""
	}
	return fmt.Sprintf("parent link %s (network%s %s)", p.Link, s, strings.Join(p.Networks, ", "))
}

// DescribeMissing describes links waited for, as
// "parent link eth1 (network n1), parent link eth2 (networks a, b)".
func DescribeMissing(ps []MissingParent) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// ParentWaitError is RestoreWait's error when links were still missing
// when its wait ran out. It unwraps to the last Restore's error.
type ParentWaitError struct {
	// Wait is how long RestoreWait waited.
	Wait time.Duration
	// Missing are the links still missing.
	Missing []MissingParent
	// Err is the last Restore's error, which lists every failure.
	Err error
}

// Error implements error.
func (e *ParentWaitError) Error() string {
	return fmt.Sprintf("gave up after %s waiting for %s", e.Wait, DescribeMissing(e.Missing))
}

// Unwrap returns the last Restore's error.
func (e *ParentWaitError) Unwrap() error { return e.Err }

// RestoreWait is Restore for boot time, when parents may appear late (a
// bond, a USB NIC). When networks fail because a link they need is
// missing (see MissingParent), it waits for it to appear in the host
// namespace, listening to the kernel's link notifications, and restores
// again each time one does: what depends on a link is restored as soon
// as it appears, down or up. It returns the last Restore's report and
// error as soon as no link is missing; a *ParentWaitError when wait
// passes first; an error matching ctx's when ctx is done first. With wait
// 0 or less it is Restore.
//
// progress, when not nil, is called with the links waited for before
// waiting, and again whenever they change.
func (m *Manager) RestoreWait(ctx context.Context, wait time.Duration, progress func([]MissingParent)) (RestoreReport, error) {
	if wait <= 0 {
		return m.Restore()
	}
	// Subscribe before the first check, so that no link appearing after
	// it goes unnoticed.
	ev, err := rtnl.DialLinkEvents(m.host)
	if err != nil {
		return RestoreReport{}, fmt.Errorf("host network namespace: %w", err)
	}
	defer ev.Close()
	wakes := make(chan linkWake)
	done := make(chan struct{})
	defer close(done)
	go forwardLinkEvents(ev, wakes, done)
	timer := time.NewTimer(wait)
	defer timer.Stop()

	var last []MissingParent
	for {
		rep, rerr, missing, err := m.restoreChecked()
		if err != nil {
			return rep, errors.Join(rerr, err)
		}
		if len(missing) == 0 {
			return rep, rerr
		}
		if progress != nil && !slices.EqualFunc(missing, last, equalMissing) {
			progress(missing)
		}
		last = missing
		if err := waitForLinks(ctx, timer.C, wakes, missing); err != nil {
			if errors.Is(err, errWaitOver) {
				return rep, &ParentWaitError{Wait: wait, Missing: missing, Err: rerr}
			}
			return rep, err
		}
	}
}

// errWaitOver is waitForLinks' error when the wait ran out.
var errWaitOver = errors.New("wait over")

// waitForLinks returns nil once a link of missing appears, or
// notifications were lost; errWaitOver once over fires; an error
// matching ctx's once it is done.
func waitForLinks(ctx context.Context, over <-chan time.Time, wakes <-chan linkWake, missing []MissingParent) error {
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting for %s: %w", DescribeMissing(missing), context.Cause(ctx))
		case <-over:
			return errWaitOver
		case w := <-wakes:
			switch {
			case errors.Is(w.err, rtnl.ErrOverrun):
				return nil // anything may have appeared
			case w.err != nil:
				return fmt.Errorf("watch the links of the host network namespace: %w", w.err)
			}
			for _, p := range missing {
				if slices.Contains(w.names, p.Link) {
					return nil
				}
			}
		}
	}
}

// linkWake is what forwardLinkEvents passes on: the names of links that
// appeared or changed, or the error of a receive.
type linkWake struct {
	names []string
	err   error
}

// forwardLinkEvents passes the names in ev's RTM_NEWLINK notifications,
// and its errors, on to wakes, until done is closed or a receive fails
// for another reason than an overrun.
func forwardLinkEvents(ev *rtnl.LinkEvents, wakes chan<- linkWake, done <-chan struct{}) {
	for {
		evs, err := ev.Receive()
		w := linkWake{err: err}
		for _, e := range evs {
			if e.Type == unix.RTM_NEWLINK {
				w.names = append(w.names, e.Link.Attributes.Name)
			}
		}
		if err == nil && len(w.names) == 0 {
			continue
		}
		select {
		case wakes <- w:
		case <-done:
			return
		}
		if err != nil && !errors.Is(err, rtnl.ErrOverrun) {
			return
		}
	}
}

// restoreChecked runs Restore and returns its report and error, with
// the links the networks that failed wait for. A link that appeared
// while Restore ran, too late for it, makes it run again. err is an
// error of the check itself.
func (m *Manager) restoreChecked() (rep RestoreReport, rerr error, missing []MissingParent, err error) {
	for {
		before, err := m.waitedLinks(nil)
		if err != nil {
			return RestoreReport{}, nil, nil, err
		}
		rep, rerr := m.Restore()
		failed := map[string]bool{}
		for _, f := range rep.Failed {
			if f.NetNS == "" {
				failed[f.Network] = true
			}
		}
		if len(failed) == 0 {
			return rep, rerr, nil, nil
		}
		after, err := m.waitedLinks(failed)
		if err != nil {
			return rep, rerr, nil, err
		}
		again := false
		for n := range failed {
			if before[n] != "" && after[n] != before[n] {
				again = true
			}
		}
		if !again {
			return rep, rerr, groupMissing(after), nil
		}
	}
}

// waitedLinks returns, by network name, the link each network waits for
// (see MissingParent), for the networks in only, or all when only is
// nil. Networks that wait for nothing are left out.
func (m *Manager) waitedLinks(only map[string]bool) (map[string]string, error) {
	var nets []*Network
	if err := m.store.View(func(r *records) error {
		nets = r.Networks
		return nil
	}); err != nil {
		return nil, err
	}
	h, err := m.hostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	waits := map[string]string{}
	for _, n := range nets {
		if only != nil && !only[n.Name] {
			continue
		}
		link, err := waitedLink(h, n)
		if err != nil {
			return nil, err
		}
		if link != "" {
			waits[n.Name] = link
		}
	}
	return waits, nil
}

// waitedLink returns the link n waits for, or "": its parent when it is
// missing and vlanraw did not create it, or the base NAME of the 802.1Q
// parent NAME.VID vlanraw created when both are missing.
func waitedLink(h *links.Handle, n *Network) (string, error) {
	missing := func(name string) (bool, error) {
		_, err := h.Get(name)
		if errors.Is(err, unix.ENODEV) {
			return true, nil
		}
		return false, err
	}
	if n.ParentInContainer {
		return "", nil // not the host's to wait for
	}
	switch gone, err := missing(n.Parent); {
	case err != nil || !gone:
		return "", err
	case n.ParentCreated == "":
		return n.Parent, nil
	case n.ParentCreated != ParentVLAN:
		return "", nil
	}
	base, _, err := parseVlan(n.Parent, func(string) bool { return true })
	if err != nil {
		return "", nil // not a name vlanraw would have made; Restore says why
	}
	switch gone, err := missing(base); {
	case err != nil || !gone:
		return "", err
	}
	return base, nil
}

// groupMissing turns waits (network to link) into MissingParents, sorted
// by link, each with its networks sorted.
func groupMissing(waits map[string]string) []MissingParent {
	by := map[string][]string{}
	for n, l := range waits {
		by[l] = append(by[l], n)
	}
	ps := make([]MissingParent, 0, len(by))
	for l, ns := range by {
		slices.Sort(ns)
		ps = append(ps, MissingParent{Link: l, Networks: ns})
	}
	slices.SortFunc(ps, func(a, b MissingParent) int { return strings.Compare(a.Link, b.Link) })
	return ps
}

func equalMissing(a, b MissingParent) bool {
	return a.Link == b.Link && slices.Equal(a.Networks, b.Networks)
}
