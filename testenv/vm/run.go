package vm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Options configures Run.
type Options struct {
	Spec
	Machine  Machine
	Watchdog time.Duration // QEMU is killed after this long; 0 means DefaultWatchdog
	Stdout   io.Writer     // receives the program's output; nil discards it
	Console  io.Writer     // if not nil, receives the kernel console as it comes
}

// DefaultWatchdog is generous, because QEMU's TCG is slow.
const DefaultWatchdog = 10 * time.Minute

// Result is the outcome of one Run.
type Result struct {
	GuestResult           // valid if HaveResult
	HaveResult  bool      // the guest's framed result line arrived
	Crash       string    // the first crash signature on the console, or ""
	TimedOut    bool      // the watchdog killed QEMU
	Interrupted bool      // the context was cancelled
	Console     []byte    // the whole kernel console
	QEMU        []byte    // QEMU's own output (errors)
	Boot        time.Time // when QEMU started
	Elapsed     time.Duration
}

// Errors that Result.Err wraps.
var (
	ErrKernelCrash = errors.New("kernel crash")
	ErrNoResult    = errors.New("no result from the guest")
	ErrTimeout     = errors.New("watchdog timeout")
	ErrGuestSetup  = errors.New("guest setup failed")
)

// Err says why the run tells nothing reliable about the program, or
// returns nil when the program ran and its exit status is known.
func (r *Result) Err() error {
	switch {
	case r.Crash != "":
		return fmt.Errorf("%w: console shows %q", ErrKernelCrash, r.Crash)
	case r.TimedOut:
		return ErrTimeout
	case r.Interrupted:
		return fmt.Errorf("%w: interrupted", ErrNoResult)
	case !r.HaveResult:
		return ErrNoResult
	case r.ExitCode == ExitInfra:
		return ErrGuestSetup
	}
	return nil
}

// Status returns the status vmtest should exit with: the program's, or
// ExitInfra when Err is not nil.
func (r *Result) Status() int {
	if r.Err() != nil {
		return ExitInfra
	}
	return r.GuestResult.ExitCode
}

// Run boots opts.Kernel with an initramfs built for opts.Spec and waits for
// the program in it to finish. It returns an error when the machine could
// not be started; what happened in the machine is in the Result.
func Run(ctx context.Context, opts *Options) (*Result, error) {
	if opts.Kernel == nil {
		return nil, errors.New("run: no kernel")
	}
	qemu, err := lookTool("qemu-system-x86_64", "qemu-system-x86")
	if err != nil {
		return nil, err
	}
	initrd, err := os.CreateTemp("", "vmtest-*.cpio")
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	defer os.Remove(initrd.Name())
	bw := bufio.NewWriterSize(initrd, 1<<20)
	if _, err := writeInitramfs(bw, &opts.Spec); err != nil {
		initrd.Close()
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		initrd.Close()
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if err := initrd.Close(); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}

	watchdog := opts.Watchdog
	if watchdog <= 0 {
		watchdog = DefaultWatchdog
	}
	wctx, cancel := context.WithTimeout(ctx, watchdog)
	defer cancel()

	conR, conW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	defer conR.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		conW.Close()
		return nil, fmt.Errorf("qemu: %w", err)
	}
	defer outR.Close()

	res := &Result{}
	var qemuOut bytes.Buffer
	cmd := exec.CommandContext(wctx, qemu, qemuArgs(opts.Machine, opts.Kernel.BootImage(), initrd.Name(), 3, 4)...)
	cmd.ExtraFiles = []*os.File{conW, outW}
	cmd.Stdout = &qemuOut
	cmd.Stderr = &qemuOut
	cmd.WaitDelay = 5 * time.Second

	res.Boot = time.Now()
	err = cmd.Start()
	conW.Close()
	outW.Close()
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}

	var wg sync.WaitGroup
	var console consoleState
	wg.Add(2)
	go func() {
		defer wg.Done()
		console.read(conR, opts.Console)
	}()
	var out outputState
	go func() {
		defer wg.Done()
		stdout := opts.Stdout
		if stdout == nil {
			stdout = io.Discard
		}
		out.read(outR, stdout)
	}()
	waitErr := cmd.Wait()
	wg.Wait()
	res.Elapsed = time.Since(res.Boot)
	res.QEMU = dropKnownWarnings(qemuOut.Bytes())
	res.Console = console.buf.Bytes()
	res.Crash = console.crash
	switch {
	case out.haveResult:
		res.GuestResult, res.HaveResult = out.result, true
	case console.haveResult:
		res.GuestResult, res.HaveResult = console.result, true
	}
	switch {
	case errors.Is(wctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		res.TimedOut = !res.HaveResult
	case ctx.Err() != nil:
		res.Interrupted = !res.HaveResult
	case waitErr != nil && !res.HaveResult:
		return res, fmt.Errorf("qemu: %w\n%s", waitErr, bytes.TrimSpace(res.QEMU))
	}
	return res, nil
}
