package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
)

// statsCommands are the commands of the stats object.
var statsCommands = []struct {
	kw  keyword
	run func(e *env, args []string) error
}{
	{keyword{name: "attach"}, runStatsAttach},
	{keyword{name: "show"}, runStatsShow},
	{keyword{name: "list"}, runStatsShow},
	{keyword{name: "ls", exact: true}, runStatsShow},
	{keyword{name: "detach"}, runStatsDetach},
	{keyword{name: "help"}, func(*env, []string) error { return &helpRequested{topic: "stats"} }},
}

// runStats runs `vlanraw stats COMMAND ...`; with no command it shows
// every pinned counter of the namespace.
func runStats(e *env, args []string) error {
	if len(args) == 0 {
		return runStatsShow(e, nil)
	}
	for _, c := range statsCommands {
		if c.kw.matches(args[0]) {
			return c.run(e, args[1:])
		}
	}
	if args[0] == "-h" || args[0] == "--help" {
		return &helpRequested{topic: "stats"}
	}
	return usagef("unknown stats command %q: use attach, show, detach or help", args[0])
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
func statsFlags(e *env, cmd string, o *statsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("stats "+cmd, pflag.ContinueOnError)
	fs.StringVar(&o.netns, "netns", "", "the interface's network namespace: a name, path or pid")
	switch cmd {
	case "attach":
		fs.StringVar(&o.mode, "mode", "auto", "how to attach: auto, tcx or cls_bpf")
	case "show":
		e.outputFlags(fs)
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
func parseStatsArgs(e *env, cmd string, args []string, optionalDev bool) (*statsTarget, *statsOptions, error) {
	o := &statsOptions{}
	rest, err := parseFlags(statsFlags(e, cmd, o), "stats", &o.help, args)
	if err != nil {
		return nil, nil, err
	}
	t := &statsTarget{dirs: bpf.Directions()}
	switch {
	case len(rest) == 0 && !optionalDev:
		return nil, nil, usagef("stats %s needs an interface: stats %s DEV [ingress|egress|both]", cmd, cmd)
	case len(rest) > 2:
		return nil, nil, usagef("stats %s takes an interface and a direction, got %d words", cmd, len(rest))
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
			return nil, nil, usagef("unknown direction %q: use ingress, egress or both", rest[1])
		}
	}
	if o.interval <= 0 && cmd == "show" {
		return nil, nil, usagef("--interval must be positive, got %v", o.interval)
	}
	// --netns, else the global -n, else the current namespace.
	t.nsName = o.netns
	if t.nsName == "" {
		t.nsName = e.netns
	}
	return t, o, nil
}

// open opens the target's namespace.
func (t *statsTarget) open() (err error) {
	t.ns, err = openNetNS(t.nsName)
	return err
}

func (t *statsTarget) close() { t.ns.Close() }

// runStatsAttach attaches pinned counters to each direction. When one
// fails, those attached by this command are detached again.
func runStatsAttach(e *env, args []string) error {
	t, o, err := parseStatsArgs(e, "attach", args, false)
	if err != nil {
		return err
	}
	mode, err := bpf.ParseMode(o.mode)
	if err != nil {
		return usagef("--mode: %v", err)
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
		fmt.Fprintf(e.stdout, "%s %s: attached with %s\n", h.Ifname(), h.Direction(), h.Mode())
		h.Close()
	}
	return nil
}

// runStatsDetach detaches the pinned counters of each direction; it
// fails only when none of them had counters, or one cannot be detached.
func runStatsDetach(e *env, args []string) error {
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
		fmt.Fprintf(e.stdout, "%s %s: detached\n", t.dev, d)
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
