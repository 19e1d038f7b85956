package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// linkKeywords returns every word the link parsers accept: keywords,
// commands and values.
func linkKeywords() []string {
	var ws []string
	for _, table := range [][]keyword{linkWords, macvlanWords, ipvlanWords, vlanWords, showWords} {
		for _, k := range table {
			if !k.unsupported {
				ws = append(ws, k.name)
			}
		}
	}
	for _, c := range linkCommands {
		if !c.kw.unsupported {
			ws = append(ws, c.kw.name)
		}
	}
	for w := range macvlanModes {
		ws = append(ws, w)
	}
	for w := range macvlanFlagValues {
		ws = append(ws, w)
	}
	for w := range macaddrOps {
		ws = append(ws, w)
	}
	for w := range ipvlanModes {
		ws = append(ws, w)
	}
	for w := range vlanFlagWords {
		ws = append(ws, w)
	}
	ws = append(ws, kinds...)
	return append(ws, "peer", "on", "off", "802.1Q", "802.1ad", "qlen", "txqlen", "del")
}

// mentions reports whether text has word as a whole word.
func mentions(text, word string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}

// TestLinkHelpCoversEveryWord checks that `vlanraw help link` documents
// every word the link parsers accept, and that `vlanraw link help` prints
// the same.
func TestLinkHelpCoversEveryWord(t *testing.T) {
	code, help, stderr := runCLI("help", "link")
	if code != exitOK || stderr != "" {
		t.Fatalf("help link: exit %d, stderr %q", code, stderr)
	}
	for _, w := range linkKeywords() {
		if !mentions(help, w) {
			t.Errorf("vlanraw help link does not mention %q", w)
		}
	}
	for _, args := range [][]string{{"link", "help"}, {"link", "add", "help"}, {"link", "add", "link", "p0", "mv0", "type", "macvlan", "help"}} {
		code, out, _ := runCLI(args...)
		if code != exitOK || out != help {
			t.Errorf("vlanraw %s: exit %d and a different text; want exit 0 and the link help", strings.Join(args, " "), code)
		}
	}
}

func TestNetNSHelpCoversEveryWord(t *testing.T) {
	var b bytes.Buffer
	netnsHelp(&b)
	for _, c := range netnsCommands {
		if !mentions(b.String(), c.kw.name) {
			t.Errorf("vlanraw help netns does not mention %q", c.kw.name)
		}
	}
}

func TestMainHelp(t *testing.T) {
	code, out, _ := runCLI("--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, o := range objects() {
		if !mentions(out, o.name) {
			t.Errorf("vlanraw help does not mention object %q", o.name)
		}
	}
	fs := newFlagSet(&globals{})
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
