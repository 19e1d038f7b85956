// Package bgp is vlanraw's BGP speaker: it announces prefixes, each with
// its next hop, to BGP peers, so that routers learn the subnets of
// ipvlan l3 and l3s networks instead of being given static routes. It
// embeds GoBGP (github.com/osrg/gobgp/v4, the library kube-router and
// Cilium embed) and holds only the glue: the global configuration, the
// peers, the announced set (changed by difference: Speaker.Announce adds
// what is new and withdraws what is gone), and the speaker's status,
// which a running speaker serves on a unix socket (ServeStatus,
// ReadStatus).
//
// What to announce is Docker's semantics and lives in package modes
// (Manager.Announced); the command `vlanraw bgp` follows the state
// directory and hands the result to a Speaker.
//
// A Speaker listens on the BGP port (179 unless Config.ListenPort says
// otherwise) and connects out to each peer that is not passive, so a
// session comes up whichever side starts first. It accepts no routes
// from its peers: it only announces. IPv4 and IPv6 unicast are
// negotiated with every peer (IPv6 over an IPv4 session is MP-BGP,
// RFC 4760), and each prefix goes out with the next hop it was given.
// Stop withdraws everything and ends the sessions with a CEASE
// notification.
package bgp
