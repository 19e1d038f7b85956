package report

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// want is what a test expects of one parsed benchmark: its name, procs,
// iterations, and the samples of some of its metrics.
type want struct {
	name    string
	procs   int
	iters   []int64
	samples map[string][]float64
}

func check(t *testing.T, in *Input, wants []want) {
	t.Helper()
	if len(in.Benchmarks) != len(wants) {
		var got []string
		for _, b := range in.Benchmarks {
			got = append(got, b.Name)
		}
		t.Fatalf("got benchmarks %q, want %d", got, len(wants))
	}
	for i, w := range wants {
		b := in.Benchmarks[i]
		if b.Name != w.name || b.Procs != w.procs {
			t.Errorf("benchmark %d: %s procs %d, want %s procs %d", i, b.Name, b.Procs, w.name, w.procs)
		}
		if diff := cmp.Diff(w.iters, b.Iterations); diff != "" {
			t.Errorf("%s iterations (-want +got):\n%s", w.name, diff)
		}
		for unit, s := range w.samples {
			m := b.Metric(unit)
			if m == nil {
				t.Errorf("%s: no metric %q", w.name, unit)
				continue
			}
			if diff := cmp.Diff(s, m.Samples); diff != "" {
				t.Errorf("%s %s samples (-want +got):\n%s", w.name, unit, diff)
			}
		}
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []want
	}{{
		name: "headers, sub-benchmarks, logs and noise",
		text: `goos: linux
goarch: amd64
pkg: github.com/vlanraw/vlanraw/bench
cpu: Intel(R) Xeon(R) Processor
BenchmarkDataPlane/loopback-2         	       1	 292633483 ns/op	         4.586 rr-p50-us	        62.73 udp-loss-%	    227882 udp-pps	         2.819 udp-pps-vs-bridge
--- BENCH: BenchmarkDataPlane/loopback-2
    dataplane_test.go:301: kernel 6.18.44-fc-v669: loopback: udp 227882 pps
BenchmarkDataPlane/veth+bridge-2      	       1	 143717330 ns/op	         5.784 rr-p50-us
BenchmarkEndpointScale/n=10-2         	       1	  94083287 ns/op	         0.7612 connect-ms/endpoint	         0.007612 connect-s-total
PASS
ok  	github.com/vlanraw/vlanraw/bench	17.196s
`,
		want: []want{
			{"BenchmarkDataPlane/loopback", 2, []int64{1}, map[string][]float64{
				"ns/op": {292633483}, "udp-loss-%": {62.73}, "udp-pps-vs-bridge": {2.819}}},
			{"BenchmarkDataPlane/veth+bridge", 2, []int64{1}, map[string][]float64{"rr-p50-us": {5.784}}},
			{"BenchmarkEndpointScale/n=10", 2, []int64{1}, map[string][]float64{
				"connect-ms/endpoint": {0.7612}, "connect-s-total": {0.007612}}},
		},
	}, {
		name: "-count 3 repeats every line",
		text: `pkg: github.com/vlanraw/vlanraw/bpf
BenchmarkClassifier/ARP-2         	       1	    816352 ns/op	        17.00 ns/pkt	         1.000 x-trivial
BenchmarkClassifier/IPv4-2        	       1	    711249 ns/op	        17.00 ns/pkt	         1.000 x-trivial
BenchmarkClassifier/ARP-2         	       2	    716352 ns/op	        18.00 ns/pkt	         1.100 x-trivial
BenchmarkClassifier/IPv4-2        	       2	    611249 ns/op	        16.00 ns/pkt	         0.900 x-trivial
BenchmarkClassifier/ARP-2         	       3	    616352 ns/op	        19.00 ns/pkt	         0.950 x-trivial
BenchmarkClassifier/IPv4-2        	       3	    511249 ns/op	        15.00 ns/pkt	         0.800 x-trivial
`,
		want: []want{
			{"BenchmarkClassifier/ARP", 2, []int64{1, 2, 3}, map[string][]float64{"x-trivial": {1, 1.1, 0.95}}},
			{"BenchmarkClassifier/IPv4", 2, []int64{1, 2, 3}, map[string][]float64{"ns/pkt": {17, 16, 15}}},
		},
	}, {
		name: "GOMAXPROCS=1: no suffix, and a name ending in a number stays whole",
		text: `BenchmarkFrame/size-64   	  100	 10 ns/op
BenchmarkFrame/size-1500 	  100	 90 ns/op
`,
		want: []want{
			{"BenchmarkFrame/size-64", 1, []int64{100}, nil},
			{"BenchmarkFrame/size-1500", 1, []int64{100}, nil},
		},
	}, {
		name: "figures after output between name and figures (go test -v)",
		text: `BenchmarkLinksCreate
BenchmarkLinksCreate/kind=macvlan
BenchmarkLinksCreate/kind=macvlan-4
something the benchmark printed
       1	 131326597 ns/op	         8.299 ratio-createall-vs-ip-batch
`,
		want: []want{
			{"BenchmarkLinksCreate/kind=macvlan", 4, []int64{1}, map[string][]float64{"ratio-createall-vs-ip-batch": {8.299}}},
		},
	}, {
		name: "NaN and Inf are left out, malformed lines ignored, a repeated unit counted once",
		text: `BenchmarkX-2   1   5 ns/op   NaN a-vs-b   +Inf c-vs-d   2 e-frames   3 e-frames
BenchmarkX-2   1   6 ns/op   1.5 a-vs-b
BenchmarkX-2   1   6 ns/op   1.5
BenchmarkX-2   one   6 ns/op
BenchmarkX-2   1   six ns/op
`,
		want: []want{
			{"BenchmarkX", 2, []int64{1, 1}, map[string][]float64{
				"ns/op": {5, 6}, "a-vs-b": {1.5}, "c-vs-d": nil, "e-frames": {2}}},
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(strings.NewReader(tt.text), "host")
			if err != nil {
				t.Fatal(err)
			}
			check(t, in, tt.want)
		})
	}
}

