package verify

import (
	"errors"
	"fmt"
	"time"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/netns"
)

// ErrConfig is matched by errors that report a Config that cannot run:
// half a far side, a network without endpoints or addresses.
var ErrConfig = errors.New("invalid verify configuration")

// Config says what to verify, and how.
type Config struct {
	// Network is the network, as a modes.Manager returns it.
	Network *modes.Network
	// Host holds the parent link; nil is the current namespace.
	Host *netns.NS
	// Wire and WireDev name the far side of the parent's link (the peer
	// of a veth parent, say, or of its lower link for a VLAN parent):
	// both or neither. Without them the probes from the wire do not
	// run: sending on the parent itself would go out, not in.
	Wire    *netns.NS
	WireDev string
	// Reflecting says that the far side sends frames back out the port
	// they came in on (a bridge port in hairpin mode), as VEPA needs.
	Reflecting bool
	// Table replaces the network's own table: a run of one mode's
	// table against another mode's network must fail.
	Table *expect.Table
	// Copies is how many times each probe frame is sent; 5 when 0.
	Copies int
	// Counters is how the counters attach; bpf.ModeAuto by default.
	Counters bpf.Mode
	// StepTimeout bounds the wait for a step's frames; 3 s when 0.
	StepTimeout time.Duration
	// Settle is how long the counts must stay the same, once every
	// expected frame arrived, before a step's counts are read; 200 ms
	// when 0.
	Settle time.Duration
	// Quiet is how long the counters must stay the same before the first
	// step, so that the frames new links send on their own (ARP
	// announcements, MLD and IGMP reports) are over; 1.2 s when 0, longer
	// than the 1 s within which MLDv2 and IGMPv3 repeat an unsolicited
	// report (unsolicited_report_interval), so that a quiet spell cannot
	// fall between a report and its repeat. QuietTimeout bounds that
	// wait; 5 s when 0.
	Quiet, QuietTimeout time.Duration

	// attach replaces attachBPF(Counters), for tests.
	attach attacher
}

func (c *Config) defaults() {
	if c.Copies <= 0 {
		c.Copies = 5
	}
	if c.StepTimeout <= 0 {
		c.StepTimeout = 3 * time.Second
	}
	if c.Settle <= 0 {
		c.Settle = 200 * time.Millisecond
	}
	if c.Quiet <= 0 {
		c.Quiet = 1200 * time.Millisecond
	}
	if c.QuietTimeout <= 0 {
		c.QuietTimeout = 5 * time.Second
	}
	if c.attach == nil {
		c.attach = attachBPF(c.Counters)
	}
}

// runner is one run.
type runner struct {
	cfg   Config
	net   *modes.Network
	table *expect.Table
	cond  expect.Conditions
	// host and wire are Config's Host and Wire; epNS the endpoints'
	// namespaces, which the runner opens and closes.
	host, wire *netns.NS
	epNS       []*netns.NS
	world      world
	hooks      hookSet
	receivers  []*receiver
	res        *Result
}

// Run attaches counters to the parent, the far side (when given) and
// every endpoint (the namespaces of cfg stay open: the caller closes
// them), sends the probe set from the first endpoint and from
// the far side, reads the counters after each step and compares them
// with the table's rows, then detaches everything, whatever happened.
// The error is for a run that could not be done; rows whose counts do
// not match are in the Result (see Result.Err).
func Run(cfg Config) (res *Result, err error) {
	cfg.defaults()
	r := &runner{cfg: cfg, net: cfg.Network}
	defer func() {
		if cerr := r.close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	if err := r.setup(); err != nil {
		return nil, err
	}
	if err := r.probe(); err != nil {
		return nil, err
	}
	return r.res, nil
}

// probe runs every step and fills in the result's rows.
func (r *runner) probe() error {
	if err := r.waitQuiet(); err != nil {
		return err
	}
	rows := r.table.RowsFor(r.cond)
	for index, s := range expect.Steps() {
		p := r.world.plan(s, index)
		var stepRows []expect.Row
		for _, row := range rows {
			if row.Step == s {
				stepRows = append(stepRows, row)
			}
		}
		if p.skip != "" {
			r.res.Skipped = append(r.res.Skipped, SkippedStep{Step: s, Reason: p.skip})
			for _, row := range stepRows {
				r.res.Rows = append(r.res.Rows, evaluate(row, p, observed{}, r.world.endpoints, r.world.vlan))
			}
			continue
		}
		results, err := r.step(index, p, stepRows)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		r.res.Rows = append(r.res.Rows, results...)
	}
	return nil
}
