package report_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/vlanraw/vlanraw/bench/report"
)

// Parse go test's output, with three runs of one benchmark (-count 3),
// and answer the first finding: the fastest mode for small packets.
// r.WriteFiles("bench/results") would write the JSON, the Markdown and
// the charts.
func Example() {
	out := `vlanraw-env: kernel=6.18.44-fc-v669 virt=host cpu="Intel(R) Xeon(R) Processor" cpus=2 go=go1.26.8 date=2026-11-21T11:04:59Z
goos: linux
goarch: amd64
pkg: github.com/vlanraw/vlanraw/bench
BenchmarkDataPlane/macvlan-bridge-2   1   291637627 ns/op   1.287 udp-pps-vs-bridge
BenchmarkDataPlane/macvlan-bridge-2   1   291531127 ns/op   1.301 udp-pps-vs-bridge
BenchmarkDataPlane/macvlan-bridge-2   1   290637627 ns/op   1.262 udp-pps-vs-bridge
PASS
ok  	github.com/vlanraw/vlanraw/bench	2.1s
`
	in, err := report.Parse(strings.NewReader(out), "host")
	if err != nil {
		log.Fatal(err)
	}
	r, err := report.New([]*report.Input{in}, report.Findings[:1], time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Name)
	for _, res := range r.Findings[0].Results {
		fmt.Printf("%s: %s %.3f [%.3f..%.3f] n=%d\n", res.Input, res.Benchmark, res.Median, res.Min, res.Max, res.N)
	}
	// Output:
	// 6.18.44-fc-v669-2026-11-21
	// host: BenchmarkDataPlane/macvlan-bridge 1.287 [1.262..1.301] n=3
}
