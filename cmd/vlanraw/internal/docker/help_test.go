package docker

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// mentions reports whether text has word as a whole word.
func mentions(text, word string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}

// TestObjectHelpCoversEveryWord checks that the help of network, connect,
// disconnect, routes and restore mentions every command, flag and value
// it accepts.
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
			if code, out, _ := runCLI(args...); code != exitOK || out != help {
				t.Errorf("vlanraw %s: exit %d and a different text; want the help of %s", strings.Join(args, " "), code, tt.topic)
			}
		}
	}
}
