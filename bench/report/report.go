package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Schema is the version of the JSON form; it changes when a field
// changes meaning.
const Schema = 1

// Report is every input of one benchmark run, the answers to the
// Findings, and the name its files carry.
type Report struct {
	Schema int `json:"schema"`
	// Name is <kernel>-<date>: the first input's kernel (a host input's
	// if there is one) and the day it ran.
	Name string `json:"name"`
	// Kernel and Date (YYYY-MM-DD) are the parts of Name.
	Kernel   string   `json:"kernel"`
	Date     string   `json:"date"`
	Inputs   []*Input `json:"inputs"`
	Findings []Answer `json:"findings"`
}

// ErrNoResults is returned by New when no input holds a benchmark result.
var ErrNoResults = errors.New("no benchmark results")

// New builds the report of inputs, answering findings (normally
// Findings). now dates the report when no input says when it ran.
func New(inputs []*Input, findings []Finding, now time.Time) (*Report, error) {
	n := 0
	for _, in := range inputs {
		n += len(in.Benchmarks)
	}
	if n == 0 {
		return nil, ErrNoResults
	}
	r := &Report{Schema: Schema, Inputs: inputs, Findings: []Answer{}}
	for _, f := range findings {
		a, err := f.Answer(inputs)
		if err != nil {
			return nil, err
		}
		r.Findings = append(r.Findings, a)
	}
	r.Kernel, r.Date = nameParts(inputs, now)
	r.Name = unsafeName().ReplaceAllString(r.Kernel, "_") + "-" + r.Date
	return r, nil
}

// unsafeName (compiled on first use) matches what a file name should not hold.
var unsafeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._+-]+`) })

// nameParts returns the kernel and the date of the first host input, else
// of the first input that names its kernel.
func nameParts(inputs []*Input, now time.Time) (kernel, date string) {
	var first *Input
	for _, in := range inputs {
		if in.Env.Kernel == "" {
			continue
		}
		if first == nil || (in.Env.Virt == Host && first.Env.Virt != Host) {
			first = in
		}
	}
	kernel, t := "unknown", now
	if first != nil {
		kernel = first.Env.Kernel
		if !first.Env.Date.IsZero() {
			t = first.Env.Date
		}
	}
	return kernel, t.UTC().Format("2006-01-02")
}

// Group is the benchmarks of one top-level benchmark, per input.
type Group struct {
	// Name is the top-level benchmark without "Benchmark".
	Name string
	Pkg  string
	// Parts hold the group's benchmarks from each input that ran it.
	Parts []Part
}

// Part is one input's benchmarks of a group, in their order.
type Part struct {
	Input      *Input
	Benchmarks []*Benchmark
}

// Groups returns the benchmark groups, in the order they first appear.
func (r *Report) Groups() []*Group {
	var groups []*Group
	find := func(name string) *Group {
		for _, g := range groups {
			if g.Name == name {
				return g
			}
		}
		return nil
	}
	for _, in := range r.Inputs {
		for _, b := range in.Benchmarks {
			g := find(b.Group())
			if g == nil {
				g = &Group{Name: b.Group(), Pkg: b.Pkg}
				groups = append(groups, g)
			}
			if len(g.Parts) == 0 || g.Parts[len(g.Parts)-1].Input != in {
				g.Parts = append(g.Parts, Part{Input: in})
			}
			p := &g.Parts[len(g.Parts)-1]
			p.Benchmarks = append(p.Benchmarks, b)
		}
	}
	return groups
}

// ChartFile is the file name of a group's chart: <name>-<group>.svg.
func (r *Report) ChartFile(g *Group) string {
	return r.Name + "-" + unsafeName().ReplaceAllString(g.Name, "_") + ".svg"
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a report that WriteJSON wrote.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("read report: schema %d, want %d", r.Schema, Schema)
	}
	return &r, nil
}

// WriteFiles writes the report into dir, created if need be:
// <name>.json, <name>.md and a chart <name>-<group>.svg per group that
// has one. It returns the paths it wrote. Each file is written under a
// temporary name and renamed into place, so that a reader, or a run
// killed in the middle, sees the previous version of a file or the new
// one, never a part.
func (r *Report) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	var paths []string
	write := func(file string, fn func(io.Writer) error) error {
		p := filepath.Join(dir, file)
		if err := writeAtomic(p, fn); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		paths = append(paths, p)
		return nil
	}
	if err := write(r.Name+".json", r.WriteJSON); err != nil {
		return paths, err
	}
	if err := write(r.Name+".md", r.WriteMarkdown); err != nil {
		return paths, err
	}
	for _, g := range r.Groups() {
		svg := r.Chart(g)
		if svg == nil {
			continue
		}
		err := write(r.ChartFile(g), func(w io.Writer) error {
			_, err := w.Write(svg)
			return err
		})
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}

// writeAtomic writes path with fn through a temporary file in the same
// directory (.NAME.tmp*), renamed to path once complete.
func writeAtomic(path string, fn func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after the rename, there is nothing left to remove
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
