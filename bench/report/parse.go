package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// result is one benchmark line before the GOMAXPROCS suffix is known.
type result struct {
	pkg, name string
	iters     int64
	values    []float64
	units     []string
}

// procsSuffix (compiled on first use) is the -N that go test appends to benchmark names when
// GOMAXPROCS is not 1.
var procsSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-(\d+)$`) })

// Parse reads the output of `go test -bench` (or of a test binary run
// with -test.bench), possibly several packages' and with -count
// repetitions, and returns its benchmarks labelled label. The output may
// be text, with or without -v, or go test -json's events, whose output
// it reads. It reads the header lines (goos:, goarch:, pkg:, cpu:), the
// environment line of package bench (see Env.Line), result lines
//
//	BenchmarkDataPlane/veth-2   3   291838312 ns/op   2094 tcp-MBps   1.700 tcp-MBps-vs-bridge
//
// and --- SKIP and --- FAIL blocks (with -v the reason comes before the
// --- line, without it after); anything else (PASS, ok, logs, build
// output) is ignored. Without an environment line, the input is taken to
// have run under QEMU/TCG when label starts with "qemu" (QEMU/KVM when
// it also has "kvm"), on the host when it starts with "host".
func Parse(r io.Reader, label string) (*Input, error) {
	p := newParser(label)
	var d decoder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		for _, line := range d.lines(sc.Text()) {
			if err := p.line(line); err != nil {
				return nil, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	for _, line := range d.flush() {
		if err := p.line(line); err != nil {
			return nil, err
		}
	}
	return p.input(), nil
}

// parser reads go test's output a line at a time (see Parse).
type parser struct {
	label   string
	env     Env
	haveEnv bool
	results []result
	skipped []Note
	failed  []Note
	pkg     string
	pending string  // a benchmark name printed alone, its figures to follow
	note    *[]Note // the notes whose last one takes the indented lines that follow
	// chatty is set once a benchmark name was printed alone, as go test
	// -v (and -json) does when a benchmark starts; then a skip's or a
	// failure's reason is the last line it logged before the --- line.
	chatty  bool
	lastLog string
}

func newParser(label string) *parser { return &parser{label: label} }

// line reads one line of text output.
func (p *parser) line(line string) error {
	line = strings.TrimRight(line, "\r")
	trimmed := strings.TrimLeft(line, " \t")
	indented := trimmed != line
	if p.note != nil {
		if indented && !strings.HasPrefix(trimmed, "--- ") {
			(*p.note)[len(*p.note)-1].Reason = trimmed
			return nil
		}
		p.note = nil
	}
	if indented && !strings.HasPrefix(trimmed, "--- ") {
		p.lastLog = trimmed
	}
	switch {
	case strings.HasPrefix(line, EnvPrefix):
		if err := parseEnvLine(line, &p.env); err != nil {
			return fmt.Errorf("%s: %w", p.label, err)
		}
		p.haveEnv = true
	case strings.HasPrefix(line, "goos: "):
		p.env.GOOS = strings.TrimPrefix(line, "goos: ")
	case strings.HasPrefix(line, "goarch: "):
		p.env.GOARCH = strings.TrimPrefix(line, "goarch: ")
	case strings.HasPrefix(line, "pkg: "):
		p.pkg = strings.TrimPrefix(line, "pkg: ")
	case strings.HasPrefix(line, "cpu: "):
		if p.env.CPU == "" {
			p.env.CPU = strings.TrimPrefix(line, "cpu: ")
		}
	case strings.HasPrefix(trimmed, "--- SKIP: "):
		p.skipped = append(p.skipped, Note{Name: strings.TrimPrefix(trimmed, "--- SKIP: "), Reason: p.logged()})
		p.note = &p.skipped
	case strings.HasPrefix(trimmed, "--- FAIL: "):
		p.failed = append(p.failed, Note{Name: strings.TrimPrefix(trimmed, "--- FAIL: "), Reason: p.logged()})
		p.note = &p.failed
	case strings.HasPrefix(line, "FAIL\t") && len(strings.Fields(line)) > 1:
		// FAIL	PKG	TIME, or FAIL	PKG [build failed]
		f := strings.Fields(line)
		p.failed = append(p.failed, Note{Name: f[1], Reason: strings.TrimSpace("package failed " + strings.Join(f[2:], " "))})
	case strings.HasPrefix(line, "Benchmark"):
		f := strings.Fields(line)
		p.lastLog = ""
		if len(f) == 1 {
			p.pending = f[0]
			p.chatty = true
			return nil
		}
		if res, ok := parseResult(p.pkg, f[0], f[1:]); ok {
			p.results = append(p.results, res)
		}
		p.pending = ""
	case p.pending != "":
		// The figures of a benchmark that printed something between
		// its name and its figures.
		if res, ok := parseResult(p.pkg, p.pending, strings.Fields(line)); ok {
			p.results = append(p.results, res)
			p.pending = ""
		}
	}
	return nil
}

// logged returns the reason of a skip or failure that go test -v printed
// before its --- line: the last line the benchmark logged.
func (p *parser) logged() string {
	if !p.chatty {
		return ""
	}
	return p.lastLog
}

// recorded returns how many results, skips and failures p has read.
func (p *parser) recorded() int {
	return len(p.results) + len(p.skipped) + len(p.failed)
}

// input returns what the lines read so far hold, as a new Input.
func (p *parser) input() *Input {
	in := &Input{Label: p.label, Env: p.env, Skipped: slices.Clone(p.skipped), Failed: slices.Clone(p.failed)}
	if !p.haveEnv {
		in.Env.Virt = virtFromLabel(p.label)
	}
	in.add(p.results)
	return in
}

// parseResult reads the iterations and the value-unit pairs that follow a
// benchmark's name; ok is false if f is not that.
func parseResult(pkg, name string, f []string) (result, bool) {
	if len(f) < 3 || len(f)%2 != 1 {
		return result{}, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return result{}, false
	}
	r := result{pkg: pkg, name: name, iters: n}
	for i := 1; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		r.values = append(r.values, v)
		r.units = append(r.units, f[i+1])
	}
	return r, true
}

// add gathers results into benchmarks, stripping the GOMAXPROCS suffix
// when every result of a package carries the same one (with GOMAXPROCS=1
// there is none, and a name such as size-64 must stay whole).
func (in *Input) add(results []result) {
	suffix := map[string]string{} // pkg -> the suffix all its names share, or "" if they do not
	for _, r := range results {
		s := procsSuffix().FindString(r.name)
		if prev, seen := suffix[r.pkg]; !seen {
			suffix[r.pkg] = s
		} else if prev != s {
			suffix[r.pkg] = ""
		}
	}
	for _, r := range results {
		name, procs := r.name, 1
		if s := suffix[r.pkg]; s != "" {
			name = strings.TrimSuffix(name, s)
			procs, _ = strconv.Atoi(s[1:])
		}
		b := in.Benchmark(name)
		if b == nil {
			b = &Benchmark{Name: name, Pkg: r.pkg, Procs: procs}
			in.Benchmarks = append(in.Benchmarks, b)
		}
		b.Iterations = append(b.Iterations, r.iters)
		seen := map[string]bool{}
		for i, u := range r.units {
			if seen[u] {
				continue
			}
			seen[u] = true
			b.metric(u).add(r.values[i])
		}
	}
	for _, b := range in.Benchmarks {
		for _, m := range b.Metrics {
			m.summarize()
		}
	}
	for _, notes := range [][]Note{in.Skipped, in.Failed} {
		for i, n := range notes {
			for _, s := range suffix {
				if s != "" && strings.HasSuffix(n.Name, s) {
					notes[i].Name = strings.TrimSuffix(n.Name, s)
					break
				}
			}
		}
	}
}

// virtFromLabel guesses where an input without an environment line ran
// from its label.
func virtFromLabel(label string) Virt {
	l := strings.ToLower(label)
	switch {
	case strings.HasPrefix(l, "qemu") && strings.Contains(l, "kvm"):
		return QEMUKVM
	case strings.HasPrefix(l, "qemu"):
		return QEMUTCG
	case strings.HasPrefix(l, "host"):
		return Host
	}
	return VirtUnknown
}
