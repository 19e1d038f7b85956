// Package bgp is vlanraw's BGP speaker: it announces prefixes, each with
// its next hop, to BGP peers, so that routers learn the subnets of
// ipvlan l3 and l3s networks instead of being given static routes. It
// holds the sessions (RFC 4271, with multiprotocol IPv6 unicast of
// RFC 4760, four-octet AS numbers of RFC 6793 and TCP MD5 signatures of
// RFC 2385), the announced set (changed by difference: Speaker.Announce
// adds what is new and withdraws what is gone), and the speaker's
// status, which a running speaker serves on a unix socket (ServeStatus,
// ReadStatus).
//
// The messages are encoded and decoded by GoBGP's wire package
// (github.com/osrg/gobgp/v4/pkg/packet/bgp, the library kube-router and
// Cilium embed); nothing else of GoBGP is linked: its server would bring
// gRPC, protobuf, viper and vishvananda/netlink into every vlanraw
// command, triple the binary and double its start-up, for a speaker
// that only announces.
//
// What to announce is Docker's semantics and lives in package modes
// (Manager.Announced); the command `vlanraw bgp` follows the state
// directory and hands the result to a Speaker.
//
// A Speaker listens on the BGP port (179 unless Config.ListenPort says
// otherwise) and connects out to each peer that is not passive, so a
// session comes up whichever side starts first; when both connections
// reach the OPEN exchange, the collision is resolved as RFC 4271
// section 6.8 says, so both sides keep the same one. It accepts no
// routes from its peers: their UPDATEs are checked and dropped. IPv4
// and IPv6 unicast are offered to every peer (IPv6 over an IPv4 session
// is MP-BGP), and each prefix goes out with the next hop it was given,
// with ORIGIN IGP and the local AS in the AS_PATH (eBGP) or an empty
// AS_PATH and a LOCAL_PREF (iBGP). Stop withdraws everything and ends
// the sessions with a Cease notification.
package bgp
