package report

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Virt says where a benchmark ran.
type Virt int

// Where a benchmark ran.
const (
	// VirtUnknown is an input that did not say.
	VirtUnknown Virt = iota
	// Host is the machine itself (which may be a virtual machine with
	// hardware virtualisation, as any cloud machine is).
	Host
	// QEMUTCG is a QEMU guest with TCG, QEMU's software CPU emulation:
	// timings there say nothing about any real machine.
	QEMUTCG
	// QEMUKVM is a QEMU guest with KVM.
	QEMUKVM
)

var virtNames = [...]string{"unknown", "host", "qemu-tcg", "qemu-kvm"}

// String implements fmt.Stringer: unknown, host, qemu-tcg or qemu-kvm.
func (v Virt) String() string {
	if v < 0 || int(v) >= len(virtNames) {
		return "Virt(" + strconv.Itoa(int(v)) + ")"
	}
	return virtNames[v]
}

// ParseVirt parses the String form of a Virt.
func ParseVirt(s string) (Virt, error) {
	for i, n := range virtNames {
		if s == n {
			return Virt(i), nil
		}
	}
	return VirtUnknown, fmt.Errorf("unknown virt %q: want one of %s", s, strings.Join(virtNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (v Virt) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Virt) UnmarshalText(b []byte) error {
	p, err := ParseVirt(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// Timed reports whether absolute timings taken there mean anything:
// everywhere but under TCG.
func (v Virt) Timed() bool { return v != QEMUTCG }

// Describe is v for a reader of the report.
func (v Virt) Describe() string {
	switch v {
	case Host:
		return "host"
	case QEMUTCG:
		return "QEMU/TCG"
	case QEMUKVM:
		return "QEMU/KVM"
	}
	return "unknown"
}

// Env is the environment a benchmark input ran in.
type Env struct {
	Kernel string    `json:"kernel"`         // uname -r
	Virt   Virt      `json:"virt"`           // host, qemu-tcg, qemu-kvm
	CPU    string    `json:"cpu"`            // model name, as go test's cpu: line
	CPUs   int       `json:"cpus,omitempty"` // online CPUs
	Go     string    `json:"go,omitempty"`   // the Go version the benchmarks were built with
	GOOS   string    `json:"goos,omitempty"` // from go test's goos: line
	GOARCH string    `json:"goarch,omitempty"`
	Date   time.Time `json:"date"` // when the benchmarks started
}

// EnvPrefix starts the line with which a benchmark binary says where it
// runs (see Env.Line); package bench's TestMain prints it.
const EnvPrefix = "vlanraw-env:"

// Line formats the environment as one line that Parse reads back, such as
//
//	vlanraw-env: kernel=6.12.57+deb12-cloud-amd64 virt=qemu-tcg cpu="QEMU Virtual CPU version 2.5+" cpus=2 go=go1.26.8 date=2026-11-21T10:00:00Z
func (e Env) Line() string {
	var b strings.Builder
	b.WriteString(EnvPrefix)
	kv := func(k, v string) {
		if v == "" {
			return
		}
		if strings.ContainsAny(v, " \t\"=") {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s=%s", k, v)
	}
	kv("kernel", e.Kernel)
	kv("virt", e.Virt.String())
	kv("cpu", e.CPU)
	if e.CPUs > 0 {
		kv("cpus", strconv.Itoa(e.CPUs))
	}
	kv("go", e.Go)
	if !e.Date.IsZero() {
		kv("date", e.Date.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// parseEnvLine reads a line that Line wrote into e; keys it does not know
// are ignored, so that newer binaries may say more.
func parseEnvLine(line string, e *Env) error {
	rest, ok := strings.CutPrefix(line, EnvPrefix)
	if !ok {
		return fmt.Errorf("not an environment line: %q", line)
	}
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return nil
		}
		key, after, ok := strings.Cut(rest, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return fmt.Errorf("environment line: want key=value at %q", rest)
		}
		var value string
		if strings.HasPrefix(after, `"`) {
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				return fmt.Errorf("environment line: %s: %w", key, err)
			}
			value, _ = strconv.Unquote(q)
			rest = after[len(q):]
		} else {
			value, rest, _ = strings.Cut(after, " ")
		}
		if err := e.set(key, value); err != nil {
			return fmt.Errorf("environment line: %s: %w", key, err)
		}
	}
}

// set sets the field key of an environment line.
func (e *Env) set(key, value string) error {
	var err error
	switch key {
	case "kernel":
		e.Kernel = value
	case "virt":
		e.Virt, err = ParseVirt(value)
	case "cpu":
		e.CPU = value
	case "cpus":
		e.CPUs, err = strconv.Atoi(value)
	case "go":
		e.Go = value
	case "date":
		e.Date, err = time.Parse(time.RFC3339, value)
	}
	return err
}

// CurrentEnv describes the running machine: the kernel release (uname
// -r), the CPU model (/proc/cpuinfo), the Go version this program was
// built with, the time, and where it runs (see DetectVirt).
func CurrentEnv() Env {
	e := Env{
		Virt:   DetectVirt(os.Getenv, os.ReadFile),
		CPU:    cpuModel(os.ReadFile),
		CPUs:   runtime.NumCPU(),
		Go:     runtime.Version(),
		GOOS:   runtime.GOOS,
		GOARCH: runtime.GOARCH,
		Date:   time.Now().UTC().Truncate(time.Second),
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err == nil {
		e.Kernel = unix.ByteSliceToString(uts.Release[:])
	}
	return e
}

// DetectVirt tells where the program runs, with getenv and readFile (os's
// in real use). Inside vmtest's guest, VLANRAW_TESTENV is "vm", and
// VLANRAW_KVM, which vmtest passes on, is "1" exactly when vmtest booted
// the guest with KVM rather than TCG. Elsewhere, a QEMU guest has
// "QEMU" as its DMI system vendor, and a KVM one (QEMU's or any other
// hypervisor's) offers the kvm-clock clocksource, which TCG never does.
// Any other machine is the host.
func DetectVirt(getenv func(string) string, readFile func(string) ([]byte, error)) Virt {
	if getenv("VLANRAW_TESTENV") == "vm" {
		if getenv("VLANRAW_KVM") == "1" {
			return QEMUKVM
		}
		return QEMUTCG
	}
	vendor, err := readFile("/sys/class/dmi/id/sys_vendor")
	if err != nil || strings.TrimSpace(string(vendor)) != "QEMU" {
		return Host
	}
	clocks, _ := readFile("/sys/devices/system/clocksource/clocksource0/available_clocksource")
	if bytes.Contains(clocks, []byte("kvm-clock")) {
		return QEMUKVM
	}
	return QEMUTCG
}

// cpuModel returns the first "model name" of /proc/cpuinfo, as go test's
// cpu: line does, or "".
func cpuModel(readFile func(string) ([]byte, error)) string {
	b, err := readFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
