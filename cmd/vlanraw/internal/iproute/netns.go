package iproute

import (
	"fmt"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/netns"
)

// netnsCommands are the commands of the netns object, in iproute2's order.
var netnsCommands = []struct {
	kw  cli.Keyword
	run func(e *cli.Env, args []string) error
}{
	{cli.Keyword{Name: "list"}, runNetNSList},
	{cli.Keyword{Name: "show"}, runNetNSList},
	{cli.Keyword{Name: "lst"}, runNetNSList},
	{cli.Keyword{Name: "ls", Exact: true}, runNetNSList},
	{cli.Keyword{Name: "help"}, func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "netns"} }},
	{cli.Keyword{Name: "add"}, runNetNSAdd},
	{cli.Keyword{Name: "delete"}, runNetNSDel},
	{cli.Keyword{Name: "exec"}, runNetNSExec},
}

// NetNS is the netns object, iproute2's "ip netns": add, del, ls and exec.
var NetNS = cli.Command{Name: "netns", Summary: "add, delete, list named network namespaces; run a command in one", Run: runNetNS, Help: netnsHelp}

// runNetNS runs `vlanraw netns COMMAND ...`; with no command it lists the
// namespaces. It needs no iproute2: namespaces are bind-mounted under
// /run/netns as `ip netns add` does, so both tools see the same ones.
func runNetNS(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return runNetNSList(e, nil)
	}
	for _, c := range netnsCommands {
		if c.kw.Matches(args[0]) {
			return c.run(e, args[1:])
		}
	}
	return cli.Usagef("unknown netns command %q: use add, del, ls, exec or help", args[0])
}

// oneName reads the single namespace name add and del take; package
// netns checks it.
func oneName(cmd string, args []string) (string, error) {
	if len(args) != 1 {
		return "", cli.Usagef("netns %s takes one namespace name, got %d words", cmd, len(args))
	}
	if args[0] == "help" {
		return "", &cli.HelpRequested{Topic: "netns"}
	}
	return args[0], nil
}

// runNetNSAdd creates a named namespace.
func runNetNSAdd(e *cli.Env, args []string) error {
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
func runNetNSDel(e *cli.Env, args []string) error {
	name, err := oneName("del", args)
	if err != nil {
		return err
	}
	return netns.Delete(name)
}

// runNetNSList prints the named namespaces, one a line, or as
// `ip -j netns ls` does: [{"name":"blue"}, ...].
func runNetNSList(e *cli.Env, args []string) error {
	args, err := e.ParseTrailing(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return cli.Usagef("netns ls takes no words, got %q", args[0])
	}
	names, err := netns.List()
	if err != nil {
		return err
	}
	if e.JSON {
		objs := make([]*jsonObject, 0, len(names))
		for _, n := range names {
			o := &jsonObject{}
			o.set("name", n)
			objs = append(objs, o)
		}
		return cli.WriteJSON(e.Stdout, objs, e.Pretty)
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(e.Stdout, n); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// netnsHelp is the help of the netns object.
const netnsHelp = `Usage: vlanraw netns add NAME
       vlanraw netns del NAME
       vlanraw netns ls
       vlanraw netns exec NETNS COMMAND [ARGS...]

  add NAME   create a network namespace and pin it at /run/netns/NAME,
             as "ip netns add" does, so both tools see it
  del NAME   unpin it; the namespace goes away with its last user
  ls         list the pinned namespaces (also list, lst, show; -j for JSON)
  exec NETNS COMMAND [ARGS...]
             run COMMAND (looked up in $PATH) in namespace NETNS (a name,
             a path such as /proc/PID/ns/net, or a process id), as "ip
             netns exec" does: vlanraw enters the namespace on one thread,
             gives that thread a mount namespace of its own in which /sys
             is mounted afresh (so /sys/class/net lists NETNS's links)
             and, for a namespace NAME under /run/netns, each file under
             /etc/netns/NAME is bind-mounted over its namesake in /etc,
             then replaces itself with COMMAND, which keeps the
             environment and the exit status is COMMAND's
  help       print this help

Any prefix of add, delete, exec, list and show works, as in iproute2.
`
