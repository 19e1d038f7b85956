// Package cli is what vlanraw's front-ends share: the global options and
// the environment a command runs in (Options, Env), OpenNetNS, through
// which every -n and every other NETNS word is opened, the flag helpers,
// JSON output, usage errors and exit codes, the hints printed after an
// error, the words that select a subcommand (Keyword), and help.
//
// A front-end is a package beside this one that holds a grammar:
// iproute (iproute2's link, addr, route, neigh and netns), docker
// (Docker's network, connect, disconnect, and restore, routes, gc and
// verify), stats and bench. Each exports its top-level commands as
// Command values, each with its help text; cmd/vlanraw lists them in its
// dispatch table, ending with Help, and hands the table to Run. Run
// parses the global options, selects the command by prefix, prints the
// help a "help" word or -h asked for (every help is printed the same
// way, from Command.Help), and turns the command's error into a message
// with a hint and an exit status: 0, 1 (ExitRuntime) when the kernel or
// the system refused, 2 (ExitUsage) for a mistake in the command line.
//
// cli imports no front-end, and no front-end imports another.
package cli
