package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// result is one benchmark line before the GOMAXPROCS suffix is known.
type result struct {
	pkg, name string
	iters     int64
	values    []float64
	units     []string
}

// procsSuffix is the -N that go test appends to benchmark names when
// GOMAXPROCS is not 1.
var procsSuffix = regexp.MustCompile(`-(\d+)$`)

// Parse reads the text output of `go test -bench` (or of a test binary
// run with -test.bench), possibly several packages' and with -count
// repetitions, and returns its benchmarks labelled label. It reads the
// header lines (goos:, goarch:, pkg:, cpu:), the environment line of
// package bench (see Env.Line), result lines
//
//	BenchmarkDataPlane/veth-2   3   291838312 ns/op   2094 tcp-MBps   1.700 tcp-MBps-vs-bridge
//
// and --- SKIP and --- FAIL blocks; anything else (PASS, ok, logs, build
// output) is ignored. Without an environment line, the input is taken to
// have run under QEMU/TCG when label starts with "qemu" (QEMU/KVM when
// it also has "kvm"), on the host when it starts with "host".
func Parse(r io.Reader, label string) (*Input, error) {
	in := &Input{Label: label}
	var (
		results []result
		pkg     string
		pending string // a benchmark name printed alone, its figures to follow
		note    *[]Note
		haveEnv bool
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimLeft(line, " \t")
		if note != nil {
			if trimmed != line && !strings.HasPrefix(trimmed, "--- ") {
				(*note)[len(*note)-1].Reason = trimmed
				continue
			}
			note = nil
		}
		switch {
		case strings.HasPrefix(line, EnvPrefix):
			if err := parseEnvLine(line, &in.Env); err != nil {
				return nil, fmt.Errorf("%s: %w", label, err)
			}
			haveEnv = true
		case strings.HasPrefix(line, "goos: "):
			in.Env.GOOS = strings.TrimPrefix(line, "goos: ")
		case strings.HasPrefix(line, "goarch: "):
			in.Env.GOARCH = strings.TrimPrefix(line, "goarch: ")
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "cpu: "):
			if in.Env.CPU == "" {
				in.Env.CPU = strings.TrimPrefix(line, "cpu: ")
			}
		case strings.HasPrefix(trimmed, "--- SKIP: "):
			in.Skipped = append(in.Skipped, Note{Name: strings.TrimPrefix(trimmed, "--- SKIP: ")})
			note = &in.Skipped
		case strings.HasPrefix(trimmed, "--- FAIL: "):
			in.Failed = append(in.Failed, Note{Name: strings.TrimPrefix(trimmed, "--- FAIL: ")})
			note = &in.Failed
		case strings.HasPrefix(line, "FAIL\t"):
			f := strings.Split(line, "\t")
			in.Failed = append(in.Failed, Note{Name: f[1], Reason: strings.TrimSpace("package failed " + strings.Join(f[2:], " "))})
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) == 1 {
				pending = f[0]
				continue
			}
			if res, ok := parseResult(pkg, f[0], f[1:]); ok {
				results = append(results, res)
			}
			pending = ""
		case pending != "":
			// The figures of a benchmark that printed something between
			// its name and its figures.
			if res, ok := parseResult(pkg, pending, strings.Fields(line)); ok {
				results = append(results, res)
				pending = ""
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if !haveEnv {
		in.Env.Virt = virtFromLabel(label)
	}
	in.add(results)
	return in, nil
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
		s := procsSuffix.FindString(r.name)
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
