package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadDuration is how long TestUnderLoad runs: 30 s on the host, 5 s
// with -short and under the QEMU harness, whose CPU is emulated.
func loadDuration() time.Duration {
	if testing.Short() || os.Getenv("VLANRAW_TESTENV_KINDS") != "" {
		return 5 * time.Second
	}
	return 30 * time.Second
}

// expectedFailures are the messages of the commands of TestUnderLoad
// that may fail by the nature of the mix: a connect of a namespace that
// is connected, a disconnect of one that is not.
var expectedFailures = []string{"is already connected to network", "is not connected to network"}

// TestUnderLoad runs 32 vlanraw processes at a time, each a random
// connect, disconnect or gc on one network and 16 namespaces, while a
// second goroutine kills one of them with SIGKILL at random times, for
// loadDuration; then it runs the next command and checks the invariant
// against the kernel: no link with this state directory's mark without a
// record, no record without its link, no address twice. Every command
// either succeeds, fails with one of expectedFailures, or is killed.
func TestUnderLoad(t *testing.T) {
	w := macvlanWorld(t, "lnet", "10.72.0.0/22")
	nss := newNetNSes(t, 16)
	exe, env := vlanrawExe(t)
	deadline := time.Now().Add(loadDuration())

	var (
		mu      sync.Mutex
		running = map[*exec.Cmd]bool{}
		counts  [4]atomic.Int64 // ok, failed as expected, killed, unexpected
		bad     []string
	)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				ns := nss[rand.IntN(len(nss))]
				args := [][]string{{"connect", "lnet", ns}, {"disconnect", "lnet", ns}, {"gc"}}[rand.IntN(3)]
				cmd := exec.Command(exe, w.args(args...)...)
				cmd.Env = slices.Clone(env)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				mu.Lock()
				if err := cmd.Start(); err != nil {
					mu.Unlock()
					counts[3].Add(1)
					bad = append(bad, err.Error())
					return
				}
				running[cmd] = true
				mu.Unlock()
				err := cmd.Wait()
				mu.Lock()
				delete(running, cmd)
				var ee *exec.ExitError
				switch {
				case err == nil:
					counts[0].Add(1)
				case errors.As(err, &ee) && ee.ExitCode() == exitSignal:
					counts[2].Add(1)
				case errors.As(err, &ee) && ee.ExitCode() == exitRuntime && expected(stderr.String()):
					counts[1].Add(1)
				default:
					counts[3].Add(1)
					bad = append(bad, strings.Join(args, " ")+": "+err.Error()+": "+stderr.String())
				}
				mu.Unlock()
			}
		})
	}
	// The killer: random times are the scenario, not a synchronisation.
	wg.Go(func() {
		for time.Now().Before(deadline) {
			time.Sleep(rand.N(100 * time.Millisecond))
			mu.Lock()
			for cmd := range running {
				cmd.Process.Kill()
				break
			}
			mu.Unlock()
		}
	})
	wg.Wait()
	t.Logf("%v, 32 at a time: %d succeeded, %d failed as expected, %d killed, %d unexpected",
		loadDuration(), counts[0].Load(), counts[1].Load(), counts[2].Load(), counts[3].Load())
	for _, b := range bad {
		t.Errorf("unexpected: %s", b)
	}
	if counts[2].Load() == 0 || counts[0].Load() == 0 {
		t.Errorf("no command was killed, or none succeeded: the load did not test anything")
	}
	a := w.invariant(nss...)
	connected := 0
	for _, ns := range nss {
		if rec, linked := a.connected("lnet", ns); rec && linked {
			connected++
		}
	}
	t.Logf("after the next command: %d of %d namespaces connected, each with its link", connected, len(nss))
}

// expected reports whether stderr holds one of expectedFailures.
func expected(stderr string) bool {
	for _, e := range expectedFailures {
		if strings.Contains(stderr, e) {
			return true
		}
	}
	return false
}
