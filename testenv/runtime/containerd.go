package runtime

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	criapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/vlanraw/vlanraw/netns"
)

// PauseRef is the sandbox image StartContainerd imports and configures.
const PauseRef = "vlanraw.test/pause:1"

// Containerd is a containerd daemon with private root, state, sockets and
// configuration, its CRI plugin running the CNI plugins of one directory.
type Containerd struct {
	// Socket is the daemon's gRPC socket, serving the CRI.
	Socket string
	dir    string
}

// readyTimeout bounds the wait for the daemon's readiness notice.
const readyTimeout = 2 * time.Minute

// StartContainerd starts containerd from a thread inside ns (nil: the
// caller's namespace), with the CRI's CNI bin and conf dirs set to
// plugins and confDir, the native snapshotter (no overlay mounts), pod
// namespaces mounted under its state directory, restrict_oom_score_adj
// (the CRI gives a pause container oom_score_adj -998, which needs
// CAP_SYS_RESOURCE: root on this machine lacks it, and runc then fails
// with "can't get final child's PID from pipe: EOF", its nsexec with
// "failed to update /proc/self/oom_score_adj: Permission denied"), and
// the pause image
// (PauseImage) imported into the CRI's namespace, k8s.io. It returns
// once the daemon has told its readiness (sd_notify READY=1 on the
// NOTIFY_SOCKET it is given) and the image is in. The daemon is stopped
// when the test ends.
func StartContainerd(tb testing.TB, ns *netns.NS, plugins, confDir string) *Containerd {
	tb.Helper()
	for _, p := range []string{"containerd", "ctr", "runc", "containerd-shim-runc-v2"} {
		if _, err := exec.LookPath(p); err != nil {
			tb.Fatalf("%s is not installed (testenv/deps.sh runtimes installs containerd and runc): %v", p, err)
		}
	}
	// A short directory: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "vrcd-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Containerd{Socket: filepath.Join(dir, "c.sock"), dir: dir}
	conf := fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
[grpc]
  address = %[3]q
[ttrpc]
  address = "%[3]s.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = %[4]q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[6]q
    conf_dir = %[7]q
    max_conf_num = 1
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), c.Socket, filepath.Join(dir, "opt"), PauseRef, plugins, confDir)
	confPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		tb.Fatal(err)
	}

	notify := filepath.Join(dir, "notify")
	nc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notify, Net: "unixgram"})
	if err != nil {
		tb.Fatal(err)
	}
	defer nc.Close()
	log, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("containerd", "--config", confPath)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+notify)
	cmd.Stdout, cmd.Stderr = log, log
	if err := ns.Do(cmd.Start); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); log.Close() }()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		if tb.Failed() {
			b, _ := os.ReadFile(log.Name())
			tb.Logf("containerd's log:\n%s", lastLines(b, 15))
		}
		os.RemoveAll(dir)
	})

	ready := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		nc.SetReadDeadline(time.Now().Add(readyTimeout))
		for {
			n, err := nc.Read(buf)
			if err != nil {
				ready <- err
				return
			}
			if strings.Contains(string(buf[:n]), "READY=1") {
				ready <- nil
				return
			}
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			tb.Fatalf("containerd did not report ready within %v: %v (log in %s)", readyTimeout, err, log.Name())
		}
	case err := <-exited:
		b, _ := os.ReadFile(log.Name())
		tb.Fatalf("containerd exited before it was ready: %v\n%s", err, lastLines(b, 15))
	}

	img := PauseImage(tb, PauseRef)
	if out, err := exec.Command("ctr", "--address", c.Socket, "-n", "k8s.io", "images", "import", "--snapshotter", "native", img).CombinedOutput(); err != nil {
		tb.Fatalf("ctr images import %s: %v\n%s", img, err, out)
	}
	return c
}

// Runtime returns a CRI runtime service client of the daemon, closed when
// the test ends.
func (c *Containerd) Runtime(tb testing.TB) criapi.RuntimeServiceClient {
	tb.Helper()
	conn, err := grpc.NewClient("unix://"+c.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	rt := criapi.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := rt.Version(ctx, &criapi.VersionRequest{}); err != nil {
		tb.Fatalf("CRI Version from %s: %v", c.Socket, err)
	}
	return rt
}

// LogDir returns a directory for pods' logs under the daemon's.
func (c *Containerd) LogDir(tb testing.TB) string {
	tb.Helper()
	d, err := os.MkdirTemp(c.dir, "logs-")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// lastLines returns the last n lines of b.
func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}
