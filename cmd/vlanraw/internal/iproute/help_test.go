package iproute

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
)

// linkKeywords returns every word the link parsers accept: keywords,
// commands and values, the kinds' own from the kinds table.
func linkKeywords() []string {
	var ws []string
	for _, table := range [][]cli.Keyword{linkWords, showWords} {
		for _, k := range table {
			if !k.Unsupported {
				ws = append(ws, k.Name)
			}
		}
	}
	for _, c := range linkCommands {
		if !c.kw.Unsupported {
			ws = append(ws, c.kw.Name)
		}
	}
	for _, k := range kindTable {
		if k.words != nil {
			ws = append(ws, k.words()...)
		}
	}
	ws = append(ws, kindNames()...)
	return append(ws, "qlen", "txqlen", "del")
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
		if !clitest.Mentions(help, w) {
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
	b.WriteString(netnsHelp)
	for _, c := range netnsCommands {
		if !clitest.Mentions(b.String(), c.kw.Name) {
			t.Errorf("vlanraw help netns does not mention %q", c.kw.Name)
		}
	}
}

// TestObjectHelpCoversEveryWord checks that the help of addr, route,
// neigh and netns mentions every command, flag and value it accepts.
func TestObjectHelpCoversEveryWord(t *testing.T) {
	for _, tt := range []struct {
		topic string
		words []string
	}{
		{"addr", []string{"show", "list", "lst", "add", "del", "delete", "dev", "nodad", "help"}},
		{"route", []string{"show", "list", "lst", "dev", "help", "-d", "-j"}},
		{"neigh", []string{"show", "list", "lst", "dev", "help", "-d", "-j"}},
		{"netns", []string{"exec", "/etc/netns", "/sys"}},
	} {
		// The object's own "help" word, and -h after it, print the same.
		forms := [][]string{{tt.topic, "help"}, {tt.topic, "-h"}}
		if tt.topic == "netns" {
			forms = [][]string{{tt.topic, "help"}}
		}
		clitest.CheckHelp(t, runCLI, tt.topic, tt.words, forms)
	}
}
