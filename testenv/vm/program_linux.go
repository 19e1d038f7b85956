package vm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// trackingWriter remembers the last byte written, so that the result line
// can start on a line of its own.
type trackingWriter struct {
	w    *os.File
	last byte
}

// Write implements io.Writer.
func (t *trackingWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if n > 0 {
		t.last = p[n-1]
	}
	return n, err
}

// Grace periods after the program's timeout and after its exit.
const (
	quitGrace  = 10 * time.Second // from SIGQUIT (goroutine dump) to SIGKILL
	drainGrace = 2 * time.Second  // for output of processes left behind
)

// runProgram runs the program with its standard output and error going to
// w, and returns its exit status (128+n for signal n).
func runProgram(cfg *Config, env []string, w io.Writer) (int, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return ExitInfra, fmt.Errorf("pipe: %w", err)
	}
	defer pr.Close()
	cmd := exec.Command(cfg.Args[0], cfg.Args[1:]...)
	cmd.Dir = cfg.Dir
	cmd.Env = env
	cmd.Stdout = pw
	cmd.Stderr = pw
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		io.Copy(w, pr)
	}()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return ExitInfra, fmt.Errorf("start %s: %w", cfg.Args[0], err)
	}
	if cfg.Timeout > 0 {
		t := time.AfterFunc(cfg.Timeout, func() {
			initErrorf("%s timed out after %v; sending SIGQUIT", cfg.Args[0], cfg.Timeout)
			cmd.Process.Signal(unix.SIGQUIT)
			time.AfterFunc(quitGrace, func() { cmd.Process.Kill() })
		})
		defer t.Stop()
	}
	err = cmd.Wait()
	// Background processes may hold the pipe open: give their output a
	// moment, not forever.
	pr.SetReadDeadline(time.Now().Add(drainGrace))
	<-copied
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	default:
		return ExitInfra, fmt.Errorf("wait %s: %w", cfg.Args[0], err)
	}
}
