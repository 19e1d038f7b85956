package iproute

import (
	"net/netip"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// addrChangeWords are the commands of the addr object that change
// addresses, in iproute2's order ("a" is add, "d" delete).
var addrChangeWords = []cli.Keyword{{Name: "add"}, {Name: "delete"}}

// runAddrChange runs `addr add|del PREFIX dev DEV [nodad]`, as iproute2's
// `ip addr add 10.0.0.2/24 dev eth0` does.
func runAddrChange(e *cli.Env, cmd string, args []string) error {
	var prefix netip.Prefix
	dev, nodad := "", false
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		switch {
		case word == "help":
			return &cli.HelpRequested{Topic: "addr"}
		case word == "dev":
			v, err := ws.value("dev", "a link name")
			if err != nil {
				return err
			}
			dev = v
		case word == "nodad":
			nodad = true
		case !prefix.IsValid():
			p, err := netip.ParsePrefix(word)
			if a, aerr := netip.ParseAddr(word); aerr == nil {
				p, err = netip.PrefixFrom(a, a.BitLen()), nil // a host address
			}
			if err != nil {
				return cli.Usagef("addr %s: %q is not an address, with or without a prefix length, such as 10.0.0.2/24", cmd, word)
			}
			prefix = p
		default:
			return cli.Usagef("addr %s: unexpected word %q", cmd, word)
		}
	}
	if !prefix.IsValid() || dev == "" {
		return cli.Usagef("addr %s takes PREFIX dev DEV, such as \"addr %s 10.0.0.2/24 dev eth0\"", cmd, cmd)
	}
	h, err := open(e)
	if err != nil {
		return err
	}
	defer h.Close()
	l, err := h.Get(dev)
	if err != nil {
		return err
	}
	if cmd == "add" {
		return h.AddAddress(l.Index, prefix, nodad)
	}
	return h.DeleteAddress(l.Index, prefix)
}
