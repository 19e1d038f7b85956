package report

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEnvLineRoundTrip: what Line writes, Parse reads back.
func TestEnvLineRoundTrip(t *testing.T) {
	for _, e := range []Env{
		{Kernel: "6.18.44-fc-v669", Virt: Host, CPU: "Intel(R) Xeon(R) Processor", CPUs: 2, Go: "go1.26.8",
			Date: time.Date(2026, 11, 21, 11, 4, 59, 0, time.UTC)},
		{Kernel: "6.1.0-41-cloud-amd64", Virt: QEMUKVM, CPU: `odd "quoted" cpu=x`},
		{Virt: VirtUnknown},
	} {
		var got Env
		if err := parseEnvLine(e.Line(), &got); err != nil {
			t.Fatalf("%s: %v", e.Line(), err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", e.Line(), diff)
		}
	}
}

// TestCurrentEnv checks that the running machine is described.
func TestCurrentEnv(t *testing.T) {
	e := CurrentEnv()
	if e.Kernel == "" || e.Go == "" || e.CPUs < 1 || e.Date.IsZero() || e.Virt == VirtUnknown {
		t.Errorf("CurrentEnv() = %+v", e)
	}
	t.Log(e.Line())
}

func TestDetectVirt(t *testing.T) {
	for _, tt := range []struct {
		name  string
		env   map[string]string
		files map[string]string
		want  Virt
	}{
		{"vmtest guest", map[string]string{"VLANRAW_TESTENV": "vm"}, nil, QEMUTCG},
		{"vmtest guest with VLANRAW_KVM=1", map[string]string{"VLANRAW_TESTENV": "vm", "VLANRAW_KVM": "1"}, nil, QEMUKVM},
		{"vmtest guest with VLANRAW_KVM=0", map[string]string{"VLANRAW_TESTENV": "vm", "VLANRAW_KVM": "0"}, nil, QEMUTCG},
		{"a QEMU guest under TCG", nil, map[string]string{
			"/sys/class/dmi/id/sys_vendor":                                       "QEMU\n",
			"/sys/devices/system/clocksource/clocksource0/available_clocksource": "tsc hpet acpi_pm \n"}, QEMUTCG},
		{"a QEMU guest under KVM", nil, map[string]string{
			"/sys/class/dmi/id/sys_vendor":                                       "QEMU\n",
			"/sys/devices/system/clocksource/clocksource0/available_clocksource": "kvm-clock tsc hpet acpi_pm \n"}, QEMUKVM},
		{"a machine without DMI (firecracker)", nil, map[string]string{
			"/sys/devices/system/clocksource/clocksource0/available_clocksource": "tsc kvm-clock \n"}, Host},
		{"another vendor", nil, map[string]string{"/sys/class/dmi/id/sys_vendor": "Dell Inc.\n"}, Host},
	} {
		getenv := func(k string) string { return tt.env[k] }
		readFile := func(p string) ([]byte, error) {
			if s, ok := tt.files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		}
		if got := DetectVirt(getenv, readFile); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCPUModel(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu\n"
	got := cpuModel(func(string) ([]byte, error) { return []byte(cpuinfo), nil })
	if got != "Intel(R) Xeon(R) Processor" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel(func(string) ([]byte, error) { return nil, errors.New("no") }); got != "" {
		t.Errorf("cpuModel without /proc = %q", got)
	}
}

func TestVirtText(t *testing.T) {
	for _, v := range []Virt{VirtUnknown, Host, QEMUTCG, QEMUKVM} {
		b, _ := v.MarshalText()
		var got Virt
		if err := got.UnmarshalText(b); err != nil || got != v {
			t.Errorf("%v: round trip gave %v, %v", v, got, err)
		}
	}
	if _, err := ParseVirt("bochs"); err == nil {
		t.Error("ParseVirt(bochs): no error")
	}
	if !Host.Timed() || QEMUTCG.Timed() || !QEMUKVM.Timed() {
		t.Error("Timed: only TCG's timings mean nothing")
	}
}
