package bpf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// TestLoadErrorCarriesVerifierLog checks that a refused classifier's
// error holds and prints the verifier's whole log, and unwraps to the
// verifier error and its errno.
func TestLoadErrorCarriesVerifierLog(t *testing.T) {
	ve := &ebpf.VerifierError{Cause: unix.EACCES, Log: []string{"0: (61) r1 = *(u32 *)(r1 +76)", "invalid bpf_context access off=76 size=4"}}
	err := newLoadError(fmt.Errorf("program count_frames: %w", ve), nil)
	var le *LoadError
	if !errors.As(err, &le) || len(le.Log) != 2 {
		t.Fatalf("newLoadError: %#v; want a *LoadError with the log", err)
	}
	var got *ebpf.VerifierError
	if !errors.As(err, &got) || !errors.Is(err, unix.EACCES) {
		t.Errorf("%v does not unwrap to the verifier error and EACCES", err)
	}
	for _, w := range []string{"load the classifier into the kernel: program count_frames:", "verifier log:\n0: (61) r1", "invalid bpf_context access off=76"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// TestLoadErrorMemlock checks that a load refused with EPERM after
// RLIMIT_MEMLOCK could not be raised says so, and that other failures
// do not blame the limit.
func TestLoadErrorMemlock(t *testing.T) {
	raise := errors.New("failed to set memlock rlimit: operation not permitted")
	for _, tt := range []struct {
		name        string
		err         error
		memlock     error
		wantMemlock bool
	}{
		{"EPERM, limit not raised", fmt.Errorf("map create: %w", unix.EPERM), raise, true},
		{"EPERM, limit raised", fmt.Errorf("map create: %w", unix.EPERM), nil, false},
		{"EINVAL, limit not raised", fmt.Errorf("map create: %w", unix.EINVAL), raise, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := newLoadError(tt.err, tt.memlock)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("newLoadError: %#v; want a *LoadError", err)
			}
			if got := le.Memlock != nil; got != tt.wantMemlock {
				t.Errorf("Memlock = %v; want set: %t", le.Memlock, tt.wantMemlock)
			}
			if got := strings.Contains(err.Error(), "RLIMIT_MEMLOCK"); got != tt.wantMemlock {
				t.Errorf("error %q names RLIMIT_MEMLOCK: %t; want %t", err, got, tt.wantMemlock)
			}
			if !errors.Is(err, errors.Unwrap(tt.err)) {
				t.Errorf("error %q does not unwrap to %v", err, errors.Unwrap(tt.err))
			}
		})
	}
}
