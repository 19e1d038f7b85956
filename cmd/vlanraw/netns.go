package main

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
)

// netnsCommands are the commands of the netns object, in iproute2's order.
var netnsCommands = []struct {
	kw  keyword
	run func(e *env, args []string) error
}{
	{keyword{name: "list"}, runNetNSList},
	{keyword{name: "show"}, runNetNSList},
	{keyword{name: "lst"}, runNetNSList},
	{keyword{name: "ls", exact: true}, runNetNSList},
	{keyword{name: "help"}, func(*env, []string) error { return &helpRequested{topic: "netns"} }},
	{keyword{name: "add"}, runNetNSAdd},
	{keyword{name: "delete"}, runNetNSDel},
	{keyword{name: "exec"}, runNetNSExec},
}

// runNetNS runs `vlanraw netns COMMAND ...`; with no command it lists the
// namespaces. It needs no iproute2: namespaces are bind-mounted under
// /run/netns as `ip netns add` does, so both tools see the same ones.
func runNetNS(e *env, args []string) error {
	if len(args) == 0 {
		return runNetNSList(e, nil)
	}
	for _, c := range netnsCommands {
		if c.kw.matches(args[0]) {
			return c.run(e, args[1:])
		}
	}
	return usagef("unknown netns command %q: use add, del, ls, exec or help", args[0])
}

// openNetNS opens the namespace that word names, in any form package
// netns reads (a name under /run/netns, an absolute path or a process
// id), or returns nil, the current namespace, for "". Every NETNS word
// the CLI opens itself, -n first of all, goes through it, so that each is
// read and refused alike. A word of no form gives an error matching
// errdefs.ErrInvalid (exit 2). The caller closes the namespace.
func openNetNS(word string) (*netns.NS, error) {
	if word == "" {
		return nil, nil
	}
	ns, err := netns.Open(word)
	if err != nil && !errors.Is(err, errdefs.ErrInvalid) {
		return nil, fmt.Errorf("cannot open network namespace %q (see \"vlanraw netns ls\"): %w", word, err)
	}
	return ns, err
}

// oneName reads the single namespace name add and del take; package
// netns checks it.
func oneName(cmd string, args []string) (string, error) {
	if len(args) != 1 {
		return "", usagef("netns %s takes one namespace name, got %d words", cmd, len(args))
	}
	if args[0] == "help" {
		return "", &helpRequested{topic: "netns"}
	}
	return args[0], nil
}

// runNetNSAdd creates a named namespace.
func runNetNSAdd(e *env, args []string) error {
	name, err := oneName("add", args)
	if err != nil {
		return err
	}
	ns, err := netns.Add(name)
	if err != nil {
		return err
	}
	return ns.Close()
}

// runNetNSDel removes named namespaces.
func runNetNSDel(e *env, args []string) error {
	name, err := oneName("del", args)
	if err != nil {
		return err
	}
	return netns.Delete(name)
}

// runNetNSList prints the named namespaces, one a line, or as
// `ip -j netns ls` does: [{"name":"blue"}, ...].
func runNetNSList(e *env, args []string) error {
	args, err := e.parseTrailing(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("netns ls takes no words, got %q", args[0])
	}
	names, err := netns.List()
	if err != nil {
		return err
	}
	if e.json {
		objs := make([]*jsonObject, 0, len(names))
		for _, n := range names {
			o := &jsonObject{}
			o.set("name", n)
			objs = append(objs, o)
		}
		return writeJSON(e.stdout, objs, e.pretty)
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(e.stdout, n); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}
