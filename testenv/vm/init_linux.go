package vm

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Init is the guest's PID 1. It sets the machine up as Config says, runs the
// program, reports its exit status in one framed line and powers off. It
// never returns.
func Init() {
	res := GuestResult{ExitCode: ExitInfra}
	out := io.Writer(os.Stdout)
	defer func() {
		// A panic in init must still end in a result and a power off,
		// never in "Attempted to kill init".
		if r := recover(); r != nil {
			initErrorf("panic: %v", r)
			res.ExitCode = ExitInfra
		}
		finish(out, res)
	}()
	if err := guestMain(&res, &out); err != nil {
		initErrorf("%v", err)
		res.ExitCode = ExitInfra
	}
}

// initLogf writes an informational line to the console.
func initLogf(format string, args ...any) {
	fmt.Fprintf(os.Stdout, initLogPrefix+format+"\n", args...)
}

// initErrorf writes a problem to the console; the host shows these lines.
func initErrorf(format string, args ...any) {
	fmt.Fprintf(os.Stdout, initLogPrefix+"error: "+format+"\n", args...)
}

// guestMain does Init's work. It sets *out to the program's output channel
// once that is open.
func guestMain(res *GuestResult, out *io.Writer) error {
	if err := mountAll(); err != nil {
		return err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	res.Release = unix.ByteSliceToString(uts.Release[:])

	cfg, err := readConfig(guestConfigPath)
	if err != nil {
		return err
	}
	if cfg.MountTmp {
		if err := mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
			return err
		}
	}
	if err := loopbackUp(); err != nil {
		initErrorf("%v", err) // tests that need lo will say so
	}
	res.Kinds = loadModules(cfg)

	tty, err := openOutput(guestOutputTTY)
	if err != nil {
		return err
	}
	w := &trackingWriter{w: tty, last: '\n'}
	*out = w

	env := append(cfg.Env[:len(cfg.Env):len(cfg.Env)],
		"VLANRAW_TESTENV_KERNEL="+res.Release,
		"VLANRAW_TESTENV_KINDS="+strings.Join(res.Kinds, ","))
	res.ExitCode, err = runProgram(cfg, env, w)
	return err
}

// finish writes the result line on the output channel and, as a fallback,
// on the console, waits for the serial port to drain and powers off.
func finish(out io.Writer, res GuestResult) {
	line := formatResult(res)
	if tw, ok := out.(*trackingWriter); ok {
		if tw.last != '\n' {
			tw.Write([]byte("\n"))
		}
		tw.Write([]byte(line + "\n"))
		unix.IoctlSetInt(int(tw.w.Fd()), unix.TCSBRK, 1) // tcdrain
	}
	fmt.Fprintln(os.Stdout, line)
	unix.IoctlSetInt(int(os.Stdout.Fd()), unix.TCSBRK, 1)
	powerOff()
}

// powerOff ends the machine. With QEMU's -no-reboot, a restart ends it too.
func powerOff() {
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	initErrorf("power off: %v", err)
	unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
	select {}
}
