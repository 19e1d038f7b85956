package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A Command is one top-level word of vlanraw, such as link or network:
// what it runs and its help. Each front-end exports its commands, and
// cmd/vlanraw lists them in its dispatch table.
type Command struct {
	// Name is the word; prefixes select it, as in iproute2, in the order
	// of the dispatch table.
	Name string
	// Summary is the one-line description for "vlanraw help".
	Summary string
	// Run carries out the words after the name.
	Run func(e *Env, args []string) error
	// Help is the command's full help text, printed for "vlanraw help
	// NAME", "vlanraw NAME help" and -h alike.
	Help string
	// HelpFunc, instead of Help, builds a help text made from tables
	// (link's, from its kinds) when it is asked for: built at
	// initialisation, link's cost every vlanraw process, a CNI ADD
	// included, 33 KB of allocations.
	HelpFunc func() string
}

// help returns c's help text, or "".
func (c *Command) help() string {
	if c.HelpFunc != nil {
		return c.HelpFunc()
	}
	return c.Help
}

// table is a dispatch table: the commands in lookup order.
type table []Command

// find returns the command that word selects.
func (t table) find(word string) (Command, bool) {
	for _, c := range t {
		if word != "" && strings.HasPrefix(c.Name, word) {
			return c, true
		}
	}
	return Command{}, false
}

// names lists the commands for messages.
func (t table) names() string {
	var names []string
	for _, c := range t {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// Run is the whole of vlanraw for commands, the dispatch table: it
// parses args (without the program name), runs the command and returns
// the exit status, having written any error with its hint to stderr. The
// end of ctx stops the command: the operation in progress rolls back, as
// on a failure.
func Run(ctx context.Context, commands []Command, args []string, stdout, stderr io.Writer) int {
	e := &Env{Stdout: stdout, Stderr: stderr, Ctx: ctx, Options: Options{Wait: DefaultWait}, commands: commands}
	err := dispatch(e, args)
	var hr *HelpRequested
	if errors.As(err, &hr) {
		e.writeHelp(hr.Topic)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, message(err, e.topic))
	}
	return exitCode(err)
}

// dispatch parses the global options and runs the command.
func dispatch(e *Env, args []string) error {
	fs := NewFlagSet(&e.Options)
	fs.SetInterspersed(false)
	if err := fs.Parse(normalizeOptions(args)); err != nil {
		return Usagef("%v", err)
	}
	// The words from the command on are passed on as given: netns exec
	// hands them to another program.
	rest := args[len(args)-len(fs.Args()):]
	if e.Help {
		return &HelpRequested{}
	}
	if len(rest) == 0 {
		return Usagef("no object given: use one of %s", e.commands.names())
	}
	c, ok := e.commands.find(rest[0])
	if !ok {
		return Usagef("unknown object %q: use one of %s", rest[0], e.commands.names())
	}
	e.topic = c.Name
	return withHelp(c.Run(e, rest[1:]), c.Name)
}
