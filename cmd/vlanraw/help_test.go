package main

import (
	"testing"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
)

func TestMainHelp(t *testing.T) {
	code, out, _ := runCLI("--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, o := range commands {
		if !clitest.Mentions(out, o.Name) {
			t.Errorf("vlanraw help does not mention object %q", o.Name)
		}
	}
	fs := cli.NewFlagSet(&cli.Options{})
	for _, name := range []string{"netns", "json", "details", "pretty", "help"} {
		f := fs.Lookup(name)
		if !clitest.Mentions(out, "--"+f.Name) || !clitest.Mentions(out, "-"+f.Shorthand) {
			t.Errorf("vlanraw help does not mention --%s and -%s", f.Name, f.Shorthand)
		}
	}
	code, out2, _ := runCLI("help")
	if code != exitOK || out2 != out {
		t.Errorf("vlanraw help: exit %d, different from --help", code)
	}
}
