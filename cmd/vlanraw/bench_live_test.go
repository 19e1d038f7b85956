package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/bench/report"
)

// benchJSON is a saved host run of two benchmarks as go test -json writes
// it (make bench's form): -short, two runs each, the ipvlan ones skipped.
var benchJSON = filepath.Join("testdata", "bench-host.json")

// readReport reads the JSON report that dir holds, failing the test
// unless there is exactly one.
func readReport(t *testing.T, dir string) *report.Report {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%s holds JSON reports %q (%v): want one", dir, files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", files[0], err)
	}
	return r
}

// TestBenchReportKilled stops make bench's report, the end of the
// pipeline go test -json | tee | vlanraw bench report --follow host, part-way.
// It feeds `vlanraw bench report --out DIR --follow host --plan FILE` a saved
// run up to the start of its second benchmark, waits for the line that
// announces that benchmark, and kills vlanraw with SIGKILL, so nothing of
// it runs after. DIR must then hold a valid report of exactly the results
// before, as `vlanraw bench report FILE` of the same lines builds it, and
// no temporary file.
func TestBenchReportKilled(t *testing.T) {
	saved, err := os.ReadFile(benchJSON)
	if err != nil {
		t.Fatal(err)
	}
	const next = `"Output":"BenchmarkLinksCreate\n"`
	i := strings.Index(string(saved), next)
	if i < 0 {
		t.Fatalf("%s does not start BenchmarkLinksCreate", benchJSON)
	}
	i += strings.IndexByte(string(saved[i:]), '\n') + 1
	fed := saved[:i] // up to the line that starts BenchmarkLinksCreate

	tmp := t.TempDir()
	plan := filepath.Join(tmp, "host.list")
	if err := os.WriteFile(plan, []byte("BenchmarkDataPlane\nBenchmarkLinksCreate\nok  \tgithub.com/vlanraw/vlanraw/bench\t0.02s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "results")
	cmd := vlanrawBinary(t)("bench", "report", "--out", out, "--follow", "host", "--plan", plan)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	if _, err := stdin.Write(fed); err != nil {
		t.Fatal(err)
	}
	// vlanraw writes the report after each result, before it reads on:
	// once it announces BenchmarkLinksCreate, every result before is in.
	announced := make(chan string, 1)
	go func() {
		var seen []string
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.HasPrefix(sc.Text(), "bench 2/2 BenchmarkLinksCreate ") {
				announced <- sc.Text()
				return
			}
		}
		announced <- "stderr ended without the announcement:\n" + strings.Join(seen, "\n")
	}()
	select {
	case line := <-announced:
		if want := "bench 2/2 BenchmarkLinksCreate (peer: iproute2: ip -batch and one ip link add per link) at "; !strings.HasPrefix(line, want) {
			t.Fatalf("announced %q, want %q...", line, want)
		}
	case <-time.After(time.Minute):
		t.Fatal("no announcement of BenchmarkLinksCreate within a minute")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	killed = true
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("vlanraw ended with %v before the kill", err)
	}

	got := readReport(t, out)
	prefix := filepath.Join(tmp, "host.json")
	if err := os.WriteFile(prefix, fed, 0o644); err != nil {
		t.Fatal(err)
	}
	rebuilt := filepath.Join(tmp, "rebuilt")
	if code, _, stderr := runCLI("bench", "report", "--out", rebuilt, prefix); code != exitOK {
		t.Fatalf("vlanraw bench report of the lines fed: exit %d, %s", code, stderr)
	}
	want := readReport(t, rebuilt)
	if len(got.Inputs) != 1 || len(want.Inputs) != 1 {
		t.Fatalf("inputs: %d killed, %d rebuilt; want 1", len(got.Inputs), len(want.Inputs))
	}
	var names []string
	for _, b := range got.Inputs[0].Benchmarks {
		names = append(names, b.Name)
	}
	wantNames := []string{"BenchmarkDataPlane/loopback", "BenchmarkDataPlane/veth", "BenchmarkDataPlane/veth+bridge", "BenchmarkDataPlane/macvlan-bridge"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("benchmarks in the killed run's report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Inputs[0].Benchmarks, got.Inputs[0].Benchmarks); diff != "" {
		t.Errorf("the killed run's figures differ from the report of the same lines (-rebuilt +killed):\n%s", diff)
	}
	if diff := cmp.Diff(want.Inputs[0].Skipped, got.Inputs[0].Skipped); diff != "" || len(got.Inputs[0].Skipped) != 3 {
		t.Errorf("skipped: %+v (-rebuilt +killed):\n%s", got.Inputs[0].Skipped, diff)
	}
	md, err := os.ReadFile(filepath.Join(out, got.Name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"## DataPlane", "| host | host |", got.Name + "-DataPlane.svg"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("the Markdown report has no %q", w)
		}
	}
	if strings.Contains(string(md), "LinksCreate") {
		t.Errorf("the Markdown report has BenchmarkLinksCreate, which never finished")
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
