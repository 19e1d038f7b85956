package docker

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes"
)

// Restore recreates what the state directory records.
var Restore = cli.Command{Name: "restore", Summary: "recreate recorded networks and endpoints after a reboot", Run: runRestore, Help: restoreHelp}

// runRestore runs `vlanraw restore`: it recreates what the state directory
// records and the kernel lost, such as after a reboot or a link deleted
// by hand, and prints what it did.
func runRestore(e *cli.Env, args []string) error {
	var help bool
	var wait time.Duration
	fs := pflag.NewFlagSet("restore", pflag.ContinueOnError)
	e.OutputFlags(fs)
	fs.DurationVar(&wait, "wait-parent", 0, "wait up to DURATION for missing parent links")
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "restore", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return cli.Usagef("restore takes no words, got %q", rest[0])
	}
	if wait < 0 {
		return cli.Usagef("restore: --wait-parent %s: the wait cannot be negative", wait)
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	// SIGTERM, as from systemctl stop, ends the wait with the report so far.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := m.RestoreWait(ctx, wait, func(ps []modes.MissingParent) {
		fmt.Fprintf(e.Stderr, "vlanraw: waiting for %s\n", modes.DescribeMissing(ps))
	})
	if e.JSON {
		if werr := cli.WriteJSON(e.Stdout, rep, e.Pretty); werr != nil && err == nil {
			err = werr
		}
		return err
	}
	if _, werr := fmt.Fprint(e.Stdout, restoreText(rep)); werr != nil && err == nil {
		err = fmt.Errorf("write: %w", werr)
	}
	return err
}

// restoreHelp is the help of the restore object.
const restoreHelp = `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] restore [--wait-parent DURATION] [-j] [-p]

Recreate what the state directory records and the kernel no longer has,
as after a reboot or after links were deleted by hand: each network's
parent when the network created it (a dummy, or a vlan sub-interface),
and each endpoint's link, addresses and routes in its namespace.
Endpoints whose namespace is gone are dropped from the record. It prints
what it did; it changes nothing that is already in place.

A parent that existed before its network (a NIC, a bond, a bridge) is
never created: without --wait-parent, its networks fail at once. So does
the base NAME of a sub-interface NAME.VID that restore would create.

      --wait-parent DURATION
                 when parents are missing, wait up to DURATION (such as
                 60s or 2m) for them to appear, as at boot when a bond or
                 a USB NIC comes late. Each network is restored as soon
                 as its parent appears, up or down; restore returns when
                 none is missing. While it waits it says on stderr what
                 for, once per change:
                   vlanraw: waiting for parent link eth1 (network n1)
                 When DURATION passes first, it prints the report and
                 fails (exit 1) naming the parents still missing. SIGTERM
                 or SIGINT ends the wait the same way.
  -j, --json     print the report as JSON
  -p, --pretty   indent the JSON
  -h, --help     print this help; so does a lone "help"

At boot: dist/systemd/vlanraw-restore.service runs
"vlanraw restore --wait-parent 60s" (see README.md, "At boot").
`

// restoreText renders a restore report for people, one line an action.
func restoreText(rep modes.RestoreReport) string {
	var b strings.Builder
	for _, p := range rep.Parents {
		fmt.Fprintf(&b, "parent %s: created again\n", p)
	}
	for _, x := range []struct {
		what string
		refs []modes.EndpointRef
	}{
		{"restored: its link was missing and was created again", rep.Restored},
		{"present: its link was there; anything missing on it was added", rep.Present},
		{"dropped: its namespace is gone; its addresses are free", rep.Dropped},
	} {
		for _, r := range x.refs {
			fmt.Fprintf(&b, "network %s, namespace %s (%s): %s\n", r.Network, r.NetNS, r.IfName, x.what)
		}
	}
	for _, f := range rep.Failed {
		if f.NetNS == "" {
			fmt.Fprintf(&b, "network %s: FAILED: %s\n", f.Network, f.Error)
		} else {
			fmt.Fprintf(&b, "network %s, namespace %s: FAILED: %s\n", f.Network, f.NetNS, f.Error)
		}
	}
	return b.String()
}
