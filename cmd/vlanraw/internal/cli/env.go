package cli

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/netns"
)

// Options are the global options, given before the command, as in
// `vlanraw -n blue -d link show`.
type Options struct {
	// NetNS is the network namespace given with -n: the one to act in,
	// or for Docker's grammar the host namespace that holds the parents.
	NetNS string
	// JSON is -j: print JSON, with the keys of `ip -j` where iproute2
	// has the command.
	JSON bool
	// Details is -d: print details, such as each link's kind and mode.
	Details bool
	// Pretty is -p: indent JSON.
	Pretty bool
	// Help is -h: print the help of the command, or the main help.
	Help bool
	// StateDir is where networks and endpoints are recorded: --state-dir,
	// else $VLANRAW_STATE_DIR, else /var/lib/vlanraw (see state.Dir).
	StateDir string
	// Wait is how long a command waits for another vlanraw holding the
	// state directory's lock.
	Wait time.Duration
}

// DefaultWait is how long a command waits for the state lock unless
// --wait says otherwise.
const DefaultWait = 60 * time.Second

// Env is what a command runs with: the global options and where to write.
type Env struct {
	Options
	// Stdout and Stderr are where the command writes its output and its
	// notes.
	Stdout io.Writer
	Stderr io.Writer
	// Ctx is done when the command is to stop (a signal): the operation
	// in progress then rolls back.
	Ctx context.Context
	// topic is the command being run, for hints in error messages.
	topic string
	// commands is the dispatch table, for help.
	commands table
}

// NewFlagSet returns the global options bound to o. The values o already
// has are the defaults, so that options after a command add to those
// before it.
func NewFlagSet(o *Options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("vlanraw", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.NetNS, "netns", "n", o.NetNS, "run in network namespace NETNS: "+netns.Forms)
	fs.BoolVarP(&o.JSON, "json", "j", o.JSON, "print JSON, with the keys of `ip -j`")
	fs.BoolVarP(&o.Details, "details", "d", o.Details, "print details, such as each link's kind and mode")
	fs.BoolVarP(&o.Pretty, "pretty", "p", o.Pretty, "indent JSON output")
	fs.BoolVarP(&o.Help, "help", "h", o.Help, "show help")
	fs.StringVar(&o.StateDir, "state-dir", o.StateDir, "record networks and endpoints in DIR")
	fs.DurationVar(&o.Wait, "wait", o.Wait, "wait at most this long for another vlanraw holding the state lock")
	return fs
}

// iprouteOptions are the long options iproute2 spells with one dash
// (-details, -json, -netns); any prefix of two letters or more selects
// one, as in iproute2.
var iprouteOptions = []string{"details", "json", "pretty", "netns", "help"}

// normalizeOptions rewrites iproute2's one-dash long options, such as
// -details or -net, into the --details form pflag reads.
func normalizeOptions(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		for _, o := range iprouteOptions {
			if strings.HasPrefix(o, a[1:]) {
				out[i] = "--" + o
				break
			}
		}
	}
	return out
}

// ParseTrailing reads global options given after the command, as in
// `vlanraw link show -d`, and returns the other words. Only commands
// whose words never start with a dash use it.
func (e *Env) ParseTrailing(args []string) ([]string, error) {
	fs := NewFlagSet(&e.Options)
	if err := fs.Parse(normalizeOptions(args)); err != nil {
		return nil, Usagef("%v", err)
	}
	return fs.Args(), nil
}
