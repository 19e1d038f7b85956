package docker

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/clitest"
	"github.com/vlanraw/vlanraw/modes"
)

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
		// The object's own "help" word, and -h after it, print the same.
		clitest.CheckHelp(t, runCLI, tt.topic, tt.words, [][]string{{tt.topic, "help"}, {tt.topic, "-h"}})
	}
}
