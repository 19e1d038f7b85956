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
	err := newLoadError(fmt.Errorf("program count_frames: %w", ve))
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
