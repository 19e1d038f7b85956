package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// peakRSS runs prog to its exit and returns its standard output and the
// high-water mark of its resident set in MB.
//
// The child's rusage (ru_maxrss) cannot tell it: Go starts children with
// vfork, so they run in the parent's address space until execve, and the
// kernel carries that space's high-water mark, the test binary's own
// (tens of MB once thousands of namespaces are set up), into the child's
// ru_maxrss. So the child runs traced, stops just before it exits
// (PTRACE_O_TRACEEXIT), and its own VmHWM is read from /proc then.
func peakRSS(tb testing.TB, prog string, args ...string) ([]byte, float64) {
	tb.Helper()
	// ptrace requests must come from the thread that started the child.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(prog, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	name := filepath.Base(prog) + " " + strings.Join(args, " ")
	if err := cmd.Start(); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	kb, err := hwmAtExit(cmd.Process.Pid)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatalf("%s: %v", name, err)
	}
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	return stdout.Bytes(), float64(kb) / 1024
}

// hwmAtExit follows a child stopped after its execve until it stops at
// its exit, and returns its VmHWM in KiB, read at that stop. It leaves
// the child running to its end, unreaped.
func hwmAtExit(pid int) (int, error) {
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		return 0, fmt.Errorf("wait for the exec stop: %w", err)
	}
	if !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
		return 0, fmt.Errorf("expected a stop after execve, got status %#x", uint32(ws))
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT|unix.PTRACE_O_EXITKILL); err != nil {
		return 0, fmt.Errorf("ptrace set options: %w", err)
	}
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			return 0, fmt.Errorf("ptrace cont: %w", err)
		}
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			return 0, fmt.Errorf("wait: %w", err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			return 0, errors.New("exited without the exit stop")
		case ws.Stopped() && ws.StopSignal() == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			kb, err := vmHWM(pid)
			if err != nil {
				return 0, err
			}
			return kb, syscall.PtraceDetach(pid)
		case ws.Stopped():
			sig = int(ws.StopSignal()) // a signal for the child: deliver it
		}
	}
}

// vmHWM reads the VmHWM line of /proc/PID/status, in KiB.
func vmHWM(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// TestPeakRSS checks peakRSS against dd, whose buffer is as large as its
// block size: a 64 MB one must show, and the test binary's own memory
// (a 128 MB buffer held here) must not leak into a small one's figure.
func TestPeakRSS(t *testing.T) {
	dd, err := exec.LookPath("dd")
	if err != nil {
		t.Skip("dd (coreutils) is not installed")
	}
	held := bytes.Repeat([]byte{1}, 128<<20)
	_, big := peakRSS(t, dd, "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1")
	_, small := peakRSS(t, dd, "if=/dev/zero", "of=/dev/null", "bs=1k", "count=1")
	runtime.KeepAlive(held)
	if big < 64 {
		t.Errorf("dd bs=64M: peak RSS %.1f MB, want at least 64", big)
	}
	if small > 16 {
		t.Errorf("dd bs=1k: peak RSS %.1f MB while the parent holds 128 MB: the parent's memory leaked into the figure", small)
	}
	t.Logf("dd bs=64M: %.1f MB, dd bs=1k: %.1f MB", big, small)
}
