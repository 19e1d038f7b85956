package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// benchTestdata is a saved host run, trimmed.
var benchTestdata = filepath.Join("testdata", "bench-host.txt")

// fakeSuiteEnv, when set, makes the test binary, run under the name of a
// benchmark suite, stand in for it (see fakeSuites): it writes its
// arguments into the directory the variable names, prints benchTestdata
// if it is the first suite, and fails if its name is in
// fakeSuiteFailEnv. A test binary, not a script, so that it runs where no
// shell is (inside the QEMU harness).
const (
	fakeSuiteEnv     = "VLANRAW_TEST_FAKE_SUITE"
	fakeSuiteFailEnv = "VLANRAW_TEST_FAKE_SUITE_FAIL"
)

// runFakeSuite is what the test binary does as a stand-in suite; it exits.
// Asked for its list (-test.list), it names the benchmarks of the saved
// run.
func runFakeSuite(dir string) {
	name := filepath.Base(os.Args[0])
	if len(os.Args) > 1 && os.Args[1] == "-test.list" {
		if name == benchSuites[0].name {
			fmt.Println("TestMain\nBenchmarkDataPlane\nBenchmarkEndpoint")
		}
		os.Exit(0)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".args"), []byte(strings.Join(os.Args[1:], " ")+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if name == benchSuites[0].name {
		saved, err := os.ReadFile(filepath.Join(dir, "saved.txt"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Stdout.Write(saved)
	}
	if slices.Contains(strings.Split(os.Getenv(fakeSuiteFailEnv), ","), name) {
		fmt.Println("--- FAIL: BenchmarkX")
		os.Exit(1)
	}
	os.Exit(0)
}

// TestBenchUsage checks that mistakes in bench commands are usage errors
// (exit 2) that name the mistake, before anything runs.
func TestBenchUsage(t *testing.T) {
	for _, tt := range []struct {
		line string
		want string
	}{
		{"bench frob", `unknown bench command "frob"`},
		{"bench --count 0", "invalid --count 0"},
		{"bench --count many", "invalid argument"},
		{"bench --benchtime 0x", `invalid --benchtime "0x"`},
		{"bench --benchtime soon", `invalid --benchtime "soon"`},
		{"bench --run (", `invalid --run "("`},
		{"bench --out=", "--out needs a directory"},
		{"bench --frob", "unknown flag: --frob"},
		{"bench --short extra", `bench takes options only, got "extra"`},
		{"bench report", "needs the output of at least one benchmark run"},
		{"bench report --count 3 a.txt", "unknown flag: --count"},
		{"bench report a/host.txt b/host.txt", `two inputs labelled "host"`},
		{"bench report a.txt=x b.txt=x", `two inputs labelled "x"`},
		{"bench report =host", `"=host" names no file`},
		{"bench report --follow= a.txt", "--follow needs a label"},
		{"bench report --plan p.list a.txt", "--plan is for the run that --follow reads"},
		{"bench report --follow host a/host.txt", `two inputs labelled "host"`},
	} {
		code, stdout, stderr := runCLI(strings.Fields(tt.line)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.line, code, stdout, stderr, tt.want)
		}
		if !strings.Contains(stderr, `see "vlanraw help bench"`) {
			t.Errorf("vlanraw %s: stderr %q does not point at the help", tt.line, stderr)
		}
	}
	for _, line := range []string{"bench help", "bench -h", "bench report --help", "help bench"} {
		if code, out, _ := runCLI(strings.Fields(line)...); code != exitOK || !strings.Contains(out, "vlanraw bench report") {
			t.Errorf("%s: exit %d, %q", line, code, out)
		}
	}
}

// TestBenchHelpCoversEveryWord checks that the help names every command
// and option.
func TestBenchHelpCoversEveryWord(t *testing.T) {
	var b bytes.Buffer
	benchHelp(&b)
	words := []string{"report", "FILE", "LABEL", "make bench-bin", "VLANRAW_BENCH_CNI", "--follow", "--plan"}
	newBenchFlags(&benchOptions{}).VisitAll(func(f *pflag.Flag) {
		words = append(words, "--"+f.Name)
		if f.Shorthand != "" {
			words = append(words, "-"+f.Shorthand)
		}
	})
	for _, s := range benchSuites {
		words = append(words, s.name, s.pkg)
	}
	for _, w := range words {
		if !strings.Contains(b.String(), w) {
			t.Errorf("vlanraw help bench does not mention %q", w)
		}
	}
}

// TestBenchReport builds a report from a saved run, end to end.
func TestBenchReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := runCLI("bench", "report", "--out", out, benchTestdata+"=host")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	paths := strings.Fields(stdout)
	if len(paths) < 3 || !strings.HasSuffix(paths[0], ".json") || !strings.HasSuffix(paths[1], ".md") {
		t.Fatalf("stdout %q: want the JSON, the Markdown and charts", stdout)
	}
	for _, p := range paths {
		if filepath.Dir(p) != out {
			t.Errorf("%s: not in --out %s", p, out)
		}
	}
	md, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Findings", "## Environment", "| host | host | 6.18.44-fc-v669 |", "## DataPlane", ".svg)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the report has no %q", want)
		}
	}

	code, _, stderr = runCLI("bench", "report", "--out", out, filepath.Join(t.TempDir(), "missing.txt"))
	if code != exitRuntime || !strings.Contains(stderr, "missing.txt") {
		t.Errorf("a missing file: exit %d, stderr %q; want 1 naming it", code, stderr)
	}
	empty := filepath.Join(t.TempDir(), "qemu-6.12.txt")
	if err := os.WriteFile(empty, []byte("FAIL\tgithub.com/vlanraw/vlanraw/bench\t1.0s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI("bench", "report", "--out", out, empty)
	if code != exitRuntime || !strings.Contains(stderr, "no benchmark results") {
		t.Errorf("a run without results: exit %d, stderr %q; want 1", code, stderr)
	}
}

// fakeSuites puts links named as the benchmark suites, to this test
// binary, in a directory on PATH: each records its arguments and prints a
// saved run (or fails, for the ones named in failing). It returns the
// directory.
func fakeSuites(t *testing.T, failing ...string) string {
	t.Helper()
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(benchTestdata)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "saved.txt"), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range benchSuites {
		if err := os.Symlink(self, filepath.Join(dir, s.name)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(fakeSuiteEnv, dir)
	t.Setenv(fakeSuiteFailEnv, strings.Join(failing, ","))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

// TestBenchRun runs `vlanraw bench` against stand-in suites and checks
// the arguments they got and the report written.
func TestBenchRun(t *testing.T) {
	dir := fakeSuites(t)
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := runCLI("bench", "--out", out, "--count", "5", "--benchtime", "2s", "--short", "--run", "DataPlane")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "BenchmarkDataPlane/veth") {
		t.Errorf("the suites' output was not streamed to stderr: %q", stderr)
	}
	for _, s := range benchSuites {
		args, err := os.ReadFile(filepath.Join(dir, s.name+".args"))
		if err != nil {
			t.Fatalf("%s did not run: %v", s.name, err)
		}
		want := "-test.run ^$ -test.bench DataPlane -test.count 5 -test.benchtime 2s -test.timeout 0 -test.v -test.short\n"
		if string(args) != want {
			t.Errorf("%s got %q, want %q", s.name, args, want)
		}
	}
	if !strings.Contains(stdout, filepath.Join(out, "6.18.44-fc-v669-")) {
		t.Errorf("stdout %q: want the report's paths", stdout)
	}
}

// TestBenchRunFailures: a missing suite is named with how to build it; a
// failing one still leaves the report of what was measured, and exit 1.
func TestBenchRunFailures(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := runCLI("bench", "--out", t.TempDir())
	if code != exitRuntime || !strings.Contains(stderr, "vlanraw-bench.test") || !strings.Contains(stderr, "make bench-bin") {
		t.Errorf("no suites: exit %d, stderr %q", code, stderr)
	}

	fakeSuites(t, "vlanraw-bpf-bench.test")
	out := t.TempDir()
	code, stdout, stderr := runCLI("bench", "--out", out)
	if code != exitRuntime || !strings.Contains(stderr, "vlanraw-bpf-bench.test failed") {
		t.Errorf("a failing suite: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, ".md") {
		t.Errorf("a failing suite: no report written, stdout %q", stdout)
	}
}

// TestTopLevel checks the part of a -test.bench expression that
// top-level benchmark names must match, which vlanraw bench hands to
// -test.list for its count of benchmarks.
func TestTopLevel(t *testing.T) {
	for _, tt := range []struct {
		re, top string
		ok      bool
	}{
		{".", ".", true},
		{"DataPlane", "DataPlane", true},
		{"^Benchmark(DataPlane|Endpoint)$/(ipvlan|kind=vlan)", "^Benchmark(DataPlane|Endpoint)$", true},
		{"Links[/]x/kind=vlan", "Links[/]x", true},
		{`Links\/x/kind`, `Links\/x`, true},
		{"A/x|B/y", "", false},
		{"(A|B)/x", "(A|B)", true},
	} {
		top, ok := topLevel(tt.re)
		if top != tt.top || ok != tt.ok {
			t.Errorf("topLevel(%q) = %q, %v; want %q, %v", tt.re, top, ok, tt.top, tt.ok)
		}
	}
}
