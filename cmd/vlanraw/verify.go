package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/modes/verify"
)

// verifyOptions are the flags of `vlanraw verify`.
type verifyOptions struct {
	wireNetNS, wireDev string
	hairpin            bool
	expect             string
	copies             int
	counters           string
	help               bool
}

// newVerifyFlags returns the flags of `vlanraw verify`, bound to o and e.
func newVerifyFlags(e *env, o *verifyOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
	fs.StringVar(&o.wireNetNS, "wire-netns", "", "the namespace of the far side of the parent's link")
	fs.StringVar(&o.wireDev, "wire-dev", "", "the far side's link")
	fs.BoolVar(&o.hairpin, "wire-hairpin", false, "the far side sends frames back out the port they came in on")
	fs.StringVar(&o.expect, "expect", "", "check against another mode's table")
	fs.IntVar(&o.copies, "copies", 5, "send each probe frame this many times")
	fs.StringVar(&o.counters, "counters", "auto", "attach counters with auto, tcx or cls_bpf")
	e.outputFlags(fs)
	fs.BoolVarP(&o.help, "help", "h", false, "show help")
	return fs
}

// runVerify runs `vlanraw verify NETWORK [--wire-netns NS --wire-dev
// DEV] [--wire-hairpin] [--expect MODE] [--copies N] [--counters MODE]
// [-j] [-p]`: it probes the network and prints, per row of its mode's
// table, the expected and observed counts. It fails (exit 1) naming the
// rows that do not match.
func runVerify(e *env, args []string) error {
	var o verifyOptions
	rest, err := parseFlags(newVerifyFlags(e, &o), "verify", &o.help, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1:
		return usagef("verify takes one network, got %d words", len(rest))
	case (o.wireNetNS == "") != (o.wireDev == ""):
		return usagef("--wire-netns and --wire-dev go together: give the far side's namespace and its link, or neither")
	case o.hairpin && o.wireNetNS == "":
		return usagef("--wire-hairpin needs the far side: --wire-netns NS --wire-dev DEV")
	case o.copies < 1 || o.copies > 100:
		return usagef("invalid --copies %d: give 1 to 100", o.copies)
	}
	counters, err := bpf.ParseMode(o.counters)
	if err != nil {
		return usagef("invalid --counters %q: use auto, tcx or cls_bpf", o.counters)
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.Network(rest[0])
	if err != nil {
		return err
	}
	var table *expect.Table
	if o.expect != "" {
		if table, err = expectTable(n, o.expect); err != nil {
			return err
		}
	}
	host, err := openNetNS(e.netns)
	if err != nil {
		return err
	}
	defer host.Close()
	wire, err := openNetNS(o.wireNetNS)
	if err != nil {
		return fmt.Errorf("--wire-netns: %w", err)
	}
	defer wire.Close()
	res, err := verify.Run(verify.Config{
		Network: n, Host: host,
		Wire: wire, WireDev: o.wireDev, Reflecting: o.hairpin,
		Table: table, Copies: o.copies, Counters: counters,
	})
	if err != nil {
		return err
	}
	if e.json {
		err = writeJSON(e.stdout, res, e.pretty)
	} else {
		err = res.WriteText(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return res.Err()
}

// expectTable returns the table --expect names: a mode of the network's
// driver (l2, bridge, ...), or DRIVER/MODE for any.
func expectTable(n *modes.Network, name string) (*expect.Table, error) {
	d, mode, ok := strings.Cut(name, "/")
	if !ok {
		d, mode = string(n.Driver), name
	}
	t, err := expect.ForMode(modes.Driver(d), mode)
	if err != nil {
		var names []string
		for _, t := range expect.Tables() {
			names = append(names, strings.ReplaceAll(t.Name, " ", "/"))
		}
		slices.Sort(names)
		return nil, usagef("no table for --expect %s: use a mode of %s, or one of %s", name, n.Driver, strings.Join(names, ", "))
	}
	return t, nil
}

// verifyHelp writes the help of the verify object.
func verifyHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] verify NETWORK
                 [--wire-netns NS --wire-dev DEV [--wire-hairpin]]
                 [--expect MODE] [--copies N] [--counters auto|tcx|cls_bpf]
                 [-j] [-p]

Check, on the running kernel, that NETWORK does what its mode promises.
Frame counters (eBPF, on tc hooks) are attached to the parent (ingress
and egress), to the far side of the parent's link when given, and to
every endpoint's link; UDP sockets listen in every endpoint. Then a set
of probes is sent, each frame --copies times, from inside the first
endpoint and from the far side:

  an ARP request for an endpoint's address, and one for an address
  nothing has; an Ethernet broadcast (ethertype 0x88b5); UDP to
  224.0.0.1 and to ff02::1; UDP to each endpoint

After each probe the counters are read and compared with the mode's
table (ipvlan l2, l3, l3s; macvlan bridge, private, vepa, passthru),
which says, for each probe and each observation point (the endpoints'
links, their sockets, the sender, the parent in and out, the wire), how
many frames of which class must be seen. The table of expected against
observed counts is printed, then everything is detached.

  NETWORK             a network from "vlanraw network ls", with endpoints
  --wire-netns NS     the namespace of the far side of the parent's link
                      (the peer of a veth parent, or of the link under a
                      VLAN parent): a name under /run/netns, a path or a
                      pid
  --wire-dev DEV      the far side's link in NS. Without --wire-netns and
                      --wire-dev the probes from the wire do not run (a
                      frame sent on the parent goes out, not in), and say so
  --wire-hairpin      the far side sends frames back out the port they came
                      in on (a bridge port in hairpin mode), as VEPA needs:
                      the table's rows for a reflecting wire apply
  --expect MODE       check against the table of MODE instead of the
                      network's own: l2, l3, l3s, bridge, private, vepa,
                      passthru (a mode of the network's driver), or
                      DRIVER/MODE such as ipvlan/l2. A network that runs
                      another mode must fail
  --copies N          send each probe frame N times (default 5)
  --counters MODE     attach the counters with TCX (Linux 6.6 and later),
                      cls_bpf under a clsact qdisc, or auto (default: TCX
                      where the kernel has it)
  -j, --json          print the result as JSON: every row with its
                      expected and observed counts
  -p, --pretty        indent the JSON
  -h, --help          print this help; so does a lone "help"

Exit status: 0 when every row checked matches; 1 when a row does not (the
rows are named) or the run could not be done; 2 for a mistake in the
command line.
`)
}