// TestParseHeaders checks what Parse takes from the header, environment,
// skip and fail lines.
func TestParseHeaders(t *testing.T) {
	text := `vlanraw-env: kernel=6.12.57+deb12-cloud-amd64 virt=qemu-tcg cpu="QEMU Virtual CPU version 2.5+" cpus=2 go=go1.26.8 date=2026-11-21T10:00:00Z future=1
goos: linux
goarch: amd64
pkg: github.com/vlanraw/vlanraw/bench
cpu: QEMU Virtual CPU version 2.5+
--- SKIP: BenchmarkDataPlane/ipvlan-l2-2
    dataplane_test.go:178: kernel 6.12.57+deb12-cloud-amd64
    require.go:170: ipvlan links: not supported by this kernel
BenchmarkDataPlane/veth-2   1   2 ns/op   1.2 udp-pps-vs-bridge
--- FAIL: BenchmarkEndpoint/driver=ipvlan-2
    endpoints_test.go:80: cnitool add: exit status 1
FAIL
exit status 1
FAIL	github.com/vlanraw/vlanraw/bench	42.1s
`
	in, err := Parse(strings.NewReader(text), "qemu-6.12")
	if err != nil {
		t.Fatal(err)
	}
	wantEnv := Env{
		Kernel: "6.12.57+deb12-cloud-amd64", Virt: QEMUTCG, CPU: "QEMU Virtual CPU version 2.5+", CPUs: 2,
		Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", Date: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
	}
	if diff := cmp.Diff(wantEnv, in.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	wantSkipped := []Note{{"BenchmarkDataPlane/ipvlan-l2", "require.go:170: ipvlan links: not supported by this kernel"}}
	if diff := cmp.Diff(wantSkipped, in.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	wantFailed := []Note{
		{"BenchmarkEndpoint/driver=ipvlan", "endpoints_test.go:80: cnitool add: exit status 1"},
		{"github.com/vlanraw/vlanraw/bench", "package failed 42.1s"},
	}
	if diff := cmp.Diff(wantFailed, in.Failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	if len(in.Benchmarks) != 1 || in.Benchmarks[0].Pkg != "github.com/vlanraw/vlanraw/bench" {
		t.Errorf("benchmarks %+v", in.Benchmarks)
	}
}

// TestParseVirtFromLabel: without an environment line, the label says
// where an input ran.
func TestParseVirtFromLabel(t *testing.T) {
	for label, want := range map[string]Virt{
		"host": Host, "host-2": Host, "qemu-6.12": QEMUTCG, "QEMU-6.1": QEMUTCG, "qemu-kvm-6.12": QEMUKVM, "laptop": VirtUnknown,
	} {
		in, err := Parse(strings.NewReader("BenchmarkX 1 2 ns/op\n"), label)
		if err != nil {
			t.Fatal(err)
		}
		if in.Env.Virt != want {
			t.Errorf("label %q: virt %v, want %v", label, in.Env.Virt, want)
		}
	}
}

func TestParseBadEnvLine(t *testing.T) {
	for _, line := range []string{
		"vlanraw-env: kernel",
		`vlanraw-env: cpu="unterminated`,
		"vlanraw-env: virt=bochs",
		"vlanraw-env: cpus=two",
		"vlanraw-env: date=yesterday",
	} {
		if _, err := Parse(strings.NewReader(line+"\n"), "host"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

// TestParseVerbose reads go test -v's output, where a benchmark's name is
// printed alone when it starts and a skip's or failure's reason comes
// before its --- line.
func TestParseVerbose(t *testing.T) {
	text := `goos: linux
goarch: amd64
pkg: github.com/vlanraw/vlanraw/bench
BenchmarkLinksCreate
BenchmarkLinksCreate/kind=macvlan
BenchmarkLinksCreate/kind=macvlan-2   	       1	 131326597 ns/op	         8.299 ratio-createall-vs-ip-batch
BenchmarkLinksCreate/kind=macvlan-2   	       1	 141326597 ns/op	         8.199 ratio-createall-vs-ip-batch
BenchmarkLinksCreate/kind=ipvlan
    require.go:170: kernel 6.18.44-fc-v669
    require.go:171: kernel 6.18.44-fc-v669 lacks ipvlan links (CONFIG_IPVLAN)
--- SKIP: BenchmarkLinksCreate/kind=ipvlan
BenchmarkEndpoint
BenchmarkEndpoint/driver=macvlan
    endpoints_test.go:80: cnitool add: exit status 1
--- FAIL: BenchmarkEndpoint/driver=macvlan
BenchmarkRSS
--- SKIP: BenchmarkRSS
FAIL
exit status 1
FAIL	github.com/vlanraw/vlanraw/bench	42.1s
`
	in, err := Parse(strings.NewReader(text), "host")
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, []want{
		{"BenchmarkLinksCreate/kind=macvlan", 2, []int64{1, 1}, map[string][]float64{"ratio-createall-vs-ip-batch": {8.299, 8.199}}},
	})
	checkNotes(t, in, []Note{
		{"BenchmarkLinksCreate/kind=ipvlan", "require.go:171: kernel 6.18.44-fc-v669 lacks ipvlan links (CONFIG_IPVLAN)"},
		{"BenchmarkRSS", ""},
	}, []Note{
		{"BenchmarkEndpoint/driver=macvlan", "endpoints_test.go:80: cnitool add: exit status 1"},
		{"github.com/vlanraw/vlanraw/bench", "package failed 42.1s"},
	})
}

// checkNotes compares what in says skipped and failed with skipped and
// failed.
func checkNotes(t *testing.T, in *Input, skipped, failed []Note) {
	t.Helper()
	if diff := cmp.Diff(skipped, in.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(failed, in.Failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
}

// jsonRun is go test -json's output for two packages, as test2json cuts
// it: a result's name and figures in two events (the second run's
// without a Test), a skip's reason before its --- line, build output by
// import path, and events without output.
const jsonRun = `{"Action":"start","Package":"github.com/vlanraw/vlanraw/bench"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"vlanraw-env: kernel=6.18.44-fc-v669 virt=host cpu=\"Intel(R) Xeon(R) Processor\" cpus=2 go=go1.26.8 date=2026-11-21T11:04:59Z\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"pkg: github.com/vlanraw/vlanraw/bench\n"}
{"Action":"run","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane","Output":"=== RUN   BenchmarkDataPlane\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane","Output":"BenchmarkDataPlane\n"}
{"Action":"run","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth","Output":"=== RUN   BenchmarkDataPlane/veth\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth","Output":"BenchmarkDataPlane/veth\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth","Output":"    dataplane_test.go:353: kernel 6.18.44-fc-v669: veth: udp 462393 pps\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth","Output":"BenchmarkDataPlane/veth-2         \t"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/veth","Output":"       1\t4323147742 ns/op\t         1.302 udp-pps-vs-bridge\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"BenchmarkDataPlane/veth-2         \t"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"       1\t4320328687 ns/op\t         1.205 udp-pps-vs-bridge\n"}
{"Action":"run","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2","Output":"=== RUN   BenchmarkDataPlane/ipvlan-l2\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2","Output":"BenchmarkDataPlane/ipvlan-l2\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2","Output":"    require.go:171: kernel 6.18.44-fc-v669 lacks ipvlan links (CONFIG_IPVLAN)\n"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2","Output":"--- SKIP: BenchmarkDataPlane/ipvlan-l2\n"}
{"Action":"skip","Package":"github.com/vlanraw/vlanraw/bench","Test":"BenchmarkDataPlane/ipvlan-l2"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bench","Output":"PASS\n"}
{"Action":"pass","Package":"github.com/vlanraw/vlanraw/bench","Elapsed":9.1}
{"ImportPath":"github.com/vlanraw/vlanraw/bpf [github.com/vlanraw/vlanraw/bpf.test]","Action":"build-output","Output":"# github.com/vlanraw/vlanraw/bpf\n"}
{"ImportPath":"github.com/vlanraw/vlanraw/bpf [github.com/vlanraw/vlanraw/bpf.test]","Action":"build-output","Output":"bpf/bench_test.go:3:1: syntax error\n"}
{"ImportPath":"github.com/vlanraw/vlanraw/bpf [github.com/vlanraw/vlanraw/bpf.test]","Action":"build-fail"}
{"Action":"start","Package":"github.com/vlanraw/vlanraw/bpf"}
{"Action":"output","Package":"github.com/vlanraw/vlanraw/bpf","Output":"FAIL\tgithub.com/vlanraw/vlanraw/bpf [build failed]\n"}
{"Action":"fail","Package":"github.com/vlanraw/vlanraw/bpf","Elapsed":0,"FailedBuild":"github.com/vlanraw/vlanraw/bpf [github.com/vlanraw/vlanraw/bpf.test]"}
`

// TestParseJSON reads go test -json's output as the text it carries.
func TestParseJSON(t *testing.T) {
	in, err := Parse(strings.NewReader(jsonRun), "host")
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, []want{
		{"BenchmarkDataPlane/veth", 2, []int64{1, 1}, map[string][]float64{
			"ns/op": {4323147742, 4320328687}, "udp-pps-vs-bridge": {1.302, 1.205}}},
	})
	if in.Env.Kernel != "6.18.44-fc-v669" || in.Env.Virt != Host {
		t.Errorf("env %+v: want kernel 6.18.44-fc-v669 on the host", in.Env)
	}
	checkNotes(t, in,
		[]Note{{"BenchmarkDataPlane/ipvlan-l2", "require.go:171: kernel 6.18.44-fc-v669 lacks ipvlan links (CONFIG_IPVLAN)"}},
		[]Note{{"github.com/vlanraw/vlanraw/bpf", "package failed [build failed]"}})
}

// TestDecoder checks how test2json's events become lines: output joined
// per package up to each newline, text lines passed as they are, other
// events dropped, and what no newline ended returned by flush.
func TestDecoder(t *testing.T) {
	var d decoder
	var got []string
	for _, raw := range []string{
		`{"Action":"output","Package":"a","Output":"Benchmark"}`,
		`{"Action":"output","Package":"b","Output":"x\ny"}`,
		`{"Action":"output","Package":"a","Output":"X-2 \t1 2 ns/op\nBenchmarkY\n"}`,
		`{"Action":"pass","Package":"a"}`,
		`not json {`,
		`{"no action": 1}`,
		`{"Action":"build-output","ImportPath":"c","Output":"# c\n"}`,
		`{"Action":"output","Package":"b","Output":"z"}`,
	} {
		got = append(got, d.lines(raw)...)
	}
	got = append(got, d.flush()...)
	want := []string{"x", "BenchmarkX-2 \t1 2 ns/op", "BenchmarkY", "not json {", `{"no action": 1}`, "# c", "yz"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
