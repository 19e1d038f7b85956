package docker

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
)

// TestVerifyBadWords: mistakes on the verify command line are usage
// errors (exit 2) that reach nothing, naming the bad word.
func TestVerifyBadWords(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		line, want string
	}{
		{"verify", "one network"},
		{"verify a b", "one network"},
		{"verify a --wire-netns far", "--wire-dev go together"},
		{"verify a --wire-dev eth0", "go together"},
		{"verify a --wire-hairpin", "needs the far side"},
		{"verify a --copies 0", "--copies 0"},
		{"verify a --counters xdp", `"xdp"`},
		{"verify a --frob", "--frob"},
	} {
		code, stdout, stderr := runCLI(append([]string{"--state-dir", dir}, strings.Fields(tt.line)...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.line, code, stdout, stderr, tt.want)
		}
	}
}

// TestVerifyHelp checks that the help of verify mentions every flag, and
// that "verify help" and "verify -h" print it.
func TestVerifyHelp(t *testing.T) {
	code, help, _ := runCLI("help", "verify")
	if code != exitOK {
		t.Fatalf("help verify: exit %d", code)
	}
	var o verifyOptions
	newVerifyFlags(&cli.Env{}, &o).VisitAll(func(f *pflag.Flag) {
		if !clitest.Mentions(help, "--"+f.Name) {
			t.Errorf("help verify does not mention --%s", f.Name)
		}
	})
	for _, w := range []string{"auto", "tcx", "cls_bpf", "l2", "l3s", "vepa", "passthru", "NETWORK"} {
		if !clitest.Mentions(help, w) {
			t.Errorf("help verify does not mention %q", w)
		}
	}
	for _, args := range [][]string{{"verify", "help"}, {"verify", "-h"}} {
		if code, out, _ := runCLI(args...); code != exitOK || out != help {
			t.Errorf("vlanraw %s: exit %d and a different text", strings.Join(args, " "), code)
		}
	}
}
