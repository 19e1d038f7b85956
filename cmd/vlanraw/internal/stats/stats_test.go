package stats

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// TestStatsUsage checks that mistakes in stats commands are usage errors
// (exit 2) that name the mistake, before anything reaches the kernel.
func TestStatsUsage(t *testing.T) {
	for _, tt := range []struct {
		line string
		want string
	}{
		{"stats frob", `unknown stats command "frob"`},
		{"stats attach", "stats attach needs an interface"},
		{"stats detach", "stats detach needs an interface"},
		{"stats attach t0 sideways", `unknown direction "sideways"`},
		{"stats attach t0 ingress extra", "takes an interface and a direction, got 3 words"},
		{"stats attach --mode bogus t0", `unknown attach mode "bogus"`},
		{"stats show --interval 0s t0", "--interval must be positive"},
		{"stats show --frob", "unknown flag: --frob"},
		{"stats detach --mode tcx t0", "unknown flag: --mode"},
	} {
		code, stdout, stderr := runCLI(strings.Fields(tt.line)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.line, code, stdout, stderr, tt.want)
		}
	}
	if code, out, _ := runCLI("stats", "help"); code != exitOK || !strings.Contains(out, "vlanraw stats attach") {
		t.Errorf("stats help: exit %d, %q", code, out)
	}
}

// TestStatsHelpCoversEveryWord checks that the help names every command
// and option.
func TestStatsHelpCoversEveryWord(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(statsHelp)
	words := []string{"ingress", "egress", "both", "auto", "tcx", "cls_bpf", "DEV"}
	for _, c := range statsCommands {
		words = append(words, c.kw.Name)
	}
	for _, cmd := range []string{"attach", "show", "detach"} {
		statsFlags(&cli.Env{}, cmd, &statsOptions{}).VisitAll(func(f *pflag.Flag) {
			words = append(words, "--"+f.Name)
			if f.Shorthand != "" {
				words = append(words, "-"+f.Shorthand)
			}
		})
	}
	for _, c := range bpf.Classes() {
		words = append(words, c.String())
	}
	for _, w := range words {
		if !strings.Contains(b.String(), w) {
			t.Errorf("stats help does not mention %q", w)
		}
	}
}
