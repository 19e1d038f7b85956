// Command vmsuite runs Go test packages inside QEMU on one kernel, with
// vmtest as go test's -exec, and says per kernel what ran and what
// passed:
//
//	vmsuite -kernel 5.10 [-summary FILE] -- [go test flags] packages...
//
// runs
//
//	go test -json -exec "DIR/vmtest -kernel 5.10" [go test flags] packages...
//
// (DIR is vmsuite's own directory, where make puts vmtest; $GO names the
// go command), prints what go test prints without -v (each failed test's
// output, the packages' ok and FAIL lines, vmtest's line per test binary
// with the guest's uname -r), and ends with one line, also appended to
// FILE:
//
//	vmtest 5.10.0-43-cloud-amd64 (5.10.251): 10 packages, 10 passed in 7m02s
//
// It fails when go test fails, and when a test skipped inside the guest
// for a reason that does not name a feature the kernel lacks (see
// testenv.IsKernelSkip): the guest has root, the modules and the tools
// the harness promises, so every other skip hides a test that should have
// run. The tests skipped for a missing kernel feature are listed, one line
// each, and counted in the summary. Packages without tests are not
// counted.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/vlanraw/vlanraw/testenv"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vmsuite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kernel := fs.String("kernel", "", "kernel series (or vmlinuz path) for vmtest -kernel")
	summary := fs.String("summary", "", "append the summary line to this file")
	vmtestFlags := fs.String("vmtest-flags", "", "more flags for vmtest, such as \"-mem 2G\"")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: vmsuite -kernel K [-summary FILE] -- [go test flags] packages...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *kernel == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "vmsuite: %v\n", err)
		return 1
	}
	vmtest := filepath.Join(filepath.Dir(self), "vmtest")
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	execFlag := vmtest + " -kernel " + *kernel
	if *vmtestFlags != "" {
		execFlag += " " + *vmtestFlags
	}
	cmd := exec.Command(goCmd, append([]string{"test", "-json", "-exec", execFlag}, fs.Args()...)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(stderr, "vmsuite: %v\n", err)
		return 1
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "vmsuite: %v\n", err)
		return 1
	}
	s := newSuite(stdout)
	s.read(out)
	waitErr := cmd.Wait()
	line, ok := s.summary(*kernel, time.Since(start))
	if waitErr != nil {
		line += fmt.Sprintf("; go test: %v", waitErr)
		ok = false
	}
	fmt.Fprintln(stdout, line)
	if *summary != "" {
		if err := appendLine(*summary, line); err != nil {
			fmt.Fprintf(stderr, "vmsuite: %v\n", err)
			return 1
		}
	}
	if !ok || waitErr != nil {
		return 1
	}
	return 0
}

// appendLine appends one line to a file.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// suite follows the events of one go test -json run.
type suite struct {
	w        io.Writer
	outputs  map[string][]string // "package\x00test" -> output lines
	results  map[string]string   // package -> "pass", "fail" (packages with tests only)
	badSkips []string            // "package.Test"
	skips    int                 // tests skipped for a feature the kernel lacks
	releases map[string]bool     // guest kernel releases vmtest reported
	versions map[string]bool     // their upstream versions, where known
}

func newSuite(w io.Writer) *suite {
	return &suite{w: w, outputs: map[string][]string{}, results: map[string]string{}, releases: map[string]bool{}, versions: map[string]bool{}}
}

// read consumes go test -json output until EOF.
func (s *suite) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(s.w, sc.Text()) // not an event: pass it on
			continue
		}
		s.handle(e)
	}
}

// vmtestLine matches vmtest's report of a test binary's run:
// "vmtest: kernel RELEASE (Debian VERSION): NAME exit N in Ts".
var vmtestLine = regexp.MustCompile(`^vmtest: kernel (\S+)(?: \(Debian ([^)\s]+)\))?: `)

// handle processes one event.
func (s *suite) handle(e event) {
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "output", "build-output":
		if e.Test != "" {
			s.outputs[key] = append(s.outputs[key], e.Output)
			return
		}
		if m := vmtestLine.FindStringSubmatch(e.Output); m != nil {
			s.releases[m[1]] = true
			if m[2] != "" {
				s.versions[upstreamVersion(m[2])] = true
			}
		}
		if strings.TrimSpace(e.Output) != "PASS" && !strings.HasPrefix(e.Output, "=== ") {
			io.WriteString(s.w, e.Output)
		}
	case "fail":
		if e.Test == "" {
			s.results[e.Package] = "fail"
			return
		}
		s.print(key)
	case "skip":
		if e.Test == "" {
			return // no test files
		}
		reason := skipReason(s.outputs[key])
		if !testenv.IsKernelSkip(reason) {
			s.print(key)
			fmt.Fprintf(s.w, "vmsuite: %s %s skipped in the VM for a reason that names no missing kernel feature: %q\n", e.Package, e.Test, reason)
			s.badSkips = append(s.badSkips, e.Package+"."+e.Test)
		} else {
			// Never silently: say what this kernel did not run.
			fmt.Fprintf(s.w, "vmsuite: %s %s skipped: %s\n", e.Package, e.Test, reason)
			s.skips++
		}
		delete(s.outputs, key)
	case "pass":
		if e.Test == "" {
			s.results[e.Package] = "pass"
			return
		}
		delete(s.outputs, key)
	}
}

// print writes a test's output.
func (s *suite) print(key string) {
	for _, l := range s.outputs[key] {
		io.WriteString(s.w, l)
	}
	delete(s.outputs, key)
}

// skipReason returns what a skipped test said last before "--- SKIP":
// its Skip message, without the file:line prefix.
func skipReason(lines []string) string {
	var reason string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "--- SKIP"):
			return reason
		case t == "", strings.HasPrefix(t, "=== "):
		default:
			if _, msg, ok := strings.Cut(t, ": "); ok && strings.Contains(t[:strings.Index(t, ": ")], ".go:") {
				t = msg
			}
			reason = t
		}
	}
	return reason
}

// upstreamVersion turns a Debian kernel version such as "5.10.251-5" or
// "7.3.4-1~bpo13+1" into the upstream one, "5.10.251".
func upstreamVersion(v string) string {
	up, _, _ := strings.Cut(v, "-")
	return up
}

// summary renders the summary line and says whether the suite passed.
func (s *suite) summary(kernel string, elapsed time.Duration) (string, bool) {
	var failed []string
	passed := 0
	for p, r := range s.results {
		if r == "pass" {
			passed++
		} else {
			failed = append(failed, p)
		}
	}
	sort.Strings(failed)
	name := strings.Join(sortedKeys(s.releases), ",")
	if name == "" {
		name = "kernel " + kernel + " (no guest reported its release)"
	}
	if len(s.versions) > 0 {
		name += " (" + strings.Join(sortedKeys(s.versions), ",") + ")"
	}
	line := fmt.Sprintf("vmtest %s: %d packages, %d passed in %s", name, len(s.results), passed, elapsed.Round(time.Second))
	if s.skips > 0 {
		line += fmt.Sprintf(" (%d tests skipped for a feature the kernel lacks)", s.skips)
	}
	ok := len(failed) == 0 && len(s.badSkips) == 0 && len(s.results) > 0
	if len(failed) > 0 {
		line += fmt.Sprintf("; FAILED: %s", strings.Join(failed, " "))
	}
	if len(s.badSkips) > 0 {
		line += fmt.Sprintf("; %d skipped without a kernel reason: %s", len(s.badSkips), strings.Join(s.badSkips, " "))
	}
	return line, ok
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
