package cniplugins

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReference builds the reference directory when it is incomplete
// (make vmtest runs it to fill .cache/cni/bin for the guest) and checks
// that each plugin answers VERSION with the spec's versions.
func TestReference(t *testing.T) {
	dir := Reference(t)
	for _, p := range Programs {
		if p.Name == "cnitool" {
			continue
		}
		cmd := exec.Command(filepath.Join(dir, p.Name))
		cmd.Env = []string{"CNI_COMMAND=VERSION"}
		cmd.Stdin = strings.NewReader(`{"cniVersion":"1.1.0"}`)
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), `"1.1.0"`) {
			t.Errorf("%s VERSION: %v: %s", p.Name, err, out)
		}
	}
}
