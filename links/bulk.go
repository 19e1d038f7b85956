package links

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// CreateAll checks every spec, looks up each parent once, and creates the
// links with their requests pipelined (see rtnl.Conn.NewLinks). Either
// all are created, or none: when the kernel refuses one, those it made
// are deleted again and the first refusal is returned.
func (h *Handle) CreateAll(specs []Spec) error {
	parents := map[string]int32{}
	ms := make([]*rtnl.LinkMessage, len(specs))
	for i, s := range specs {
		if err := checkAttrs(s.Attributes()); err != nil {
			return err
		}
		if err := s.validate(); err != nil {
			return err
		}
		if p := s.peer(); p != nil && p.Up {
			return fmt.Errorf("create links: %w: CreateAll cannot bring up the peers of %s links; use Create", errdefs.ErrInvalid, s.Kind())
		}
		var pi int32
		if pname := s.parent(); pname != "" || s.NeedsParent() {
			var ok bool
			if pi, ok = parents[pname]; !ok {
				p, err := h.parent(s, pname)
				if err != nil {
					return err
				}
				pi = p.Index
				parents[pname] = pi
			}
		}
		m, err := message(s, pi)
		if err != nil {
			return err
		}
		ms[i] = m
	}
	errs, err := h.c.NewLinks(ms)
	var first error
	for _, e := range errs {
		if e != nil {
			first = e
			break
		}
	}
	if err == nil && first == nil {
		return nil
	}
	if err == nil {
		err = first
	}
	return errors.Join(err, h.undo(specs, errs))
}

// undo deletes the links of specs whose creation succeeded.
func (h *Handle) undo(specs []Spec, errs []error) error {
	byNS := map[*netns.NS][]string{}
	for i, s := range specs {
		if errs[i] == nil {
			a := s.Attributes()
			byNS[a.NetNS] = append(byNS[a.NetNS], a.Name)
		}
	}
	var errList []error
	for ns, names := range byNS {
		t := h
		if ns != nil {
			var err error
			if t, err = Open(ns); err != nil {
				errList = append(errList, err)
				continue
			}
		}
		if err := t.DeleteAll(names); err != nil {
			errList = append(errList, fmt.Errorf("undo: %w", err))
		}
		if t != h {
			t.Close()
		}
	}
	return errors.Join(errList...)
}

// Pipeline sends reqs (see AddAddressRequest and ChangeRequest) in one
// round trip to the kernel, which applies them in order and goes on
// after one fails; it returns one error per request, nil for those
// applied (see rtnl.Conn.Pipeline).
func (h *Handle) Pipeline(reqs []rtnl.Request) ([]error, error) {
	return h.c.Pipeline(reqs)
}
