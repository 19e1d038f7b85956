package docker

import (
	"fmt"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/state"
)

// manager opens the record of networks in the state directory, with the
// parent links in the namespace given with -n, or in the current one.
// The caller closes it.
func manager(e *cli.Env) (*modes.Manager, error) {
	host, err := cli.OpenNetNS(e.NetNS)
	if err != nil {
		return nil, err
	}
	m, err := modes.NewManagerIn(state.Dir(e.StateDir), host)
	if err != nil {
		return nil, err
	}
	if e.Ctx != nil {
		m.SetContext(e.Ctx)
	}
	m.SetLockWait(e.Wait, func(h state.Holder) {
		fmt.Fprintf(e.Stderr, "vlanraw: waiting for the state lock, held by pid %d (%s); giving up after %s (--wait)\n",
			h.PID, h.Command, e.Wait)
	})
	return m, nil
}
