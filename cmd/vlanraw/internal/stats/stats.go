package stats

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/netns"
)

// statsCommands are the commands of the stats object.
var statsCommands = []struct {
	kw  cli.Keyword
	run func(e *cli.Env, args []string) error
}{
	{cli.Keyword{Name: "attach"}, runStatsAttach},
	{cli.Keyword{Name: "show"}, runStatsShow},
	{cli.Keyword{Name: "list"}, runStatsShow},
	{cli.Keyword{Name: "ls", Exact: true}, runStatsShow},
	{cli.Keyword{Name: "detach"}, runStatsDetach},
	{cli.Keyword{Name: "help"}, func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "stats"} }},
}

// Command is the stats object: eBPF frame counters on a link's tc hooks
// (bpf), attached, shown and detached.
var Command = cli.Command{Name: "stats", Summary: "attach, show and detach eBPF frame counters on a link's tc hooks", Run: runStats, Help: statsHelp}

// runStats runs `vlanraw stats COMMAND ...`; with no command it shows
// every pinned counter of the namespace.
func runStats(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return runStatsShow(e, nil)
	}
	for _, c := range statsCommands {
		if c.kw.Matches(args[0]) {
			return c.run(e, args[1:])
		}
	}
	if args[0] == "-h" || args[0] == "--help" {
		return &cli.HelpRequested{Topic: "stats"}
	}
	return cli.Usagef("unknown stats command %q: use attach, show, detach or help", args[0])
}

// statsOptions are the options of the stats commands.
type statsOptions struct {
	netns    string
	mode     string
	watch    bool
	interval time.Duration
	help     bool
}

// statsFlags returns the flag set of `stats CMD`, bound to o; show also
// takes the output and watch options.
func statsFlags(e *cli.Env, cmd string, o *statsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("stats "+cmd, pflag.ContinueOnError)
	fs.StringVar(&o.netns, "netns", "", "the interface's network namespace: a name, path or pid")
	switch cmd {
	case "attach":
		fs.StringVar(&o.mode, "mode", "auto", "how to attach: auto, tcx or cls_bpf")
	case "show":
		e.OutputFlags(fs)
		fs.BoolVarP(&o.watch, "watch", "w", false, "redraw every interval until interrupted")
		fs.DurationVar(&o.interval, "interval", time.Second, "time between redraws with --watch")
	}
	fs.BoolVarP(&o.help, "help", "h", false, "show help")
	return fs
}

// statsTarget is what a stats command is about: a namespace (nil for
// the current one), an interface and directions.
type statsTarget struct {
	ns     *netns.NS
	nsName string // as given, for messages; "" for the current namespace
	dev    string
	dirs   []bpf.Direction
}

// parseStatsArgs reads `[--options] DEV [ingress|egress|both]`; with
// optionalDev, DEV may be left out.
func parseStatsArgs(e *cli.Env, cmd string, args []string, optionalDev bool) (*statsTarget, *statsOptions, error) {
	o := &statsOptions{}
	rest, err := cli.ParseFlags(statsFlags(e, cmd, o), "stats", &o.help, args)
	if err != nil {
		return nil, nil, err
	}
	t := &statsTarget{dirs: bpf.Directions()}
	switch {
	case len(rest) == 0 && !optionalDev:
		return nil, nil, cli.Usagef("stats %s needs an interface: stats %s DEV [ingress|egress|both]", cmd, cmd)
	case len(rest) > 2:
		return nil, nil, cli.Usagef("stats %s takes an interface and a direction, got %d words", cmd, len(rest))
	}
	if len(rest) > 0 {
		t.dev = rest[0]
	}
	if len(rest) == 2 {
		switch rest[1] {
		case "ingress":
			t.dirs = []bpf.Direction{bpf.Ingress}
		case "egress":
			t.dirs = []bpf.Direction{bpf.Egress}
		case "both":
		default:
			return nil, nil, cli.Usagef("unknown direction %q: use ingress, egress or both", rest[1])
		}
	}
	if o.interval <= 0 && cmd == "show" {
		return nil, nil, cli.Usagef("--interval must be positive, got %v", o.interval)
	}
	// --netns, else the global -n, else the current namespace.
	t.nsName = o.netns
	if t.nsName == "" {
		t.nsName = e.NetNS
	}
	return t, o, nil
}

// open opens the target's namespace.
func (t *statsTarget) open() (err error) {
	t.ns, err = cli.OpenNetNS(t.nsName)
	return err
}

func (t *statsTarget) close() { t.ns.Close() }

