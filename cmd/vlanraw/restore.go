package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/modes"
)

// runRestore runs `vlanraw restore`: it recreates what the state directory
// records and the kernel lost, such as after a reboot or a link deleted
// by hand, and prints what it did.
func runRestore(e *env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("restore", pflag.ContinueOnError)
	e.outputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "restore", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("restore takes no words, got %q", rest[0])
	}
	m, err := e.manager()
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := m.Restore()
	if e.json {
		if werr := writeJSON(e.stdout, rep, e.pretty); werr != nil && err == nil {
			err = werr
		}
		return err
	}
	if _, werr := fmt.Fprint(e.stdout, restoreText(rep)); werr != nil && err == nil {
		err = fmt.Errorf("write: %w", werr)
	}
	return err
}

// restoreHelp writes the help of the restore object.
func restoreHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] restore [-j] [-p]

Recreate what the state directory records and the kernel no longer has,
as after a reboot or after links were deleted by hand: each network's
parent when the network created it (a dummy, or a vlan sub-interface),
and each endpoint's link, addresses and routes in its namespace.
Endpoints whose namespace is gone are dropped from the record. It prints
what it did; it changes nothing that is already in place.

  -j, --json     print the report as JSON
  -p, --pretty   indent the JSON
  -h, --help     print this help; so does a lone "help"
`)
}

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
