package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// globals are the options given before the object, as in
// `vlanraw -n blue -d link show`.
type globals struct {
	netns   string
	json    bool
	details bool
	pretty  bool
	help    bool
	// stateDir is where networks and endpoints are recorded: --state-dir,
	// else $VLANRAW_STATE_DIR, else /var/lib/vlanraw (see state.Dir).
	stateDir string
	// wait is how long a command waits for another vlanraw holding the
	// state directory's lock.
	wait time.Duration
}

// env is what a command runs with: the global options and where to write.
type env struct {
	globals
	stdout io.Writer
	stderr io.Writer
	// topic is the object being run, for hints in error messages.
	topic string
	// ctx is done when the command is to stop (a signal): the operation in
	// progress then rolls back.
	ctx context.Context
}

// object is one top-level word, such as link or netns. New objects are
// added to objects(); each lives in its own file.
type object struct {
	// name is the word; prefixes select it, as in iproute2, in the order
	// of objects().
	name string
	// summary is the one-line description for "vlanraw help".
	summary string
	// run carries out the words after the object.
	run func(e *env, args []string) error
	// help writes the object's full help text.
	help func(w io.Writer)
}

// objects returns the top-level objects in lookup order.
func objects() []object {
	return []object{
		{name: "link", summary: "create, change, show and delete links", run: runLink, help: linkHelp},
		{name: "addr", summary: "add, delete and show addresses", run: runAddr, help: addrHelp},
		{name: "route", summary: "show the routing table", run: runRoute, help: routeHelp},
		{name: "netns", summary: "add, delete, list named network namespaces; run a command in one", run: runNetNS, help: netnsHelp},
		{name: "neigh", summary: "show the neighbour (ARP and NDP) table", run: runNeigh, help: neighHelp},
		{name: "network", summary: "create, list, inspect and remove ipvlan and macvlan networks", run: runNetwork, help: networkHelp},
		{name: "connect", summary: "connect a network namespace to a network", run: runConnect, help: connectHelp},
		{name: "disconnect", summary: "disconnect network namespaces from a network", run: runDisconnect, help: disconnectHelp},
		{name: "routes", summary: "print or apply the routes upstream routers need for a network", run: runRoutes, help: routesHelp},
		{name: "restore", summary: "recreate recorded networks and endpoints after a reboot", run: runRestore, help: restoreHelp},
		{name: "gc", summary: "reconcile records and kernel: delete orphan links, release addresses of vanished namespaces", run: runGC, help: gcHelp},
		{name: "stats", summary: "attach, show and detach eBPF frame counters on a link's tc hooks", run: runStats, help: statsHelp},
		{name: "verify", summary: "prove with probes and counters that a network does what its mode promises", run: runVerify, help: verifyHelp},
		{name: "bench", summary: "run the benchmark suite, or build its report from saved runs", run: runBench, help: benchHelp},
		{name: "help", summary: "show help for an object", run: runHelp, help: mainHelp},
	}
}

// findObject returns the object that word selects.
func findObject(word string) (object, bool) {
	for _, o := range objects() {
		if word != "" && strings.HasPrefix(o.name, word) {
			return o, true
		}
	}
	return object{}, false
}

// helpRequested is returned by a parser that met a "help" word: the
// dispatcher prints the topic's help on stdout and exits 0.
type helpRequested struct{ topic string }

// Error implements error.
func (h *helpRequested) Error() string { return "help requested for " + h.topic }

// newFlagSet returns the global options bound to g. The values g already
// has are the defaults, so that options after a command add to those
// before it.
func newFlagSet(g *globals) *pflag.FlagSet {
	fs := pflag.NewFlagSet("vlanraw", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&g.netns, "netns", "n", g.netns, "run in network namespace NETNS: "+netns.Forms)
	fs.BoolVarP(&g.json, "json", "j", g.json, "print JSON, with the keys of `ip -j`")
	fs.BoolVarP(&g.details, "details", "d", g.details, "print details, such as each link's kind and mode")
	fs.BoolVarP(&g.pretty, "pretty", "p", g.pretty, "indent JSON output")
	fs.BoolVarP(&g.help, "help", "h", g.help, "show help")
	fs.StringVar(&g.stateDir, "state-dir", g.stateDir, "record networks and endpoints in DIR")
	fs.DurationVar(&g.wait, "wait", g.wait, "wait at most this long for another vlanraw holding the state lock")
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

// parseTrailing reads global options given after the command, as in
// `vlanraw link show -d`, and returns the other words. Only commands
// whose words never start with a dash use it.
func (e *env) parseTrailing(args []string) ([]string, error) {
	fs := newFlagSet(&e.globals)
	if err := fs.Parse(normalizeOptions(args)); err != nil {
		return nil, usagef("%v", err)
	}
	return fs.Args(), nil
}

// open returns a links handle in the namespace given with -n, or the
// current one.
func (e *env) open() (*links.Handle, error) {
	ns, err := openNetNS(e.netns)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	h, err := links.Open(ns)
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink: %w", err)
	}
	return h, nil
}

// run is the whole command: it parses args (without the program name),
// runs the command and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// defaultWait is how long a command waits for the state lock unless
// --wait says otherwise.
const defaultWait = 60 * time.Second

// runContext is run with a context whose end stops the command: the
// operation in progress rolls back, as on a failure.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, ctx: ctx, globals: globals{wait: defaultWait}}
	err := dispatch(e, args)
	var hr *helpRequested
	if errors.As(err, &hr) {
		return runHelpTopic(e, hr.topic)
	}
	if err != nil {
		fmt.Fprintln(stderr, message(err, e.topic))
	}
	return exitCode(err)
}

// dispatch parses the global options and runs the object's command.
func dispatch(e *env, args []string) error {
	fs := newFlagSet(&e.globals)
	fs.SetInterspersed(false)
	if err := fs.Parse(normalizeOptions(args)); err != nil {
		return usagef("%v", err)
	}
	// The words from the object on are passed on as given: netns exec
	// hands them to another program.
	rest := args[len(args)-len(fs.Args()):]
	if e.help {
		return &helpRequested{}
	}
	if len(rest) == 0 {
		return usagef("no object given: use one of %s", objectNames())
	}
	o, ok := findObject(rest[0])
	if !ok {
		return usagef("unknown object %q: use one of %s", rest[0], objectNames())
	}
	e.topic = o.name
	return withHelp(o.run(e, rest[1:]), o.name)
}

// objectNames lists the objects for messages.
func objectNames() string {
	var names []string
	for _, o := range objects() {
		names = append(names, o.name)
	}
	return strings.Join(names, ", ")
}
