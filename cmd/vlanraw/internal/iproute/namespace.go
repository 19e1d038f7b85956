package iproute

import (
	"fmt"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// open returns a links handle in the namespace given with -n, or the
// current one.
func open(e *cli.Env) (*links.Handle, error) {
	ns, err := cli.OpenNetNS(e.NetNS)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	h, err := links.Open(ns)
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink: %w", err)
	}
	return h, nil
}

// inNetNS names the namespace given with -n, for messages.
func inNetNS(e *cli.Env) string {
	if e.NetNS == "" {
		return ""
	}
	return fmt.Sprintf(" in network namespace %q", e.NetNS)
}
