package verify

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// fakeCounters attaches counters that count nothing, fails the attach
// numbered failAt (from 1; 0 never), and panics on reads when told to.
type fakeCounters struct {
	mu       sync.Mutex
	attached int
	live     map[*fakeCounter]bool
	failAt   int
	panicky  bool
}

type fakeCounter struct{ f *fakeCounters }

func (c *fakeCounter) read() (bpf.Counts, error) {
	if c.f.panicky {
		panic("counter read panics")
	}
	return bpf.Counts{}, nil
}

func (c *fakeCounter) detach() error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	delete(c.f.live, c)
	return nil
}

func (c *fakeCounter) mode() string { return "fake" }

var errAttach = errors.New("attach refused")

func (f *fakeCounters) attach(*netns.NS, string, bpf.Direction) (counter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attached++
	if f.attached == f.failAt {
		return nil, errAttach
	}
	c := &fakeCounter{f}
	f.live[c] = true
	return c, nil
}

// TestRunDetaches: counters are detached when an attach fails half-way,
// when the run panics, and when a run ends with mismatches.
func TestRunDetaches(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	l := newLab(t)
	nw := l.network(modes.MACVlan, "parent=p0 macvlan_mode=bridge", 3)
	for _, tt := range []struct {
		name    string
		failAt  int
		panicky bool
	}{
		{"attach fails", 4, false},
		{"read panics", 0, true},
		{"counts nothing", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCounters{live: map[*fakeCounter]bool{}, failAt: tt.failAt, panicky: tt.panicky}
			c := l.config(nw)
			c.attach = f.attach
			c.StepTimeout, c.QuietTimeout = 50*time.Millisecond, 50*time.Millisecond
			var (
				res      *Result
				err      error
				panicked any
			)
			func() {
				defer func() { panicked = recover() }()
				res, err = Run(c)
			}()
			switch {
			case tt.failAt > 0 && !errors.Is(err, errAttach):
				t.Errorf("Run: %v, want the attach error", err)
			case tt.panicky && panicked == nil:
				t.Error("Run did not panic")
			case !tt.panicky && tt.failAt == 0 && (err != nil || res.OK()):
				t.Errorf("Run: %v; want a result with mismatches (nothing was counted)", err)
			}
			if f.attached < 3 {
				t.Errorf("%d attaches, want several", f.attached)
			}
			if len(f.live) != 0 {
				t.Errorf("%d of %d counters left attached", len(f.live), f.attached)
			}
		})
	}
}
