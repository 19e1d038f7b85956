package docker

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes"
)

// GC reconciles the records with the kernel.
var GC = cli.Command{Name: "gc", Summary: "reconcile records and kernel: delete orphan links, release addresses of vanished namespaces", Run: runGC, Help: gcHelp}

// runGC runs `vlanraw gc`: it reconciles the records with the kernel, both
// ways, and prints what it did (see modes.Manager.GC).
func runGC(e *cli.Env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("gc", pflag.ContinueOnError)
	e.OutputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "gc", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return cli.Usagef("gc takes no words, got %q", rest[0])
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := m.GC()
	if err != nil {
		return err
	}
	if e.JSON {
		return cli.WriteJSON(e.Stdout, rep, e.Pretty)
	}
	if _, err := fmt.Fprint(e.Stdout, gcText(rep)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// gcText renders a gc report for people, one line an action.
func gcText(rep modes.GCReport) string {
	var b strings.Builder
	for _, l := range rep.Deleted {
		fmt.Fprintf(&b, "link %s in %s (%s): deleted: no record claims it\n", l.Name, l.NetNS, l.Alias)
	}
	for _, x := range []struct {
		what string
		refs []modes.EndpointRef
	}{
		{"released: its namespace is gone; its addresses are free", rep.Released},
		{"renamed: its link was found under this name; recorded", rep.Renamed},
		{"marked: its link, made by an older vlanraw, now carries its mark", rep.Marked},
		{"missing: its namespace exists but its link does not; vlanraw restore creates it again", rep.Missing},
	} {
		for _, r := range x.refs {
			fmt.Fprintf(&b, "network %s, namespace %s (%s): %s\n", r.Network, r.NetNS, r.IfName, x.what)
		}
	}
	return b.String()
}

// gcHelp is the help of the gc object.
const gcHelp = `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] gc [-j] [-p]

Reconcile the records with the kernel, both ways. Every link vlanraw makes
carries its mark: a link group of the state directory, set as it is
created, and the alias "vlanraw:DIR:NETWORK:ENDPOINT" (see "ip link
show"). gc looks in every network namespace of the host (named ones and
those a process or an open file holds) and:

  - deletes the links with this state directory's mark that no record
    claims (left by a deleted state file, or a killed vlanraw whose work
    could not be finished);
  - follows endpoint links that were renamed by hand, and records their
    new name;
  - drops the records of endpoints whose namespace is gone, which frees
    their addresses;
  - reports endpoints whose namespace exists but whose link does not:
    "vlanraw restore" creates them again.

It creates nothing, and running it again changes nothing.

  -j, --json     print what was done as JSON
  -p, --pretty   indent the JSON
  -h, --help     print this help; so does a lone "help"
`
