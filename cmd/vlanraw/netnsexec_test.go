package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNetNSExec runs `vlanraw netns exec` as a process (it replaces
// itself, so it cannot run in-process): the command sees the namespace's
// links through rtnetlink and through /sys, and its exit status is
// vlanraw's.
func TestNetNSExec(t *testing.T) {
	ns := newNetNS(t)
	vr(t, ns, "link", "add", "xq0", "type", "veth", "peer", "name", "xq1")
	exe, env := vlanrawExe(t)
	run := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(exe, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), stdout.String(), stderr.String()
		case err != nil:
			t.Fatal(err)
		}
		return 0, stdout.String(), stderr.String()
	}

	// rtnetlink: vlanraw run inside lists the namespace's links.
	code, out, stderr := run(env, "netns", "exec", ns, exe, "link", "show")
	if code != 0 || !strings.Contains(out, "xq0@xq1") || !strings.Contains(out, "xq1@xq0") {
		t.Errorf("netns exec %s vlanraw link show: exit %d, stdout %q, stderr %q", ns, code, out, stderr)
	}
	// Words after the command are passed as given, one-dash options too.
	code, out, _ = run(env, "netns", "exec", ns, exe, "-json", "link", "show", "dev", "xq1")
	if code != 0 || !strings.HasPrefix(out, `[{"ifindex"`) {
		t.Errorf("netns exec %s vlanraw -json link show dev xq1: exit %d, stdout %q", ns, code, out)
	}

	// /sys is the namespace's, and the exit status passes through.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr = run(env, "netns", "exec", ns, self, lsSysArg)
	names := strings.Fields(out)
	if code != 7 || strings.Join(names, " ") != "lo xq0 xq1" {
		t.Errorf("netns exec %s (list /sys/class/net): exit %d, names %q, stderr %q; want exit 7 and lo xq0 xq1", ns, code, names, stderr)
	}

	// Mistakes: no command, an unknown namespace, a missing program.
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"netns", "exec", ns}, exitUsage, "a namespace name and a command"},
		{[]string{"netns", "exec", ns + "-nosuch", "true"}, exitRuntime, "cannot open network namespace"},
		{[]string{"netns", "exec", ns, "/nonexistent/program"}, exitRuntime, "/nonexistent/program"},
		{[]string{"netns", "exec", "a/b", "true"}, exitUsage, "invalid namespace name"},
	} {
		code, out, stderr := run(env, tt.args...)
		if code != tt.code || out != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit %d and %q",
				strings.Join(tt.args, " "), code, out, stderr, tt.code, tt.want)
		}
	}
}
