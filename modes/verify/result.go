package verify

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// ErrMismatch is matched by the error of Result.Err when a row's counts
// are not what its table expects.
var ErrMismatch = errors.New("counts do not match the expectations")

// Result is what a run found.
type Result struct {
	// Network is the network's name; Table the table it was checked
	// against, such as "ipvlan l3", and Semantics that table's summary.
	Network   string `json:"network"`
	Table     string `json:"table"`
	Semantics string `json:"semantics"`
	// Parent is the parent link; VLAN its VLAN id, 0 for a plain one.
	Parent string `json:"parent"`
	VLAN   uint16 `json:"vlan,omitempty"`
	// Wire is the far side as NETNS/DEV, "" when there was none.
	Wire       string `json:"wire,omitempty"`
	Reflecting bool   `json:"reflecting,omitempty"`
	// Kernel is the running kernel's release; Counters how the counters
	// were attached ("tcx" or "cls_bpf").
	Kernel   string `json:"kernel"`
	Counters string `json:"counters"`
	// Copies is how many times each probe frame was sent.
	Copies int `json:"copies"`
	// Endpoints are the endpoints' namespaces; the first is the sender
	// of the probes from an endpoint.
	Endpoints []string `json:"endpoints"`
	// Rows are the table's rows with what was counted, in the order of
	// the steps.
	Rows []RowResult `json:"rows"`
	// Steps are the steps that ran.
	Steps []StepResult `json:"steps"`
	// Skipped are the steps that did not run, and why.
	Skipped []SkippedStep `json:"skipped,omitempty"`
}

// StepResult is a step that ran.
type StepResult struct {
	Step expect.Step `json:"step"`
	// Sent is how many frames it sent; Refused how many of them the
	// sender's driver dropped on the spot (the send failed with ENOBUFS,
	// the kernel's NET_XMIT_DROP).
	Sent    int `json:"sent"`
	Refused int `json:"refused"`
}

// RowResult is one row with its counts.
type RowResult struct {
	expect.Row
	// Endpoints name the endpoints of a per-endpoint row (AtEndpoints,
	// AtSockets), in the order of Expected and Observed; other rows have
	// one count each.
	Endpoints []string `json:"endpoints,omitempty"`
	Expected  []int    `json:"expected"`
	Observed  []int    `json:"observed"`
	Match     bool     `json:"match"`
	// Skipped says why the row was not checked, or is "".
	Skipped string `json:"skipped,omitempty"`
}

// SkippedStep is a step that did not run.
type SkippedStep struct {
	Step   expect.Step `json:"step"`
	Reason string      `json:"reason"`
}

// OK reports whether every row that was checked matches.
func (r *Result) OK() bool { return len(r.Mismatches()) == 0 }

// Mismatches returns the rows that were checked and do not match.
func (r *Result) Mismatches() []RowResult {
	var out []RowResult
	for _, row := range r.Rows {
		if row.Skipped == "" && !row.Match {
			out = append(out, row)
		}
	}
	return out
}

// Checked returns how many rows were checked.
func (r *Result) Checked() int {
	n := 0
	for _, row := range r.Rows {
		if row.Skipped == "" {
			n++
		}
	}
	return n
}

// Row returns the result of the row for step s at point at in class c,
// and whether there is one.
func (r *Result) Row(s expect.Step, at expect.Point, c bpf.Class) (RowResult, bool) {
	for _, row := range r.Rows {
		if row.Step == s && row.At == at && row.Class == c {
			return row, true
		}
	}
	return RowResult{}, false
}

// Err returns nil when every checked row matches, else a *MismatchError
// naming the rows that do not.
func (r *Result) Err() error {
	m := r.Mismatches()
	if len(m) == 0 {
		return nil
	}
	return &MismatchError{Network: r.Network, Table: r.Table, Checked: r.Checked(), Rows: m}
}

// MismatchError names the rows whose counts are not what the table
// expects. It matches ErrMismatch.
type MismatchError struct {
	Network, Table string
	Checked        int
	Rows           []RowResult
}

// Error lists the rows, one sentence each.
func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "network %s is not %s: %d of %d rows do not match", e.Network, e.Table, len(e.Rows), e.Checked)
	for _, row := range e.Rows {
		b.WriteString("\n  ")
		b.WriteString(row.Sentence(e.Table))
	}
	return b.String()
}

// Is makes the error match ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Sentence renders the row with its numbers, such as "ipvlan l3: ARP
// request for an unknown address from the wire, ARP request at the
// endpoints: expected a=0 b=0, observed a=0 b=0".
func (row RowResult) Sentence(table string) string {
	return fmt.Sprintf("%s: %s: expected %s, observed %s", table, row.Row, row.expected(), row.observed())
}

func (row RowResult) expected() string {
	s := row.counts(row.Expected)
	if row.Want.AtLeast {
		return "at least " + s
	}
	return s
}

func (row RowResult) observed() string { return row.counts(row.Observed) }

// counts renders counts, with the endpoints' names for a per-endpoint
// row.
func (row RowResult) counts(cs []int) string {
	if len(cs) == 0 {
		return "-"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
		if i < len(row.Endpoints) {
			parts[i] = row.Endpoints[i] + "=" + parts[i]
		}
	}
	return strings.Join(parts, " ")
}

// WriteText writes the result as a table of expected against observed
// counts, step by step, then the verdict.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.Table, r.Semantics)
	fmt.Fprintf(&b, "network %s, parent %s", r.Network, r.Parent)
	if r.VLAN != 0 {
		fmt.Fprintf(&b, " (VLAN %d)", r.VLAN)
	}
	if r.Wire != "" {
		fmt.Fprintf(&b, ", far side %s", r.Wire)
		if r.Reflecting {
			b.WriteString(" (reflecting)")
		}
	} else {
		b.WriteString(", no far side")
	}
	fmt.Fprintf(&b, "; kernel %s, counters %s, %d copies of each probe\n", r.Kernel, r.Counters, r.Copies)
	fmt.Fprintf(&b, "endpoints %s (the first sends)\n", strings.Join(r.Endpoints, " "))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var step expect.Step
	for i, row := range r.Rows {
		if i == 0 || row.Step != step {
			step = row.Step
			fmt.Fprintf(tw, "\n%s\n", step)
		}
		verdict := "ok"
		switch {
		case row.Skipped != "":
			verdict = "not run: " + row.Skipped
		case !row.Match:
			verdict = "MISMATCH"
		}
		class := row.Counted()
		if row.Class == bpf.ClassVLAN {
			class = fmt.Sprintf("VLAN %d", r.VLAN)
		}
		fmt.Fprintf(tw, "  %s\t%s\texpected %s\tobserved %s\t%s\n", row.At, class, row.expected(), row.observed(), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("\n")
	for _, s := range r.Steps {
		if s.Refused > 0 {
			fmt.Fprintf(&b, "dropped on sending: %s: %d of %d frames\n", s.Step, s.Refused, s.Sent)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "not run: %s: %s\n", s.Step, s.Reason)
	}
	if err := r.Err(); err != nil {
		fmt.Fprintf(&b, "%v\n", err)
	} else {
		fmt.Fprintf(&b, "%s: all %d rows checked match\n", r.Table, r.Checked())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
