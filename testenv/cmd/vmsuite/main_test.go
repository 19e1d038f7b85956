package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stream renders events as go test -json would.
func stream(t *testing.T, evs ...event) string {
	t.Helper()
	var b strings.Builder
	for _, e := range evs {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

func out(pkg, test, line string) event {
	return event{Action: "output", Package: pkg, Test: test, Output: line + "\n"}
}

func TestSuite(t *testing.T) {
	const p, q = "example.com/p", "example.com/q"
	vmline := func(pkg string) event {
		return out(pkg, "", "vmtest: kernel 5.10.0-43-cloud-amd64 (Debian 5.10.251-5): p.test exit 0 in 8.3s")
	}
	for _, tt := range []struct {
		name     string
		events   []event
		wantLine string
		wantOK   bool
		wantOut  []string // printed
		wantNot  []string // not printed
	}{
		{
			name: "all pass",
			events: []event{
				out(p, "TestA", "=== RUN   TestA"), out(p, "TestA", "    a_test.go:3: chatter"), out(p, "TestA", "--- PASS: TestA (0.00s)"),
				{Action: "pass", Package: p, Test: "TestA"},
				out(p, "", "PASS"), vmline(p), out(p, "", "ok  \texample.com/p\t8.3s"), {Action: "pass", Package: p},
				out(q, "", "?   \texample.com/q\t[no test files]"), {Action: "skip", Package: q},
			},
			wantLine: "vmtest 5.10.0-43-cloud-amd64 (5.10.251): 1 packages, 1 passed in 1m0s",
			wantOK:   true,
			wantOut:  []string{"ok  \texample.com/p", "vmtest: kernel 5.10.0-43-cloud-amd64"},
			wantNot:  []string{"chatter", "PASS\n"},
		},
		{
			name: "a failure prints the test's output",
			events: []event{
				out(p, "TestA", "=== RUN   TestA"), out(p, "TestA", "    a_test.go:3: boom"), out(p, "TestA", "--- FAIL: TestA (0.00s)"),
				{Action: "fail", Package: p, Test: "TestA"},
				vmline(p), out(p, "", "FAIL\texample.com/p\t8.3s"), {Action: "fail", Package: p},
				out(q, "", "ok  \texample.com/q\t1s"), {Action: "pass", Package: q},
			},
			wantLine: "vmtest 5.10.0-43-cloud-amd64 (5.10.251): 2 packages, 1 passed in 1m0s; FAILED: example.com/p",
			wantOut:  []string{"a_test.go:3: boom", "--- FAIL: TestA"},
		},
		{
			name: "a kernel skip is fine",
			events: []event{
				out(p, "TestB", "=== RUN   TestB"),
				out(p, "TestB", "    b_test.go:9: kernel 5.10.0-43-cloud-amd64"),
				out(p, "TestB", "    b_test.go:10: TCX needs kernel 6.6 or newer; running 5.10.0-43-cloud-amd64"),
				out(p, "TestB", "--- SKIP: TestB (0.00s)"),
				{Action: "skip", Package: p, Test: "TestB"},
				vmline(p), {Action: "pass", Package: p},
			},
			wantLine: "vmtest 5.10.0-43-cloud-amd64 (5.10.251): 1 packages, 1 passed in 1m0s (1 tests skipped for a feature the kernel lacks)",
			wantOK:   true,
			wantOut:  []string{"vmsuite: example.com/p TestB skipped: TCX needs kernel 6.6 or newer; running 5.10.0-43-cloud-amd64"},
			wantNot:  []string{"--- SKIP"},
		},
		{
			name: "any other skip fails the suite",
			events: []event{
				out(p, "TestC/sub", "=== RUN   TestC/sub"),
				out(p, "TestC/sub", "    c_test.go:4: needs root (euid is 1000)"),
				out(p, "TestC/sub", "    --- SKIP: TestC/sub (0.00s)"),
				{Action: "skip", Package: p, Test: "TestC/sub"},
				{Action: "pass", Package: p, Test: "TestC"},
				vmline(p), {Action: "pass", Package: p},
			},
			wantLine: "vmtest 5.10.0-43-cloud-amd64 (5.10.251): 1 packages, 1 passed in 1m0s; 1 skipped without a kernel reason: example.com/p.TestC/sub",
			wantOut:  []string{`skipped in the VM for a reason that names no missing kernel feature: "needs root (euid is 1000)"`},
		},
		{
			name:     "nothing ran",
			events:   []event{out(p, "", "vmtest: cannot fetch kernel"), {Action: "fail", Package: p}},
			wantLine: "vmtest kernel 5.10 (no guest reported its release): 1 packages, 0 passed in 1m0s; FAILED: example.com/p",
			wantOut:  []string{"vmtest: cannot fetch kernel"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var w strings.Builder
			s := newSuite(&w)
			s.read(strings.NewReader(stream(t, tt.events...) + "not json\n"))
			line, ok := s.summary("5.10", time.Minute)
			if line != tt.wantLine || ok != tt.wantOK {
				t.Errorf("summary = %q, %v\nwant      %q, %v", line, ok, tt.wantLine, tt.wantOK)
			}
			printed := w.String()
			for _, want := range append(tt.wantOut, "not json") {
				if !strings.Contains(printed, want) {
					t.Errorf("output lacks %q:\n%s", want, printed)
				}
			}
			for _, not := range tt.wantNot {
				if strings.Contains(printed, not) {
					t.Errorf("output has %q:\n%s", not, printed)
				}
			}
		})
	}
}

func TestSkipReason(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		want  string
	}{
		{[]string{"=== RUN   TestX\n", "    x_test.go:5: kernel 6.1.0-57-cloud-amd64\n", "    x_test.go:6: bclim needs kernel 6.4 or newer; running 6.1.0-57-cloud-amd64\n", "--- SKIP: TestX (0.00s)\n"},
			"bclim needs kernel 6.4 or newer; running 6.1.0-57-cloud-amd64"},
		{[]string{"    --- SKIP: TestX/y (0.00s)\n"}, ""},
		{[]string{"    helper_test.go:9: helper process only\n", "--- SKIP: TestHelper (0.00s)\n"}, "helper process only"},
	} {
		if got := skipReason(tt.lines); got != tt.want {
			t.Errorf("skipReason(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}

func TestUpstreamVersion(t *testing.T) {
	for in, want := range map[string]string{
		"5.10.251-5":         "5.10.251",
		"6.12.117-1~deb12u1": "6.12.117",
		"7.3.4-1~bpo13+1":    "7.3.4",
		"6.1.192-3":          "6.1.192",
	} {
		if got := upstreamVersion(in); got != want {
			t.Errorf("upstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRun runs vmsuite with a go command that replays events, and checks
// the go test command line, the summary file and the exit status.
func TestRun(t *testing.T) {
	pass := stream(t,
		out("example.com/p", "", "vmtest: kernel 7.3.4+deb13-cloud-amd64 (Debian 7.3.4-1~bpo13+1): p.test exit 0 in 9.1s"),
		out("example.com/p", "", "ok  \texample.com/p\t9.1s"), event{Action: "pass", Package: "example.com/p"})
	for _, tt := range []struct {
		name     string
		events   string
		goExit   int
		wantCode int
		wantLine string
	}{
		{"pass", pass, 0, 0, "vmtest 7.3.4+deb13-cloud-amd64 (7.3.4): 1 packages, 1 passed in "},
		{"go test fails", pass, 1, 1, "; go test: exit status 1"},
		{"nothing ran", "", 2, 1, "vmtest kernel 7 (no guest reported its release): 0 packages, 0 passed in 0s; go test: exit status 2"},
		{"usage", "", 0, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			events := filepath.Join(dir, "events.json")
			argsFile := filepath.Join(dir, "args")
			if err := os.WriteFile(events, []byte(tt.events), 0o644); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "go")
			body := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %s\ncat %s\nexit %d\n", argsFile, events, tt.goExit)
			if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("GO", script)
			summary := filepath.Join(dir, "summary")
			args := []string{"-kernel", "7", "-summary", summary, "--", "-count=1", "./p/"}
			if tt.name == "usage" {
				args = []string{"-kernel", "7"}
			}
			var stdout, stderr strings.Builder
			if code := run(args, &stdout, &stderr); code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if tt.wantLine == "" {
				return
			}
			got, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tt.wantLine) || !strings.Contains(stdout.String(), string(got)) {
				t.Errorf("summary %q, stdout %q; want %q in both", got, stdout.String(), tt.wantLine)
			}
			goArgs, _ := os.ReadFile(argsFile)
			if !strings.HasPrefix(string(goArgs), "test -json -exec ") || !strings.Contains(string(goArgs), "/vmtest -kernel 7 -count=1 ./p/") {
				t.Errorf("go was run with %q", goArgs)
			}
		})
	}
}
