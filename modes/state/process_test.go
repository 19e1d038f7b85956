package state

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The environment of helper processes: what to do, where and as whom.
const (
	envHelper = "VLANRAW_STATE_TEST_HELPER"
	envDir    = "VLANRAW_STATE_TEST_DIR"
	envWorker = "VLANRAW_STATE_TEST_WORKER"
)

// claim appends a unique item for worker w's i-th call and takes the
// lowest integer not taken yet, in one Update. It returns the integer.
func claim(s *Store[doc], w, i int) (int, error) {
	var n int
	err := s.Update(func(d *doc) error {
		taken := make(map[int]bool, len(d.Ints))
		for _, x := range d.Ints {
			taken[x] = true
		}
		for n = 0; taken[n]; n++ {
		}
		d.Ints = append(d.Ints, n)
		d.Items = append(d.Items, fmt.Sprintf("w%d-%d", w, i))
		return nil
	})
	return n, err
}

// checkClaims checks the store after workers made each claims: every item
// present once, the integers 0 to workers*each-1 each taken once, and, if
// handed is not nil, the same integers handed out to the callers.
func checkClaims(t *testing.T, s *Store[doc], workers, each int, handed []int) {
	t.Helper()
	d := view(t, s)
	var wantItems []string
	var wantInts []int
	for w := range workers {
		for i := range each {
			wantItems = append(wantItems, fmt.Sprintf("w%d-%d", w, i))
		}
	}
	for n := range workers * each {
		wantInts = append(wantInts, n)
	}
	items := slices.Sorted(slices.Values(d.Items))
	slices.Sort(wantItems)
	if diff := cmp.Diff(wantItems, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantInts, slices.Sorted(slices.Values(d.Ints))); diff != "" {
		t.Errorf("integers in the file (-want +got):\n%s", diff)
	}
	if handed != nil {
		if diff := cmp.Diff(wantInts, slices.Sorted(slices.Values(handed))); diff != "" {
			t.Errorf("integers handed out (-want +got), a duplicate means one was handed out twice:\n%s", diff)
		}
	}
}

// TestHelperProcess is not a test: the tests below run the test binary
// again with envHelper set, and then it acts as one vlanraw process.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(envHelper)
	if mode == "" {
		// Not a helper: nothing to do. It passes rather than skips,
		// since vmsuite fails skips that name no missing kernel feature.
		return
	}
	s, err := Open[doc](os.Getenv(envDir), "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case "claim":
		w, err := strconv.Atoi(os.Getenv(envWorker))
		if err != nil {
			t.Fatal(err)
		}
		// Wait until the parent has started every process: it closes
		// our stdin then.
		io.Copy(io.Discard, os.Stdin)
		for i := range 25 {
			n, err := claim(s, w, i)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("claimed %d\n", n)
		}
	case "crash":
		testHookBeforeRename = func(string) error {
			os.Exit(3) // die between the write and the rename
			return nil
		}
		s.Update(func(d *doc) error { d.Items = append(d.Items, "never saved"); return nil })
		t.Fatal("Update returned")
	case "crash-intent":
		testHookIntentHeader = func() {
			os.Exit(3) // die between writing the intent and its header
		}
		s.Update(func(d *doc) error { return s.Intend([]byte("never recorded")) })
		t.Fatal("Update returned")
	case "intend-block":
		// Record an intent, say so, and wait to be killed.
		s.Update(func(d *doc) error {
			d.Items = append(d.Items, "half done")
			if err := s.Intend([]byte("link eth9.10")); err != nil {
				t.Fatal(err)
			}
			fmt.Println("intended")
			io.Copy(io.Discard, os.Stdin)
			return nil
		})
		t.Fatal("Update returned")
	case "hold":
		// Hold the exclusive lock until stdin is closed.
		err := s.Update(func(d *doc) error {
			d.Items = append(d.Items, "holder")
			fmt.Println("locked")
			io.Copy(io.Discard, os.Stdin)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown helper mode %q", mode)
	}
}

// startHelper starts a helper process in mode and returns it once it has
// printed want, with the pipe to its stdin. The process is killed at the
// end of the test if it is still running.
func startHelper(t *testing.T, mode, dir, want string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := helper(mode, dir)
	stdin, out := startPiped(t, cmd)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != want+"\n" {
		t.Fatalf("helper %s printed %q (%v), want %q", mode, line, err, want)
	}
	return cmd, stdin
}

// startPiped starts cmd with pipes to its stdin and from its stdout.
func startPiped(t *testing.T, cmd *exec.Cmd) (io.WriteCloser, io.ReadCloser) {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return stdin, out
}

// helper returns the command that runs this test binary as a helper
// process.
func helper(mode, dir string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelper+"="+mode, envDir+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestParallelProcesses runs 8 processes at once, each making 25 claims
// on one store, and checks that no update was lost and no integer was
// handed out twice.
func TestParallelProcesses(t *testing.T) {
	dir := t.TempDir()
	const workers, each = 8, 25
	type proc struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   io.ReadCloser
	}
	var procs []proc
	for w := range workers {
		cmd := helper("claim", dir, envWorker+"="+strconv.Itoa(w))
		stdin, out := startPiped(t, cmd)
		procs = append(procs, proc{cmd, stdin, out})
	}
	for _, p := range procs { // start them all at once
		p.stdin.Close()
	}
	var handed []int
	for w, p := range procs {
		sc := bufio.NewScanner(p.out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "claimed "); ok {
				x, err := strconv.Atoi(n)
				if err != nil {
					t.Fatal(err)
				}
				handed = append(handed, x)
			}
		}
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	if len(handed) != workers*each {
		t.Fatalf("%d claims reported, want %d", len(handed), workers*each)
	}
	checkClaims(t, open(t, dir, 1), workers, each, handed)
}

// TestCrashBeforeRename kills a process between writing the temporary
// file and renaming it: the old document must survive, and the next
// Update must clear the stray temporary file.
func TestCrashBeforeRename(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, 1)
	if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	before := read(t, s.Path())

	err := helper("crash", dir).Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("helper: %v, want exit status 3", err)
	}
	if after := read(t, s.Path()); string(after) != string(before) {
		t.Fatalf("state file after a crash:\n%s\nwant:\n%s", after, before)
	}
	stray, _ := filepath.Glob(filepath.Join(dir, "test.json.tmp*"))
	if len(stray) != 1 {
		t.Fatalf("temporary files after the crash: %q, want one", stray)
	}
	if got := string(read(t, stray[0])); !strings.Contains(got, "never saved") {
		t.Errorf("the crashed write's temporary file holds:\n%s", got)
	}

	if err := s.Update(func(d *doc) error { d.Items = append(d.Items, "new"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := view(t, s).Items; !slices.Equal(got, []string{"old", "new"}) {
		t.Errorf("Items = %q", got)
	}
	if stray, _ := filepath.Glob(filepath.Join(dir, "test.json.tmp*")); len(stray) != 0 {
		t.Errorf("temporary files after the next Update: %q", stray)
	}
}
