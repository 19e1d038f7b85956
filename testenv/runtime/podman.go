package runtime

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
)

// Podman runs podman with its CNI backend over one plugin directory and
// one configuration directory, with its own storage and run state.
type Podman struct {
	ns   *netns.NS
	conf string // containers.conf
	dir  string
}

// NewPodman returns a Podman whose CNI plugins are in plugins and network
// configurations in confDir, running from a thread inside ns (nil: the
// caller's namespace). Its containers.conf selects the CNI backend and
// clears default_ulimits: podman's default nofile limit, 1048576, is
// above the hard limit of this machine (20000), where runc then fails
// with "error setting rlimit type 7: operation not permitted".
func NewPodman(tb testing.TB, ns *netns.NS, plugins, confDir string) *Podman {
	tb.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		tb.Fatalf("podman is not installed (testenv/deps.sh runtimes installs it): %v", err)
	}
	p := &Podman{ns: ns, dir: tb.TempDir()}
	// containers/storage bind-mounts its overlay directory on itself and
	// leaves the unmount to the last podman process: conmon's
	// "container cleanup", which may still run when the test ends.
	// Detached first (cleanups run in reverse), it lets TempDir's
	// removal through.
	tb.Cleanup(func() { unix.Unmount(filepath.Join(p.dir, "root", "overlay"), unix.MNT_DETACH) })
	p.conf = filepath.Join(p.dir, "containers.conf")
	conf := fmt.Sprintf(`[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "cni"
cni_plugin_dirs = [%q]
network_config_dir = %q
`, plugins, confDir)
	if err := os.WriteFile(p.conf, []byte(conf), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Run runs podman with args and returns its standard output; a failure
// carries both outputs.
func (p *Podman) Run(args ...string) ([]byte, error) {
	full := append([]string{
		"--root", filepath.Join(p.dir, "root"),
		"--runroot", filepath.Join(p.dir, "run"),
		"--tmpdir", filepath.Join(p.dir, "tmp"),
	}, args...)
	cmd := exec.Command("podman", full...)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+p.conf)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := p.ns.Do(cmd.Run); err != nil {
		return stdout.Bytes(), fmt.Errorf("podman %s: %w\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}
