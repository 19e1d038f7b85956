package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/vlanraw/vlanraw/bpf"
)

// clearScreen moves the cursor home and clears the terminal, for
// --watch.
const clearScreen = "\033[H\033[2J"

// hookReport is one hook's counters, as `stats show -j` prints them.
type hookReport struct {
	Ifname    string               `json:"ifname"`
	Direction bpf.Direction        `json:"direction"`
	Mode      bpf.Mode             `json:"mode"`
	Classes   map[string]bpf.Count `json:"classes"`
	Total     bpf.Count            `json:"total"`
	VLANs     map[string]bpf.Count `json:"vlans"`
	// Error says why the counters could not be read, such as an attach
	// that was interrupted.
	Error string `json:"error,omitempty"`

	counts bpf.Counts
}

// runStatsShow prints the counters of the target's hooks, or of every
// pinned hook in the namespace when no interface is given; --watch
// redraws them every interval until SIGINT or SIGTERM.
func runStatsShow(e *env, args []string) error {
	t, o, err := parseStatsArgs(e, "show", args, true)
	if err != nil {
		return err
	}
	if err := t.open(); err != nil {
		return err
	}
	defer t.close()
	hooks, err := t.openHooks()
	if err != nil {
		return err
	}
	defer func() {
		for _, h := range hooks {
			h.Close()
		}
	}()
	if !o.watch {
		return e.printStats(readReports(hooks), nil, 0)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	var prev []hookReport
	last := time.Now()
	for {
		now := time.Now()
		reps := readReports(hooks)
		if !e.json {
			fmt.Fprintf(e.stdout, "%sEvery %v: vlanraw stats show%s  %s\n\n", clearScreen, o.interval, t.describe(), now.Format("15:04:05"))
		}
		if err := e.printStats(reps, prev, now.Sub(last)); err != nil {
			return err
		}
		prev, last = reps, now
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// describe renders the target as the command's words, for --watch.
func (t *statsTarget) describe() string {
	s := ""
	if t.nsName != "" {
		s += " --netns " + t.nsName
	}
	if t.dev != "" {
		s += " " + t.dev
	}
	return s
}

// openHooks opens the pinned hooks the target names: the interface's in
// the given directions, or every one pinned in the namespace.
func (t *statsTarget) openHooks() ([]*bpf.Hook, error) {
	var hooks []*bpf.Hook
	fail := func(err error) ([]*bpf.Hook, error) {
		for _, h := range hooks {
			h.Close()
		}
		return nil, err
	}
	if t.dev != "" {
		for _, d := range t.dirs {
			h, err := bpf.OpenPinned(t.ns, t.dev, d)
			if errors.Is(err, bpf.ErrNotAttached) {
				continue
			}
			if err != nil {
				return fail(err)
			}
			hooks = append(hooks, h)
		}
		if len(hooks) == 0 {
			names := make([]string, len(t.dirs))
			for i, d := range t.dirs {
				names[i] = d.String()
			}
			return nil, fmt.Errorf("%w to %s %s%s: attach them with \"vlanraw stats attach %s\"",
				bpf.ErrNotAttached, t.dev, strings.Join(names, " or "), t.where(), t.dev)
		}
		return hooks, nil
	}
	id, err := t.ns.ID()
	if err != nil {
		return nil, err
	}
	all, err := bpf.ListPinned()
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.NetNSInode != id.Inode {
			continue
		}
		h, err := bpf.OpenPinned(t.ns, p.Ifname, p.Direction)
		if err != nil {
			return fail(err)
		}
		hooks = append(hooks, h)
	}
	return hooks, nil
}

// readReports reads every hook's counters.
func readReports(hooks []*bpf.Hook) []hookReport {
	reps := make([]hookReport, 0, len(hooks))
	for _, h := range hooks {
		r := hookReport{Ifname: h.Ifname(), Direction: h.Direction(), Mode: h.Mode(),
			Classes: map[string]bpf.Count{}, VLANs: map[string]bpf.Count{}}
		c, err := h.Counts()
		if err != nil {
			r.Error = err.Error()
		}
		r.counts = c
		for _, cl := range bpf.Classes() {
			r.Classes[cl.String()] = c.Class[cl]
		}
		for id, v := range c.VLAN {
			r.VLANs[strconv.Itoa(int(id))] = v
		}
		r.Total = c.Total()
		reps = append(reps, r)
	}
	return reps
}

// printStats prints reps as JSON or as one table per hook; with prev
// (the reading elapsed earlier) the tables have per-second rates too.
func (e *env) printStats(reps, prev []hookReport, elapsed time.Duration) error {
	if e.json {
		return writeJSON(e.stdout, reps, e.pretty)
	}
	var b strings.Builder
	for i, r := range reps {
		if i > 0 {
			b.WriteString("\n")
		}
		var old *bpf.Counts
		if i < len(prev) && prev[i].Ifname == r.Ifname && prev[i].Direction == r.Direction {
			old = &prev[i].counts
		}
		writeHookTable(&b, r, old, elapsed)
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// writeHookTable writes one hook's table: a row per class, the total,
// then a row per VLAN id seen.
func writeHookTable(w io.Writer, r hookReport, old *bpf.Counts, elapsed time.Duration) {
	fmt.Fprintf(w, "%s %s (%s)\n", r.Ifname, r.Direction, r.Mode)
	if r.Error != "" {
		fmt.Fprintf(w, "  %s\n", r.Error)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	rates := old != nil && elapsed > 0
	if rates {
		fmt.Fprint(tw, "  CLASS\tPACKETS\tBYTES\tPACKETS/S\tBYTES/S\t\n")
	} else {
		fmt.Fprint(tw, "  CLASS\tPACKETS\tBYTES\t\n")
	}
	row := func(name string, now, before bpf.Count) {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t", name, now.Packets, now.Bytes)
		if rates {
			d := now.Sub(before)
			fmt.Fprintf(tw, "%.0f\t%.0f\t", float64(d.Packets)/elapsed.Seconds(), float64(d.Bytes)/elapsed.Seconds())
		}
		fmt.Fprint(tw, "\n")
	}
	var was bpf.Counts
	if old != nil {
		was = *old
	}
	for _, c := range bpf.Classes() {
		row(c.String(), r.counts.Class[c], was.Class[c])
	}
	row("total", r.counts.Total(), was.Total())
	ids := make([]int, 0, len(r.counts.VLAN))
	for id := range r.counts.VLAN {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	for _, id := range ids {
		row("vlan "+strconv.Itoa(id), r.counts.VLAN[uint16(id)], was.VLAN[uint16(id)])
	}
	tw.Flush()
}
