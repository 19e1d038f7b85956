package report

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// decoder turns the lines of go test's output into text lines: a text
// line as it is, and an event of go test -json (test2json) into the
// lines of its output. test2json cuts output where the test binary
// flushed it, not at line ends (a benchmark's name, then its figures),
// so the decoder joins each package's output until a newline ends it.
type decoder struct {
	partial map[string]string // package (or import path) -> output not yet ended by a newline
}

// event is the part of a test2json event the decoder reads: output, and
// the build output that go test -json reports by import path.
type event struct {
	Action     string
	Package    string
	ImportPath string
	Output     string
}

// lines returns the text lines that raw, one line of input, completes.
func (d *decoder) lines(raw string) []string {
	var e event
	if !strings.HasPrefix(raw, "{") || json.Unmarshal([]byte(raw), &e) != nil || e.Action == "" {
		return []string{raw}
	}
	if e.Action != "output" && e.Action != "build-output" {
		return nil
	}
	if d.partial == nil {
		d.partial = map[string]string{}
	}
	key := e.Package + "\x00" + e.ImportPath
	lines := strings.Split(d.partial[key]+e.Output, "\n")
	d.partial[key] = lines[len(lines)-1]
	return lines[:len(lines)-1]
}

// flush returns the output left without a final newline.
func (d *decoder) flush() []string {
	var lines []string
	for _, key := range slices.Sorted(maps.Keys(d.partial)) {
		if text := d.partial[key]; text != "" {
			lines = append(lines, text)
		}
	}
	clear(d.partial)
	return lines
}
