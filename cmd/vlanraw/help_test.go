package main

import (
	"regexp"
	"testing"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// mentions reports whether text has word as a whole word.
func mentions(text, word string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}

func TestMainHelp(t *testing.T) {
	code, out, _ := runCLI("--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, o := range commands {
		if !mentions(out, o.Name) {
			t.Errorf("vlanraw help does not mention object %q", o.Name)
		}
	}
	fs := cli.NewFlagSet(&cli.Options{})
	for _, name := range []string{"netns", "json", "details", "pretty", "help"} {
		f := fs.Lookup(name)
		if !mentions(out, "--"+f.Name) || !mentions(out, "-"+f.Shorthand) {
			t.Errorf("vlanraw help does not mention --%s and -%s", f.Name, f.Shorthand)
		}
	}
	code, out2, _ := runCLI("help")
	if code != exitOK || out2 != out {
		t.Errorf("vlanraw help: exit %d, different from --help", code)
	}
}
