package bgp

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
)

// runCLI runs vlanraw in-process with this package's command.
func runCLI(args ...string) (code int, stdout, stderr string) {
	return clitest.Run([]cli.Command{Command}, args...)
}

// TestRunBadInput: each mistake in the words of bgp run is a usage error
// (exit 2) saying what was wrong, found before anything starts: the state
// directory is one that does not exist, and is not created.
func TestRunBadInput(t *testing.T) {
	dir := t.TempDir() + "/never"
	ok := "--asn 65001 --peer 192.0.2.1 --peer-asn 65000"
	for _, tt := range []struct {
		args, want string
	}{
		{"--peer 192.0.2.1 --peer-asn 65000", "needs the local AS: --asn N"},
		{"--asn 65001", "needs a neighbour: --peer ADDR --peer-asn N"},
		{"--asn 65001 --peer router.lan --peer-asn 65000", `--peer "router.lan" is not an IP address`},
		{"--asn 65001 --peer 192.0.2.1/24 --peer-asn 65000", `--peer "192.0.2.1/24" is not an IP address`},
		{"--asn 0 --peer 192.0.2.1 --peer-asn 65000", "--asn 0: an AS number is from 1 to 4294967295"},
		{"--asn 4294967296 --peer 192.0.2.1 --peer-asn 65000", "--asn 4294967296: an AS number is from 1 to 4294967295"},
		{"--asn -1 --peer 192.0.2.1 --peer-asn 65000", "--asn -1: an AS number is from 1 to 4294967295"},
		{"--asn 1.10 --peer 192.0.2.1 --peer-asn 65000", "--asn 1.10: an AS number is from 1 to 4294967295 (asdot"},
		{"--asn 65001 --peer 192.0.2.1 --peer-asn 4294967296", "--peer-asn 4294967296: an AS number is from 1 to 4294967295"},
		{"--asn 65001 --peer 192.0.2.1 --peer 192.0.2.3 --peer-asn 65000", "2 --peer and 1 --peer-asn: give one --peer-asn for each --peer"},
		{"--asn 65001 --peer 192.0.2.1 --peer-asn 65000 --peer-asn 65002", "1 --peer and 2 --peer-asn"},
		{"--asn 65001 --peer 192.0.2.1 --peer-asn 65000 --peer 192.0.2.1 --peer-asn 65000 --router-id 192.0.2.9", "peer 192.0.2.1 is given twice"},
		{ok + " --router-id 2001:db8::1", `--router-id "2001:db8::1" is not an IPv4 address`},
		{ok + " --hold-time 2", "--hold-time 2: give 3 to 65535 seconds"},
		{ok + " --hold-time 65536", "--hold-time 65536: give 3 to 65535 seconds"},
		{ok + " --port 0", "--port 0: give a TCP port from 1 to 65535"},
		{ok + " extra", `bgp run takes no words besides its options, got "extra"`},
		{ok + " --bogus", "unknown flag: --bogus"},
		{"frobnicate", "bgp frobnicate: unknown command: use run or status"},
		{"status extra", `bgp status takes no words besides -j and -p, got "extra"`},
	} {
		t.Run(tt.args, func(t *testing.T) {
			args := append([]string{"--state-dir", dir, "bgp"}, strings.Fields(tt.args)...)
			if !strings.HasPrefix(tt.args, "frobnicate") && !strings.HasPrefix(tt.args, "status") {
				args = append([]string{"--state-dir", dir, "bgp", "run"}, strings.Fields(tt.args)...)
			}
			code, stdout, stderr := runCLI(args...)
			if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(args, " "), code, stdout, stderr, tt.want)
			}
		})
	}
	if code, _, stderr := runCLI("-n", "somewhere", "--state-dir", dir, "bgp", "run", "--asn", "65001", "--peer", "192.0.2.1", "--peer-asn", "65000"); code != cli.ExitUsage ||
		!strings.Contains(stderr, "vlanraw netns exec somewhere vlanraw bgp run") {
		t.Errorf("bgp run with -n: exit %d, %q; want exit 2 and how to run it in the namespace", code, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state directory %s: %v; want it never made", dir, err)
	}
}

// TestStatusNotRunning: without a speaker, bgp status says so and how to
// start one, exit 1.
func TestStatusNotRunning(t *testing.T) {
	code, stdout, stderr := runCLI("--state-dir", t.TempDir(), "bgp", "status")
	if code != cli.ExitRuntime || stdout != "" || !strings.Contains(stderr, `no BGP speaker is running for this state directory`) ||
		!strings.Contains(stderr, `start one with "vlanraw bgp run"`) {
		t.Errorf("bgp status: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
