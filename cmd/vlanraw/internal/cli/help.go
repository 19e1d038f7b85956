package cli

import (
	"fmt"
	"io"
)

// HelpRequested is returned by a parser that met a "help" word (or -h):
// Run prints the help of Topic on stdout and exits 0.
type HelpRequested struct {
	// Topic is the command whose help to print; "" for the main help.
	Topic string
}

// Error implements error.
func (h *HelpRequested) Error() string { return "help requested for " + h.Topic }

// Help is the help command, the last of the dispatch table: "vlanraw
// help [COMMAND]". Its own help is the main help, made from the table.
var Help = Command{Name: "help", Summary: "show help for an object", Run: runHelp}

// runHelp runs `vlanraw help [COMMAND]`.
func runHelp(e *Env, args []string) error {
	switch len(args) {
	case 0:
		e.writeHelp("")
		return nil
	case 1:
		if _, ok := e.commands.find(args[0]); !ok {
			return Usagef("no help for %q: use one of %s", args[0], e.commands.names())
		}
		e.writeHelp(args[0])
		return nil
	}
	return Usagef("help takes one object, got %d words", len(args))
}

// writeHelp prints the help of the command topic selects on stdout, or
// the main help.
func (e *Env) writeHelp(topic string) {
	if c, ok := e.commands.find(topic); ok && c.help() != "" {
		fmt.Fprint(e.Stdout, c.help())
		return
	}
	e.commands.writeMainHelp(e.Stdout)
}

// writeMainHelp writes the top-level help: the global options and the
// commands of the table.
func (t table) writeMainHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [OPTIONS] OBJECT COMMAND [ARGS...]

vlanraw does what Docker's ipvlan and macvlan network drivers do, for
plain network namespaces, and what "ip link" does for ipvlan, macvlan and
vlan links, over raw rtnetlink, on hosts without Docker or iproute2. The
link object takes iproute2's words, so "ip link ..." commands can be
pasted after "vlanraw"; network, connect and disconnect take Docker's.

OPTIONS (before OBJECT; for show and ls also after the command):
  -n, --netns NETNS    run in network namespace NETNS: a name under
                       /run/netns, a path such as /proc/PID/ns/net, or a
                       process id, for every object. For network,
                       connect, disconnect, routes and restore, NETNS is
                       the host namespace: the one that holds the parent
                       links. Use one state directory per host namespace
  -j, --json           print JSON (with the keys of "ip -j" for link, addr,
                       route, neigh, netns)
  -d, --details        print details: the kind and its mode, flags, queues
  -p, --pretty         indent JSON
  --state-dir DIR      record networks and endpoints in DIR; default
                       $VLANRAW_STATE_DIR, else /var/lib/vlanraw
  -h, --help           show this help
  iproute2's one-dash spellings (-details, -json, -netns NETNS) work too.

OBJECTS:
`)
	for _, c := range t {
		fmt.Fprintf(w, "  %-11s %s\n", c.Name, c.Summary)
	}
	fmt.Fprint(w, `
Run "vlanraw help OBJECT" for an object's commands. Objects may be
abbreviated to any prefix; the first in the list above wins.

Exit status: 0 on success; 1 when the kernel or the system refused (the
message carries the kernel's own reason when it gave one); 2 for a
mistake in the command line or an invalid value.
`)
}
