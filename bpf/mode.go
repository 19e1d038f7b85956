package bpf

import "fmt"

// Mode is how a counter is attached to its hook.
type Mode int

const (
	// ModeAuto uses TCX where the kernel has it (Linux 6.6 and later),
	// else cls_bpf. It is found out by trying TCX, not from the kernel
	// version.
	ModeAuto Mode = iota
	// ModeTCX attaches with a TCX bpf_link (BPF_LINK_CREATE), which the
	// kernel detaches when the link's last reference goes away.
	ModeTCX
	// ModeClsBPF adds a direct-action cls_bpf filter under a clsact
	// qdisc (created if missing), over rtnetlink, as `tc filter add dev X
	// ingress bpf da` does.
	ModeClsBPF
)

// String returns "auto", "tcx" or "cls_bpf".
func (m Mode) String() string {
	switch m {
	case ModeAuto:
		return "auto"
	case ModeTCX:
		return "tcx"
	case ModeClsBPF:
		return "cls_bpf"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode called name: "auto", "tcx" or "cls_bpf".
func ParseMode(name string) (Mode, error) {
	for _, m := range []Mode{ModeAuto, ModeTCX, ModeClsBPF} {
		if m.String() == name {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown attach mode %q: use auto, tcx or cls_bpf", name)
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) {
	if m < ModeAuto || m > ModeClsBPF {
		return nil, fmt.Errorf("invalid attach mode %d", int(m))
	}
	return []byte(m.String()), nil
}
