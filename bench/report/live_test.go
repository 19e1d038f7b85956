package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// lineWriter hands each line written to it to a channel.
type lineWriter chan string

func (w lineWriter) Write(b []byte) (int, error) {
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" {
			w <- strings.TrimSuffix(l, "\n")
		}
	}
	return len(b), nil
}

// until reads lines from w until one has want, failing the test after a
// minute without it.
func (w lineWriter) until(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case l := <-w:
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout:
			t.Fatalf("no progress line with %q", want)
		}
	}
}

// onDisk reads the JSON report that dir holds.
func onDisk(t *testing.T, dir string) *Report {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("report files %q, %v: want one JSON", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLive feeds a run to Live.Follow a line at a time and checks, after
// each result, that the report on disk already holds it, and the lines
// that announce each benchmark.
func TestLive(t *testing.T) {
	dir := t.TempDir()
	host, err := Parse(strings.NewReader("vlanraw-env: kernel=6.18.44-fc-v669 virt=host date=2026-11-21T11:04:59Z\nBenchmarkRSS/link-show-2 1 5 ns/op 0.4 ratio-link-show-vs-ip\n"), "host")
	if err != nil {
		t.Fatal(err)
	}
	progress := make(lineWriter, 100)
	l := &Live{Label: "qemu-6.12", Earlier: []*Input{host}, Plan: []string{"BenchmarkDataPlane", "BenchmarkLinksCreate"}, Dir: dir, Progress: progress}
	pr, pw := io.Pipe()
	type result struct {
		in    *Input
		paths []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		in, paths, err := l.Follow(pr)
		done <- result{in, paths, err}
	}()
	// write hands lines to Follow, which copies a line to progress once
	// the report holds what it ended: a line seen on progress means
	// every line up to it is in the report.
	write := func(text string) {
		t.Helper()
		if _, err := io.WriteString(pw, text); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"vlanraw-env: kernel=6.12.57+deb12-cloud-amd64 virt=qemu-tcg cpus=2\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane","Output":"=== RUN   BenchmarkDataPlane\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane","Output":"BenchmarkDataPlane\n"}
`)
	if got, want := progress.until(t, "BenchmarkDataPlane"), "bench 1/2 BenchmarkDataPlane (peer: veth+bridge) at "; !strings.HasPrefix(got, want) {
		t.Errorf("announced %q, want %q...", got, want)
	}
	write(`{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2","Output":"BenchmarkDataPlane/ipvlan-l2\n"}
`)
	if got, want := progress.until(t, "ipvlan-l2"), "bench 1/2 BenchmarkDataPlane/ipvlan-l2 at "; !strings.HasPrefix(got, want) {
		t.Errorf("announced %q, want %q...", got, want)
	}
	for i, udp := range []string{"1.5", "1.25"} {
		write(`{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"BenchmarkDataPlane/ipvlan-l2-2   \t"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"1\t6817468833 ns/op\t` + udp + ` udp-pps-vs-bridge\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"marker ` + udp + `\n"}
`)
		progress.until(t, "marker "+udp)
		r := onDisk(t, dir)
		if len(r.Inputs) != 2 || r.Inputs[0].Label != "host" || r.Inputs[1].Label != "qemu-6.12" {
			t.Fatalf("after result %d: inputs %+v, want host and qemu-6.12", i+1, r.Inputs)
		}
		b := r.Inputs[1].Benchmark("BenchmarkDataPlane/ipvlan-l2")
		if b == nil || b.Runs() != i+1 {
			t.Fatalf("after result %d: the report holds %+v", i+1, b)
		}
		if r.Name != "6.18.44-fc-v669-2026-11-21" {
			t.Errorf("report named %q, want the host input's kernel and day", r.Name)
		}
	}
	write("BenchmarkLinksCreate\nBenchmarkLinksCreate/kind=vlan\n    require.go:171: kernel 6.12.57 lacks vlan links (CONFIG_VLAN_8021Q)\n--- SKIP: BenchmarkLinksCreate/kind=vlan\nBenchmarkExtra\n")
	if got, want := progress.until(t, "BenchmarkExtra"), "bench 3 BenchmarkExtra at "; !strings.HasPrefix(got, want) {
		t.Errorf("a benchmark beyond the plan: announced %q, want %q...", got, want)
	}
	pw.Close()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if want := []Note{{"BenchmarkLinksCreate/kind=vlan", "require.go:171: kernel 6.12.57 lacks vlan links (CONFIG_VLAN_8021Q)"}}; !slices.Equal(res.in.Skipped, want) {
		t.Errorf("skipped %+v, want %+v", res.in.Skipped, want)
	}
	r := onDisk(t, dir)
	if got := r.Inputs[1].Skipped; !slices.Equal(got, res.in.Skipped) {
		t.Errorf("the last report's skips %+v, want %+v", got, res.in.Skipped)
	}
	var names []string
	for _, p := range res.paths {
		names = append(names, filepath.Base(p))
	}
	if want := []string{"6.18.44-fc-v669-2026-11-21.json", "6.18.44-fc-v669-2026-11-21.md", "6.18.44-fc-v669-2026-11-21-RSS.svg", "6.18.44-fc-v669-2026-11-21-DataPlane.svg"}; !slices.Equal(names, want) {
		t.Errorf("paths %q, want %q", names, want)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

// TestLiveEcho checks what Follow copies to Progress: everything but
// go test -json's === lines, with benchmarks' bare names announced.
func TestLiveEcho(t *testing.T) {
	var progress bytes.Buffer
	l := &Live{Label: "host", Dir: t.TempDir(), Progress: &progress}
	if _, _, err := l.Follow(strings.NewReader(jsonRun)); err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(` at \d+s\n`).ReplaceAllString(progress.String(), " at Ts\n")
	want := `vlanraw-env: kernel=6.18.44-fc-v669 virt=host cpu="Intel(R) Xeon(R) Processor" cpus=2 go=go1.26.8 date=2026-11-21T11:04:59Z
pkg: github.com/vlanraw/vlanraw/bench
bench 1 BenchmarkDataPlane (peer: veth+bridge) at Ts
bench 1 BenchmarkDataPlane/veth at Ts
    dataplane_test.go:353: kernel 6.18.44-fc-v669: veth: udp 462393 pps
BenchmarkDataPlane/veth-2         	       1	4323147742 ns/op	         1.302 udp-pps-vs-bridge
BenchmarkDataPlane/veth-2         	       1	4320328687 ns/op	         1.205 udp-pps-vs-bridge
bench 1 BenchmarkDataPlane/ipvlan-l2 at Ts
    require.go:171: kernel 6.18.44-fc-v669 lacks ipvlan links (CONFIG_IPVLAN)
--- SKIP: BenchmarkDataPlane/ipvlan-l2
PASS
# github.com/vlanraw/vlanraw/bpf
bpf/bench_test.go:3:1: syntax error
FAIL	github.com/vlanraw/vlanraw/bpf [build failed]
`
	if got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
}

// TestLiveNoResults: a run without results, and nothing earlier, has no
// report.
func TestLiveNoResults(t *testing.T) {
	dir := t.TempDir()
	l := &Live{Label: "host", Dir: dir, Progress: io.Discard}
	_, paths, err := l.Follow(strings.NewReader("BenchmarkX\n--- SKIP: BenchmarkX\n"))
	if err != ErrNoResults || len(paths) != 0 {
		t.Errorf("paths %q, err %v; want none and ErrNoResults", paths, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files written: %v", ents)
	}
}

func TestReadPlan(t *testing.T) {
	plan, err := ReadPlan(strings.NewReader("TestMain\nBenchmarkA\nExampleX\nBenchmarkB\nok  \tgithub.com/vlanraw/vlanraw/bench\t0.01s\nBenchmarkC\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"BenchmarkA", "BenchmarkB", "BenchmarkC"}; !slices.Equal(plan, want) {
		t.Errorf("plan %q, want %q", plan, want)
	}
}

// TestPeers checks that Peers names the peer of every benchmark of
// packages bench and bpf, and of no other.
func TestPeers(t *testing.T) {
	decl := regexp.MustCompile(`(?m)^func Benchmark(\w+)\(b \*testing\.B\)`)
	var groups []string
	for _, pattern := range []string{"../*_test.go", "../../bpf/*_test.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %q, %v", pattern, files, err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range decl.FindAllSubmatch(src, -1) {
				groups = append(groups, string(m[1]))
			}
		}
	}
	slices.Sort(groups)
	var peers []string
	for g := range Peers {
		peers = append(peers, g)
	}
	slices.Sort(peers)
	if !slices.Equal(groups, peers) {
		t.Errorf("benchmarks %q, Peers has %q", groups, peers)
	}
}