// runStatsAttach attaches pinned counters to each direction. When one
// fails, those attached by this command are detached again.
func runStatsAttach(e *cli.Env, args []string) error {
	t, o, err := parseStatsArgs(e, "attach", args, false)
	if err != nil {
		return err
	}
	mode, err := bpf.ParseMode(o.mode)
	if err != nil {
		return cli.Usagef("--mode: %v", err)
	}
	if err := t.open(); err != nil {
		return err
	}
	defer t.close()
	var done []*bpf.Hook
	for _, d := range t.dirs {
		h, err := bpf.Attach(bpf.AttachOptions{NetNS: t.ns, Ifname: t.dev, Direction: d, Mode: mode, Pin: true})
		if err != nil {
			for _, h := range done {
				h.Detach()
			}
			if errors.Is(err, bpf.ErrAttached) {
				return fmt.Errorf("%w; see \"vlanraw stats show %s\", or \"vlanraw stats detach %s\" first", err, t.dev, t.dev)
			}
			return err
		}
		done = append(done, h)
	}
	for _, h := range done {
		fmt.Fprintf(e.Stdout, "%s %s: attached with %s\n", h.Ifname(), h.Direction(), h.Mode())
		h.Close()
	}
	return nil
}

// runStatsDetach detaches the pinned counters of each direction; it
// fails only when none of them had counters, or one cannot be detached.
func runStatsDetach(e *cli.Env, args []string) error {
	t, _, err := parseStatsArgs(e, "detach", args, false)
	if err != nil {
		return err
	}
	if err := t.open(); err != nil {
		return err
	}
	defer t.close()
	var missing []string
	var errs []error
	for _, d := range t.dirs {
		h, err := bpf.OpenPinned(t.ns, t.dev, d)
		if errors.Is(err, bpf.ErrNotAttached) {
			missing = append(missing, d.String())
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := h.Detach(); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(e.Stdout, "%s %s: detached\n", t.dev, d)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(missing) == len(t.dirs) {
		return fmt.Errorf("%w to %s %s%s", bpf.ErrNotAttached, t.dev, strings.Join(missing, " or "), t.where())
	}
	return nil
}

// where names the target's namespace for messages.
func (t *statsTarget) where() string {
	if t.nsName == "" {
		return ""
	}
	return " in network namespace " + t.nsName
}

// statsHelp is the help of the stats object.
const statsHelp = `Usage: vlanraw stats attach [--netns NS] [--mode auto|tcx|cls_bpf] DEV [ingress|egress|both]
       vlanraw stats show   [--netns NS] [-j] [-p] [--watch [--interval 1s]] [DEV [ingress|egress|both]]
       vlanraw stats detach [--netns NS] DEV [ingress|egress|both]

stats counts the frames that pass a link's tc hooks with an eBPF
classifier, by class: arp-request, arp-reply, broadcast, ipv4-multicast,
ipv6-multicast, ipv6-nd (router and neighbour discovery), ipv4-unicast,
ipv6-unicast, vlan (tagged frames, also counted per VLAN id) and other.
Bytes are the frames' lengths as on the wire, without the FCS. The
classifier never changes what happens to a frame.

Counters are pinned in the BPF file system (/sys/fs/bpf/vlanraw, mounted
if need be), so that they outlive vlanraw: attach, then show as often as
you like, then detach. Detach removes exactly what attach added, and
also cleans up after an attach that was killed half-way.

COMMANDS (any prefix works; "list" and "ls" are show):
  attach   attach counters to DEV's hooks (both by default) and print
           how each was attached
  show     print the counters of DEV's hooks, or of every hook with
           counters in the namespace when DEV is left out: a table per
           hook, a row per class, the total, a row per VLAN id seen
  detach   remove DEV's counters (both hooks by default; a hook without
           counters is skipped, and it is an error only if none had any)

OPTIONS:
  --netns NS         the link's network namespace: a name under /run/netns,
                     a path or a pid; default the one given with -n, else
                     the current one
  --mode MODE        attach only: auto (TCX on Linux 6.6 and later, else
                     cls_bpf; found out by trying), tcx (a bpf_link), or
                     cls_bpf (a direct-action filter under a clsact qdisc,
                     which is created if missing and removed with the
                     last filter when vlanraw created it)
  -j, --json         show only: print JSON, a list with one object per
                     hook: ifname, direction, mode, classes (by name:
                     packets, bytes), total, vlans (by id), error
  -p, --pretty       indent the JSON
  -w, --watch        show only: clear the terminal and redraw every
                     interval, with per-second rates, until interrupted
                     (Ctrl-C); with -j, print one JSON list per interval
  --interval D       the time between redraws, such as 500ms or 2s
                     (default 1s)
  -h, --help         print this help; so does a lone "help"
`
