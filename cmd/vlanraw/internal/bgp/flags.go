package bgp

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bgp"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// runOptions are the words of `bgp run`, checked.
type runOptions struct {
	// cfg has every field but RouterID when --router-id is not given.
	cfg bgp.Config
	// networks are the --network names; nil for every l3 and l3s
	// network.
	networks []string
}

// parseRun parses the words of `bgp run`. Every mistake is a usage
// error, found before anything starts.
func parseRun(args []string) (*runOptions, error) {
	var help, passive bool
	var asn, routerID, password string
	var peers, peerASNs, networks []string
	var hold uint
	var port int32
	fs := pflag.NewFlagSet("bgp run", pflag.ContinueOnError)
	fs.StringVar(&asn, "asn", "", "the local AS number")
	fs.StringVar(&routerID, "router-id", "", "the BGP identifier (default: the first parent's IPv4 address)")
	fs.StringArrayVar(&peers, "peer", nil, "a neighbour's address (repeatable)")
	fs.StringArrayVar(&peerASNs, "peer-asn", nil, "the AS of the --peer in the same position (repeatable)")
	fs.StringArrayVar(&networks, "network", nil, "a network to announce (repeatable; default: every l3 and l3s network)")
	fs.UintVar(&hold, "hold-time", uint(bgp.DefaultHoldTime/time.Second), "the hold time offered to peers, in seconds")
	fs.BoolVar(&passive, "passive", false, "wait for the peers to connect")
	fs.StringVar(&password, "password", "", "the TCP MD5 password of every peer")
	fs.Int32Var(&port, "port", bgp.Port, "the TCP port to accept sessions on; -1 for none")
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "bgp", &help, args)
	if err != nil {
		return nil, err
	}
	o := &runOptions{networks: networks}
	switch {
	case len(rest) > 0:
		return nil, cli.Usagef("bgp run takes no words besides its options, got %q", rest[0])
	case asn == "":
		return nil, cli.Usagef("bgp run needs the local AS: --asn N")
	case len(peers) == 0:
		return nil, cli.Usagef("bgp run needs a neighbour: --peer ADDR --peer-asn N")
	case len(peers) != len(peerASNs):
		return nil, cli.Usagef("bgp run: %d --peer and %d --peer-asn: give one --peer-asn for each --peer, in the same order", len(peers), len(peerASNs))
	case hold < 3 || hold > 65535:
		return nil, cli.Usagef("bgp run: --hold-time %d: give 3 to 65535 seconds (RFC 4271)", hold)
	case port == 0 || port < -1:
		return nil, cli.Usagef("bgp run: --port %d: give a TCP port from 1 to 65535, or -1 to accept no sessions", port)
	}
	if o.cfg.ASN, err = parseASN("--asn", asn); err != nil {
		return nil, err
	}
	if routerID != "" {
		id, err := netip.ParseAddr(routerID)
		if err != nil || !id.Is4() {
			return nil, cli.Usagef("bgp run: --router-id %q is not an IPv4 address: BGP identifiers are 32 bits, written as one (192.0.2.1)", routerID)
		}
		o.cfg.RouterID = id
	}
	o.cfg.ListenPort = port
	for i, p := range peers {
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, cli.Usagef("bgp run: --peer %q is not an IP address: give the neighbour's address, such as 192.0.2.1 or 2001:db8::1", p)
		}
		n, err := parseASN("--peer-asn", peerASNs[i])
		if err != nil {
			return nil, err
		}
		o.cfg.Peers = append(o.cfg.Peers, bgp.Peer{Addr: a.Unmap(), ASN: n, HoldTime: time.Duration(hold) * time.Second, Passive: passive, Password: password})
	}
	if err := o.cfg.Validate(); o.cfg.RouterID.IsValid() && err != nil {
		return nil, cli.Usagef("bgp run: %v", err)
	}
	return o, nil
}

// parseASN parses an AS number, 1 to 4294967295, given with flag.
func parseASN(flag, s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, cli.Usagef("bgp run: %s %s: an AS number is from 1 to 4294967295 (asdot such as 1.10 is not taken: write 65546)", flag, s)
	}
	return uint32(n), nil
}
