package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/state"
)

// networkCommands are the commands of the network object, with Docker's
// words and aliases (no prefixes, as in Docker).
var networkCommands = map[string]func(e *env, args []string) error{
	"create":  runNetworkCreate,
	"ls":      runNetworkList,
	"list":    runNetworkList,
	"inspect": runNetworkInspect,
	"rm":      runNetworkRemove,
	"remove":  runNetworkRemove,
	"help":    func(*env, []string) error { return &helpRequested{topic: "network"} },
	"-h":      func(*env, []string) error { return &helpRequested{topic: "network"} },
	"--help":  func(*env, []string) error { return &helpRequested{topic: "network"} },
}

// runNetwork runs `vlanraw network COMMAND ...`.
func runNetwork(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("network needs a command: create, ls, inspect, rm or help")
	}
	run, ok := networkCommands[args[0]]
	if !ok {
		return usagef("unknown network command %q: use create, ls, inspect, rm or help", args[0])
	}
	return run(e, args[1:])
}

// manager opens the record of networks in the state directory, with the
// parent links in the namespace given with -n, or in the current one.
// The caller closes it.
func (e *env) manager() (*modes.Manager, error) {
	host, err := openNetNS(e.netns)
	if err != nil {
		return nil, err
	}
	m, err := modes.NewManagerIn(state.Dir(e.stateDir), host)
	if err != nil {
		return nil, err
	}
	if e.ctx != nil {
		m.SetContext(e.ctx)
	}
	m.SetLockWait(e.wait, func(h state.Holder) {
		fmt.Fprintf(e.stderr, "vlanraw: waiting for the state lock, held by pid %d (%s); giving up after %s (--wait)\n",
			h.PID, h.Command, e.wait)
	})
	return m, nil
}

// parseFlags parses args with fs, whose -h/--help is bound to help; a
// lone "help" word asks for help too. It returns the other words.
func parseFlags(fs *pflag.FlagSet, topic string, help *bool, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, usagef("%s: %v", fs.Name(), err)
	}
	if *help || (fs.NArg() == 1 && fs.Arg(0) == "help") {
		return nil, &helpRequested{topic: topic}
	}
	return fs.Args(), nil
}

// outputFlags adds -j/--json and -p/--pretty bound to e, so that they may
// follow the command as in `vlanraw network ls -j`.
func (e *env) outputFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&e.json, "json", "j", e.json, "print JSON")
	fs.BoolVarP(&e.pretty, "pretty", "p", e.pretty, "indent JSON")
}

// runNetworkList prints the networks as a table, or as JSON (the inspect
// form of each) with -j.
func runNetworkList(e *env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("network ls", pflag.ContinueOnError)
	e.outputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("network ls takes no names, got %q", rest[0])
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	nets, err := m.Networks()
	if err != nil {
		return err
	}
	if e.json {
		out := make([]any, 0, len(nets))
		for i := range nets {
			out = append(out, nets[i].Inspect())
		}
		return writeJSON(e.stdout, out, e.pretty)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "NETWORK ID\tNAME\tDRIVER\tPARENT\tMODE\tSUBNETS\tENDPOINTS")
	for i := range nets {
		n := &nets[i]
		var subnets []string
		for _, s := range n.Subnets {
			subnets = append(subnets, s.Subnet.String())
		}
		parent := n.Parent
		if n.ParentCreated != "" {
			parent += " (" + n.ParentCreated + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", shortID(n.ID), n.Name, n.Driver, dash(parent), dash(n.Mode()),
			dash(strings.Join(subnets, ",")), len(n.Endpoints))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// shortID returns the 12-digit form of a network ID, as Docker prints it.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runNetworkInspect prints the named networks as a JSON array, as `docker
// network inspect` does, indented unless -j asks for one line.
func runNetworkInspect(e *env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("network inspect", pflag.ContinueOnError)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	compact := fs.BoolP("json", "j", false, "print the array on one line")
	names, err := parseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("network inspect takes one or more network names")
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	var out []any
	var errs []error
	for _, name := range names {
		n, err := m.Network(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, n.Inspect())
	}
	if out == nil {
		out = []any{}
	}
	if err := writeJSON(e.stdout, out, !*compact); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// runNetworkRemove removes the named networks, each with the links it
// created (a dummy or vlan parent); it goes on after a failure, prints the
// name of each network removed and fails if any could not be. With
// --force it disconnects a network's endpoints first.
func runNetworkRemove(e *env, args []string) error {
	var help, force bool
	fs := pflag.NewFlagSet("network rm", pflag.ContinueOnError)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	fs.BoolVarP(&force, "force", "f", false, "disconnect the endpoints first")
	names, err := parseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usagef("network rm takes one or more network names")
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	var errs []error
	remove := m.RemoveNetwork
	if force {
		remove = m.ForceRemoveNetwork
	}
	for _, name := range names {
		if err := remove(name); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := e.println(name); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}
