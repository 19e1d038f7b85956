package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testReport builds the report of the saved real runs in testdata: the
// host (go test -count 3 -short) and QEMU/TCG on 6.12.
func testReport(t *testing.T) *Report {
	t.Helper()
	var ins []*Input
	for _, label := range []string{"host", "qemu-6.12"} {
		f, err := os.Open(filepath.Join("testdata", label+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := Parse(f, label)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	r, err := New(ins, Findings, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// TestGoldenMarkdown checks the Markdown report of the saved runs.
func TestGoldenMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := testReport(t).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", b.Bytes())
}

// TestGoldenSVG checks every chart of the saved runs, and that charts
// are the same bytes each time they are drawn.
func TestGoldenSVG(t *testing.T) {
	r := testReport(t)
	n := 0
	for _, g := range r.Groups() {
		svg := r.Chart(g)
		if svg == nil {
			continue
		}
		n++
		if again := r.Chart(g); !bytes.Equal(svg, again) {
			t.Errorf("%s: the chart differs from one drawing to the next", g.Name)
		}
		if !bytes.HasPrefix(svg, []byte("<svg ")) || !bytes.HasSuffix(svg, []byte("</svg>\n")) {
			t.Errorf("%s: not an SVG document", g.Name)
		}
		golden(t, strings.TrimPrefix(r.ChartFile(g), r.Name+"-"), svg)
	}
	if n == 0 {
		t.Fatal("no charts")
	}
}

// TestJSONRoundTrip: ReadJSON reads back what WriteJSON wrote.
func TestJSONRoundTrip(t *testing.T) {
	r := testReport(t)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if _, err := ReadJSON(strings.NewReader(`{"schema": 99}`)); err == nil {
		t.Error("another schema: no error")
	}
}

// TestWriteFiles checks the files a report writes and their names.
func TestWriteFiles(t *testing.T) {
	r := testReport(t)
	if r.Name != "6.18.44-fc-v669-2026-11-21" {
		t.Errorf("name %q: want the host's kernel and the day it ran", r.Name)
	}
	dir := t.TempDir()
	paths, err := r.WriteFiles(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if len(names) < 3 || names[0] != r.Name+".json" || names[1] != r.Name+".md" || !strings.HasSuffix(names[2], ".svg") {
		t.Errorf("wrote %q", names)
	}
}

func TestNewWithoutResults(t *testing.T) {
	in, err := Parse(strings.NewReader("FAIL\tgithub.com/vlanraw/vlanraw/bench\t1.0s\n"), "qemu-6.12")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New([]*Input{in}, Findings, time.Now()); err != ErrNoResults {
		t.Errorf("New without results: %v, want ErrNoResults", err)
	}
}

// TestName: a report is named after the host input's kernel, else the
// first that names one, and the day it ran, else today.
func TestName(t *testing.T) {
	day := time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)
	now := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		envs []Env
		want string
	}{
		{[]Env{{Kernel: "6.12.57+deb12-cloud-amd64", Virt: QEMUTCG, Date: day}, {Kernel: "6.18.44", Virt: Host, Date: day}}, "6.18.44-2026-11-21"},
		{[]Env{{Kernel: "6.12.57+deb12-cloud-amd64", Virt: QEMUTCG}}, "6.12.57+deb12-cloud-amd64-2030-01-02"},
		{[]Env{{Kernel: "odd kernel/name"}}, "odd_kernel_name-2030-01-02"},
		{[]Env{{}}, "unknown-2030-01-02"},
	} {
		var ins []*Input
		for _, e := range tt.envs {
			ins = append(ins, &Input{Env: e, Benchmarks: []*Benchmark{{Name: "BenchmarkX"}}})
		}
		r, err := New(ins, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != tt.want {
			t.Errorf("%+v: name %q, want %q", tt.envs, r.Name, tt.want)
		}
	}
}
