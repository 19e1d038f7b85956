package vm

import (
	"os"
	"strconv"
	"strings"
)

// Machine describes the virtual machine.
type Machine struct {
	Memory string // QEMU -m, such as "1G"
	CPUs   int    // QEMU -smp
	KVM    bool   // use KVM instead of TCG
	Append string // extra kernel command line
	// MTTCG runs each vCPU in a host thread of its own (QEMU's
	// -accel tcg,thread=multi) instead of all of them in one. It is off:
	// Debian's 7.3.4 died at boot with "Oops: int3" (a jump label being
	// patched while the other vCPU ran it) in 5 of 90 boots with it, and
	// in none of 40 without; 5.10, 6.1 and 6.12 booted 30 of 30 times
	// either way, and the suites took as long.
	MTTCG bool
}

// DefaultMachine is the machine vmtest boots unless told otherwise. KVM is
// used when VLANRAW_KVM=1, multi-threaded TCG when VLANRAW_VMTEST_MTTCG=1.
func DefaultMachine() Machine {
	return Machine{Memory: "1G", CPUs: 2, KVM: os.Getenv("VLANRAW_KVM") == "1", MTTCG: os.Getenv("VLANRAW_VMTEST_MTTCG") == "1"}
}

// kernelCmdline is the kernel command line. The first serial port is the
// console; panic=-1 and QEMU's -no-reboot turn a panic into the end of QEMU,
// and oops=panic makes an oops one, so a broken kernel cannot hang until
// the watchdog fires. no_timer_check skips the IO-APIC timer probe, which
// under TCG on a loaded host can wrongly conclude "IO-APIC + timer doesn't
// work" and panic before init runs. nowatchdog turns off the soft and
// hard lockup detectors: under TCG a vCPU that the loaded host does not
// run for 20 s looks locked up to them ("BUG: soft lockup", seen during a
// make test run beside other work), which is the host's starvation, not
// the kernel's bug, and would fail the run as a crash.
func kernelCmdline(m Machine) string {
	args := []string{"console=ttyS0", "panic=-1", "oops=panic", "no_timer_check", "nowatchdog", "quiet"}
	if m.Append != "" {
		args = append(args, m.Append)
	}
	return strings.Join(args, " ")
}

// serconWarning is what QEMU says about the fw_cfg item that quiets
// SeaBIOS; it is expected and dropped.
const serconWarning = `-fw_cfg name=etc/sercon-port,string=0: warning: externally provided fw_cfg item names should be prefixed with "opt/"`

// dropKnownWarnings removes QEMU's expected warnings from its output.
func dropKnownWarnings(out []byte) []byte {
	var kept []string
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line != "" && !strings.Contains(line, serconWarning) {
			kept = append(kept, line)
		}
	}
	return []byte(strings.Join(kept, ""))
}

// qemuArgs returns the arguments of qemu-system-x86_64. The console goes to
// file descriptor consoleFD and the program's output, on the second serial
// port, to outputFD; both are inherited pipes.
func qemuArgs(m Machine, kernel, initrd string, consoleFD, outputFD int) []string {
	thread := "single"
	if m.MTTCG {
		thread = "multi"
	}
	accel := []string{"-accel", "tcg,thread=" + thread, "-cpu", "qemu64,-cx16"}
	if m.KVM {
		accel = []string{"-accel", "kvm", "-cpu", "host"}
	}
	cpus := m.CPUs
	if cpus < 1 {
		cpus = 1
	}
	args := append(accel,
		"-m", m.Memory,
		"-smp", strconv.Itoa(cpus),
		"-nodefaults",
		"-nographic",
		"-no-user-config",
		"-no-reboot",
		// SeaBIOS would print itself and terminal escapes on the console.
		"-fw_cfg", "name=etc/sercon-port,string=0",
		"-kernel", kernel,
		"-initrd", initrd,
		"-append", kernelCmdline(m),
		"-serial", "file:/dev/fd/"+strconv.Itoa(consoleFD),
		"-serial", "file:/dev/fd/"+strconv.Itoa(outputFD),
	)
	return args
}
