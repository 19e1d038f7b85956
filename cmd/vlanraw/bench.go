package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bench/report"
)

// benchSuites are the compiled benchmark suites `vlanraw bench` runs, as
// `make bench-bin` builds them: go test -c -o bin/NAME PKG.
var benchSuites = []struct{ name, pkg string }{
	{"vlanraw-bench.test", "./bench"},
	{"vlanraw-bpf-bench.test", "./bpf"},
}

// benchOptions are the flags of `vlanraw bench`.
type benchOptions struct {
	out       string
	count     int
	benchtime string
	short     bool
	run       string
	help      bool
}

// defaultBenchOut is where reports go unless --out says otherwise.
const defaultBenchOut = "bench/results"

// newBenchFlags returns the flags of `vlanraw bench`, bound to o.
func newBenchFlags(o *benchOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.StringVar(&o.out, "out", defaultBenchOut, "write the report into DIR")
	fs.IntVar(&o.count, "count", 3, "run each benchmark N times")
	fs.StringVar(&o.benchtime, "benchtime", "1x", "iterations (1x) or time (2s) per run")
	fs.BoolVar(&o.short, "short", false, "minimal sizes and loads")
	fs.StringVar(&o.run, "run", ".", "run only the benchmarks matching REGEXP")
	fs.BoolVarP(&o.help, "help", "h", false, "show help")
	return fs
}

// runBench runs `vlanraw bench [OPTIONS]`, or `vlanraw bench report`.
func runBench(e *env, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch {
		case (keyword{name: "report"}).matches(args[0]):
			return runBenchReport(e, args[1:])
		case args[0] == "help":
			return &helpRequested{topic: "bench"}
		}
		return usagef("unknown bench command %q: use report or help, or give options only", args[0])
	}
	var o benchOptions
	rest, err := parseFlags(newBenchFlags(&o), "bench", &o.help, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return usagef("bench takes options only, got %q", rest[0])
	case o.count < 1:
		return usagef("invalid --count %d: give 1 or more", o.count)
	case !validBenchtime(o.benchtime):
		return usagef("invalid --benchtime %q: give iterations such as 3x or a time such as 2s", o.benchtime)
	case o.out == "":
		return usagef("--out needs a directory")
	}
	if _, err := regexp.Compile(o.run); err != nil {
		return usagef("invalid --run %q: %v", o.run, err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the vlanraw executable: %w", err)
	}
	var bins []string
	for _, s := range benchSuites {
		p, err := findSuite(self, s.name)
		if err != nil {
			return fmt.Errorf("%w: build it with \"make bench-bin\" (go test -c -o bin/%s %s) and put it next to vlanraw or in PATH", err, s.name, s.pkg)
		}
		bins = append(bins, p)
	}

	var plan []string
	for _, bin := range bins {
		names, err := listSuite(bin, o.run)
		if err != nil {
			return fmt.Errorf("list the benchmarks of %s: %w", filepath.Base(bin), err)
		}
		plan = append(plan, names...)
	}
	// The suites run one after the other into one pipe, which the
	// report follows: a line per benchmark as it starts, and the report
	// rewritten after every result.
	pr, pw := io.Pipe()
	failedc := make(chan []string, 1)
	go func() {
		var failed []string
		for _, bin := range bins {
			if err := runSuite(self, bin, &o, pw); err != nil {
				fmt.Fprintf(pw, "vlanraw: %s: %v\n", filepath.Base(bin), err)
				failed = append(failed, filepath.Base(bin))
			}
		}
		pw.Close()
		failedc <- failed
	}()
	l := &report.Live{Plan: plan, Dir: o.out, Progress: e.stderr}
	_, paths, werr := l.Follow(pr)
	pr.Close() // if the report could not be written, a suite still running stops
	failed := <-failedc
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	if errors.Is(werr, report.ErrNoResults) && os.Geteuid() != 0 {
		werr = fmt.Errorf("%w: run vlanraw bench as root (the benchmarks need CAP_NET_ADMIN, and skip without it)", werr)
	}
	switch {
	case len(failed) > 0 && werr != nil:
		return fmt.Errorf("%s failed (the output above says why), and there is no report: %w", strings.Join(failed, " and "), werr)
	case len(failed) > 0:
		return fmt.Errorf("%s failed (the output above says why); the report holds what was measured", strings.Join(failed, " and "))
	}
	return werr
}

// validBenchtime reports whether s is what go test's -benchtime takes:
// a positive count with an x, or a positive duration.
func validBenchtime(s string) bool {
	if n, ok := strings.CutSuffix(s, "x"); ok {
		i, err := strconv.Atoi(n)
		return err == nil && i > 0
	}
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}

// findSuite looks for the benchmark binary name next to the vlanraw
// executable self, then in PATH.
func findSuite(self, name string) (string, error) {
	p := filepath.Join(filepath.Dir(self), name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("cannot find the benchmark suite %s next to %s or in PATH", name, self)
}

// runSuite runs one benchmark binary with o's settings (and -test.v, so
// that each benchmark's name is printed when it starts), its output
// into w. The suite's CLI benchmarks run this vlanraw
// (VLANRAW_BENCH_VLANRAW), unless the variable says otherwise.
func runSuite(self, bin string, o *benchOptions, w io.Writer) error {
	args := []string{"-test.run", "^$", "-test.bench", o.run,
		"-test.count", strconv.Itoa(o.count), "-test.benchtime", o.benchtime, "-test.timeout", "0", "-test.v"}
	if o.short {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	if os.Getenv("VLANRAW_BENCH_VLANRAW") == "" {
		cmd.Env = append(cmd.Env, "VLANRAW_BENCH_VLANRAW="+self)
	}
	cmd.Stdout, cmd.Stderr = w, w
	fmt.Fprintf(w, "vlanraw: running %s %s\n", bin, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("exit status %d", ee.ExitCode())
		}
		return err
	}
	return nil
}

// listSuite returns the top-level benchmarks of a suite that run, a
// -test.bench regular expression, selects, as the suite's -test.list
// prints them; none when run has a top-level alternation (A/x|B/y),
// which the list cannot take.
func listSuite(bin, run string) ([]string, error) {
	top, ok := topLevel(run)
	if !ok {
		return nil, nil
	}
	out, err := exec.Command(bin, "-test.list", top).Output()
	if err != nil {
		return nil, err
	}
	return report.ReadPlan(bytes.NewReader(out))
}

// topLevel returns the part of a -test.bench regular expression that
// top-level benchmark names must match: up to its first slash outside
// brackets and parentheses, as package testing splits it. ok is false
// for an expression with a top-level alternation.
func topLevel(re string) (top string, ok bool) {
	top = re
	brackets, parens := 0, 0
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '[':
			brackets++
		case ']':
			brackets = max(brackets-1, 0)
		case '(':
			if brackets == 0 {
				parens++
			}
		case ')':
			if brackets == 0 {
				parens--
			}
		case '\\':
			i++
		case '/':
			if brackets == 0 && parens == 0 && top == re {
				top = re[:i]
			}
		case '|':
			if brackets == 0 && parens == 0 {
				return "", false
			}
		}
	}
	return top, true
}

// writeBenchReport builds the report of inputs, writes it into dir and
// prints the paths it wrote.
func writeBenchReport(e *env, inputs []*report.Input, dir string) error {
	r, err := report.New(inputs, report.Findings, time.Now())
	if err != nil {
		var names []string
		for _, in := range inputs {
			names = append(names, in.Label)
		}
		return fmt.Errorf("report of %s: %w", strings.Join(names, ", "), err)
	}
	paths, err := r.WriteFiles(dir)
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return err
}
