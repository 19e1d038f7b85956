package iproute

import (
	"fmt"
	"io"
	"net"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// nudNames are the NUD_* states, in iproute2's print order.
var nudNames = []struct {
	s    uint16
	name string
}{
	{unix.NUD_INCOMPLETE, "INCOMPLETE"},
	{unix.NUD_REACHABLE, "REACHABLE"},
	{unix.NUD_STALE, "STALE"},
	{unix.NUD_DELAY, "DELAY"},
	{unix.NUD_PROBE, "PROBE"},
	{unix.NUD_FAILED, "FAILED"},
	{unix.NUD_NOARP, "NOARP"},
	{unix.NUD_PERMANENT, "PERMANENT"},
}

// nudStates names the bits of a NUD_* state.
func nudStates(s uint16) []string {
	out := []string{}
	for _, n := range nudNames {
		if s&n.s != 0 {
			out = append(out, n.name)
		}
	}
	if s == unix.NUD_NONE {
		out = append(out, "NONE")
	}
	return out
}

// Neigh is the neigh object, iproute2's "ip neigh show".
var Neigh = cli.Command{Name: "neigh", Summary: "show the neighbour (ARP and NDP) table", Run: runNeigh, Help: neighHelp}

// runNeigh runs `vlanraw neigh [show [[dev] DEV]]`: the IPv4 (ARP) and
// IPv6 (NDP) neighbour entries, as `ip neigh show` prints them, or with -j
// as `ip -j neigh show` does; -d adds the NOARP entries, as `ip neigh
// show nud all` does.
func runNeigh(e *cli.Env, args []string) error {
	h, byIndex, index, err := openShow(e, "neigh", args)
	if err != nil {
		return err
	}
	defer h.Close()
	p := &linkPrinter{byIndex: byIndex}
	ns, err := h.Neighs(index)
	if err != nil {
		return err
	}
	objs := []*jsonObject{}
	var b strings.Builder
	for _, n := range ns {
		// As iproute2, leave out the kernel's NOARP entries (multicast
		// and links without ARP) unless details are asked for.
		if !n.IP.IsValid() || (n.State == unix.NUD_NOARP && !e.Details) {
			continue
		}
		o := &jsonObject{}
		o.set("dst", n.IP.String())
		fmt.Fprintf(&b, "%s ", n.IP)
		if index == 0 {
			o.set("dev", p.name(uint32(n.Index)))
			fmt.Fprintf(&b, "dev %s ", p.name(uint32(n.Index)))
		}
		if len(n.MAC) > 0 {
			o.set("lladdr", net.HardwareAddr(n.MAC).String())
			fmt.Fprintf(&b, "lladdr %s ", n.MAC)
		}
		states := nudStates(n.State)
		o.set("state", states)
		b.WriteString(strings.Join(states, " ") + "\n")
		objs = append(objs, o)
	}
	if e.JSON {
		return cli.WriteJSON(e.Stdout, objs, e.Pretty)
	}
	if _, err := io.WriteString(e.Stdout, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// neighHelp is the help of the neigh object.
const neighHelp = `Usage: vlanraw [OPTIONS] neigh [show [[dev] DEV]]

  show       list the IPv4 (ARP) and IPv6 (NDP) neighbour entries of the
             namespace (-n NETNS), as "ip neigh show" prints them: "IP dev
             DEV lladdr MAC STATE", STATE being INCOMPLETE, REACHABLE,
             STALE, DELAY, PROBE, FAILED, NOARP, PERMANENT or NONE. The
             kernel's NOARP entries (multicast addresses, links without
             ARP) are left out unless -d is given, as iproute2 does; -j
             prints the JSON of "ip -j neigh show" (also list, lst; "show"
             is the default)
  dev DEV    only entries on this link ("dev" may be left out)
  help       print this help
`
