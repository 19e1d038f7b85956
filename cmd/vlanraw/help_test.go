package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// linkKeywords returns every word the link parsers accept: keywords,
// commands and values, the kinds' own from the kinds table.
func linkKeywords() []string {
	var ws []string
	for _, table := range [][]keyword{linkWords, showWords} {
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
	for _, k := range kindTable {
		ws = append(ws, k.words...)
	}
	ws = append(ws, kinds...)
	return append(ws, "qlen", "txqlen", "del")
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

// TestObjectHelpCoversEveryWord checks that the help of each object beyond
// link and netns mentions every command, flag and value it accepts.
func TestObjectHelpCoversEveryWord(t *testing.T) {
	var o createOptions
	var createFlags []string
	newCreateFlags(&o).VisitAll(func(f *pflag.Flag) {
		createFlags = append(createFlags, "--"+f.Name)
		if f.Shorthand != "" {
			createFlags = append(createFlags, "-"+f.Shorthand)
		}
	})
	var commands []string
	for c := range networkCommands {
		if !strings.HasPrefix(c, "-") {
			commands = append(commands, c)
		}
	}
	for _, tt := range []struct {
		topic string
		words []string
	}{
		{"network", append(append(createFlags, commands...),
			"-j", "-p", "--force", "-f", "DRIVER", "ipvlan", "macvlan",
			modes.OptParent, modes.OptIPVlanMode, modes.OptIPVlanFlag, modes.OptMACVlanMode, modes.OptMTU,
			modes.ModeL2, modes.ModeL3, modes.ModeL3S, modes.FlagBridge, modes.FlagPrivate, modes.FlagVEPA,
			modes.ModeBridge, modes.ModePrivate, modes.ModeVEPA, modes.ModePassthru)},
		{"connect", []string{"--ip", "--ip6", "--mac", "--ifname", "-j", "--json", "-p", "--pretty", "-h", "--help", "NETWORK", "NETNS"}},
		{"disconnect", []string{"--all", "-h", "--help", "NETWORK", "NETNS"}},
		{"routes", []string{"--apply", "--netns", "-j", "--json", "-p", "--pretty", "-h", "--help", "DEV"}},
		{"restore", []string{"--wait-parent", "DURATION", "-j", "--json", "-p", "--pretty", "-h", "--help"}},
		{"addr", []string{"show", "list", "lst", "add", "del", "delete", "dev", "nodad", "help"}},
		{"route", []string{"show", "list", "lst", "dev", "help", "-d", "-j"}},
		{"neigh", []string{"show", "list", "lst", "dev", "help", "-d", "-j"}},
		{"netns", []string{"exec", "/etc/netns", "/sys"}},
	} {
		code, help, stderr := runCLI("help", tt.topic)
		if code != exitOK || stderr != "" {
			t.Fatalf("help %s: exit %d, stderr %q", tt.topic, code, stderr)
		}
		for _, w := range tt.words {
			if !mentions(help, w) {
				t.Errorf("vlanraw help %s does not mention %q", tt.topic, w)
			}
		}
		// The object's own "help" word, and -h after it, print the same.
		for _, args := range [][]string{{tt.topic, "help"}, {tt.topic, "-h"}} {
			if tt.topic == "netns" {
				args = []string{tt.topic, "help"}
			}
			if code, out, _ := runCLI(args...); code != exitOK || out != help {
				t.Errorf("vlanraw %s: exit %d and a different text; want the help of %s", strings.Join(args, " "), code, tt.topic)
			}
		}
	}
}
