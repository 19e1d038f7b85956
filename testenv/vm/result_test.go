package vm

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResultRoundTrip(t *testing.T) {
	for _, r := range []GuestResult{
		{ExitCode: 0, Release: "6.12.117+deb12-cloud-amd64", Kinds: []string{"dummy", "ipvlan", "vlan"}},
		{ExitCode: 1, Release: "6.1.0-56-cloud-amd64"},
		{ExitCode: ExitInfra, Release: "6.1.0-56-cloud-amd64", Kinds: []string{"veth"}},
		{ExitCode: 255, Release: "x"},
		{ExitCode: ExitInfra}, // init failed before uname
	} {
		line := formatResult(r)
		if r.Release == "" {
			r.Release = "unknown"
		}
		if !strings.HasPrefix(line, resultPrefix) || strings.Contains(line, "\n") {
			t.Errorf("formatResult(%+v) = %q", r, line)
		}
		for _, suffix := range []string{"", "\n", "\r\n"} {
			got, ok := parseResult(line + suffix)
			if !ok {
				t.Errorf("parseResult(%q) failed", line+suffix)
				continue
			}
			if diff := cmp.Diff(r, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		}
	}
}

func TestParseResultRejects(t *testing.T) {
	good := formatResult(GuestResult{ExitCode: 1, Release: "6.1.0-56-cloud-amd64", Kinds: []string{"vlan"}})
	for _, line := range []string{
		"",
		"PASS",
		"ok  \tgithub.com/vlanraw/vlanraw/links\t0.1s",
		strings.Replace(good, "RESULT 1", "RESULT 0", 1), // checksum mismatch
		good[:len(good)-1],                        // truncated
		"[    2.0] " + good,                       // not at line start
		strings.Replace(good, " 6.1", "  6.1", 1), // extra space
		resultPrefix + "0 x - zzzzzzzz",
		resultPrefix + "999 x - " + checksum("999 x -"),
		resultPrefix + "-1 x - " + checksum("-1 x -"),
		resultPrefix + "0 x " + checksum("0 x"),
	} {
		if r, ok := parseResult(line); ok {
			t.Errorf("parseResult(%q) = %+v, want rejection", line, r)
		}
	}
}

func TestCrashSignature(t *testing.T) {
	for _, tt := range []struct {
		file  string
		crash string
	}{
		{"clean.txt", ""},
		{"panic.txt", "Kernel panic"},
		{"oops.txt", "BUG:"},
		{"gpf.txt", "general protection fault"},
		{"initerror.txt", ""}, // init's own lines never count
	} {
		t.Run(tt.file, func(t *testing.T) {
			var log bytes.Buffer
			defer func(w io.Writer) { Log = w }(Log)
			Log = &log
			f, err := os.Open(filepath.Join("testdata", "console", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var c consoleState
			c.read(f, nil)
			if c.crash != tt.crash {
				t.Errorf("crash = %q, want %q", c.crash, tt.crash)
			}
			// Init's errors reach the host's log.
			if strings.Contains(tt.file, "initerror") != strings.Contains(log.String(), "module ipvtap") {
				t.Errorf("log %q", log.String())
			}
		})
	}
}

func TestConsoleFallbackResult(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "console", "clean.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var c consoleState
	var streamed bytes.Buffer
	c.read(bytes.NewReader(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))), &streamed)
	if !c.haveResult || c.result.ExitCode != 0 || c.result.Release != "6.1.0-56-cloud-amd64" {
		t.Errorf("result %+v, have %v", c.result, c.haveResult)
	}
	if streamed.String() != string(data) {
		t.Errorf("streamed console %q, want CRs dropped: %q", streamed.String(), data)
	}
	if c.buf.String() != string(data) {
		t.Errorf("buffered console %q", c.buf.String())
	}
}

func TestOutputPassthrough(t *testing.T) {
	frame := formatResult(GuestResult{ExitCode: 1, Release: "6.12.117+deb12-cloud-amd64", Kinds: []string{"dummy"}})
	// test2json markers (^V) and binary bytes must pass unchanged.
	program := "=== RUN   TestX\n\x16=== RUN   TestY\n\x00\xff\tbinary\n--- FAIL: TestX (0.00s)\nFAIL\n"
	for _, tt := range []struct {
		name, in, want string
		code           int
		have           bool
	}{
		{"frame", program + frame + "\n", program, 1, true},
		{"no frame", program, program, 0, false},
		{"unterminated tail", program + "partial", program + "partial", 0, false},
		{"frame without newline is output", program + frame, program + frame, 0, false},
		{"damaged frame is output", program + frame[:20] + "\n", program + frame[:20] + "\n", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var o outputState
			var out bytes.Buffer
			o.read(strings.NewReader(tt.in), &out)
			if out.String() != tt.want {
				t.Errorf("output %q, want %q", out.String(), tt.want)
			}
			if o.haveResult != tt.have || o.result.ExitCode != tt.code {
				t.Errorf("result %+v, have %v; want code %d, have %v", o.result, o.haveResult, tt.code, tt.have)
			}
		})
	}
}

func TestResultErr(t *testing.T) {
	for _, tt := range []struct {
		name   string
		r      Result
		err    error
		status int
	}{
		{"pass", Result{HaveResult: true}, nil, 0},
		{"test failed", Result{HaveResult: true, GuestResult: GuestResult{ExitCode: 1}}, nil, 1},
		{"crash wins", Result{HaveResult: true, Crash: "Oops"}, ErrKernelCrash, ExitInfra},
		{"no result", Result{}, ErrNoResult, ExitInfra},
		{"timeout", Result{TimedOut: true}, ErrTimeout, ExitInfra},
		{"interrupted", Result{Interrupted: true}, ErrNoResult, ExitInfra},
		{"setup", Result{HaveResult: true, GuestResult: GuestResult{ExitCode: ExitInfra}}, ErrGuestSetup, ExitInfra},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Err()
			if (err == nil) != (tt.err == nil) || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("Err() = %v, want %v", err, tt.err)
			}
			if got := tt.r.Status(); got != tt.status {
				t.Errorf("Status() = %d, want %d", got, tt.status)
			}
		})
	}
}
