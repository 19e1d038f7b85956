package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Live follows one benchmark run while it runs. It reads the run's
// output as go test writes it (-json or -v, whose lines say when each
// benchmark starts; plain text works too, without the announcements),
// copies it to Progress with a line in place of each benchmark's bare
// name when it starts,
//
//	bench 3/8 BenchmarkEndpoint (peer: the CNI plugins through cnitool) at 2m13s
//	bench 3/8 BenchmarkEndpoint/driver=macvlan at 2m13s
//
// and writes the report into Dir (Report.WriteFiles, file by file
// atomically) after every result, skip and failure, before it copies the
// line that ended it, so that a run stopped part-way leaves the report
// of what finished.
type Live struct {
	// Label names where the run runs, such as host or qemu-6.12; empty,
	// it is what the run's environment line says: host, or qemu-tcg or
	// qemu-kvm.
	Label string
	// Earlier are complete inputs of runs before this one; the report
	// holds them first.
	Earlier []*Input
	// Plan lists the top-level benchmarks the run will start (see
	// ReadPlan), for the 8 of "bench 3/8"; without it the lines read
	// "bench 3".
	Plan []string
	// Dir is where the report goes.
	Dir string
	// Progress receives the run's output and the announcements.
	Progress io.Writer
}

// Follow reads r to its end, as described for Live, and returns this
// run's input and the paths of the report's files as the last write left
// them. It fails when the report cannot be written; when neither the
// run nor Earlier holds a result, with an error matching ErrNoResults.
func (l *Live) Follow(r io.Reader) (*Input, []string, error) {
	p := newParser(l.Label)
	var d decoder
	start := time.Now()
	top, written := 0, 0 // top-level benchmarks started; results, skips and failures in the report
	var paths []string
	// handle reads a line, writes the report if the line ended a
	// result, a skip or a failure (once any reason lines that follow
	// are in), and only then copies it to Progress: what Progress shows
	// is in the report.
	handle := func(line string) error {
		if err := p.line(line); err != nil {
			return err
		}
		if n := p.recorded(); n != written && p.note == nil {
			written = n
			ps, err := l.write(p)
			switch {
			case err == nil:
				paths = ps
			case !errors.Is(err, ErrNoResults): // skips before any result: nothing to write yet
				return err
			}
		}
		switch name, ok := startedBenchmark(line); {
		case ok:
			if !strings.Contains(name, "/") {
				top++
			}
			fmt.Fprintln(l.Progress, l.announce(top, name, time.Since(start)))
		case !strings.HasPrefix(line, "=== "): // go test -json's === RUN lines say it again
			fmt.Fprintln(l.Progress, line)
		}
		return nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		for _, line := range d.lines(sc.Text()) {
			if err := handle(line); err != nil {
				return nil, paths, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, paths, fmt.Errorf("%s: %w", l.Label, err)
	}
	for _, line := range d.flush() {
		if err := handle(line); err != nil {
			return nil, paths, err
		}
	}
	// Once more, for the skips and failures after the last result.
	paths, err := l.write(p)
	return l.input(p), paths, err
}

// input returns what p read so far, labelled.
func (l *Live) input(p *parser) *Input {
	in := p.input()
	if l.Label == "" {
		in.Label = Host.String()
		if v := in.Env.Virt; v != Host && v != VirtUnknown {
			in.Label = v.String()
		}
	}
	return in
}

// write writes the report of Earlier and of what p read so far.
func (l *Live) write(p *parser) ([]string, error) {
	r, err := New(append(slices.Clone(l.Earlier), l.input(p)), Findings, time.Now())
	if err != nil {
		return nil, err
	}
	return r.WriteFiles(l.Dir)
}

// announce is the line that says benchmark name starts, the n-th
// top-level one, after elapsed.
func (l *Live) announce(n int, name string, elapsed time.Duration) string {
	count := fmt.Sprint(n)
	if len(l.Plan) >= n {
		count += fmt.Sprintf("/%d", len(l.Plan))
	}
	peer := ""
	if !strings.Contains(name, "/") {
		if p, ok := Peers[strings.TrimPrefix(name, "Benchmark")]; ok {
			peer = " (peer: " + p + ")"
		}
	}
	return fmt.Sprintf("bench %s %s%s at %v", count, name, peer, elapsed.Round(time.Second))
}

// startedBenchmark returns the name of the benchmark that line, a
// benchmark's name alone, says has started (go test -v and -json print
// it then).
func startedBenchmark(line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) != 1 || !strings.HasPrefix(line, "Benchmark") {
		return "", false
	}
	return f[0], true
}

// ReadPlan reads the benchmarks that `go test -list REGEXP` (or a test
// binary's -test.list) printed: the lines that are a benchmark's name.
func ReadPlan(r io.Reader) ([]string, error) {
	var plan []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if name, ok := startedBenchmark(sc.Text()); ok {
			plan = append(plan, name)
		}
	}
	return plan, sc.Err()
}
