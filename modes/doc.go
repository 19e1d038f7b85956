// Package modes does what Docker's ipvlan and macvlan network drivers do,
// for plain network namespaces: networks with Docker's options, defaults
// and error messages, endpoints (links created directly inside a target
// namespace, with addresses, sysctls and routes), persistence of both, and
// what a router beyond the host needs for ipvlan's L3 modes.
//
// A Manager keeps its records in a state directory (see package
// modes/state) and does every change under that directory's lock, so
// that several processes can connect endpoints at once and each still
// gets its own addresses. A change that fails is rolled back: the links it
// made are deleted and the state file is left as it was.
//
// # Networks
//
// CreateNetwork takes Docker's `network create` options. Without a
// parent, a dummy link di-<id> (ipvlan) or dm-<id> (macvlan) is created and
// the network is internal; a parent named NAME.VID that does not exist is
// created as an 802.1Q link on NAME. Links the Manager created are deleted
// with the last network using them; pre-existing parents never are.
//
// # Endpoints
//
// Connect creates the ipvlan or macvlan link directly inside the target
// namespace under its name (eth0 by default), or, where that name is
// taken (on kernels before 6.18, also on the host), under a random
// temporary name that it renames there; it adds the addresses (IPv6 without duplicate address detection),
// brings it up and adds the routes Docker would: `default via GATEWAY` for
// ipvlan l2 and macvlan when the subnet has a gateway, a connected
// `default dev eth0` for ipvlan l3 and l3s, none on internal networks,
// with two exceptions for ipvlan l3 and l3s, where subnets that share a
// parent reach one another (the kernel routes between them):
//
//   - Without a parent, endpoints get `default dev eth0`, as Docker's
//     documentation shows them: their subnets reach one another, and the
//     dummy parent, not a missing route, isolates them (packets to
//     anything else are routed out of the dummy and dropped).
//   - Internal with a real parent, endpoints get a connected route to
//     each of the network's other subnets (`SUBNET dev eth0`) and no
//     default route, so the subnets reach one another, as Docker's
//     L3InternalMode test expects, and anything else is "Network is
//     unreachable". Only a peer on the parent's link with an address in an
//     endpoint's own subnet stays reachable, through the kernel's subnet
//     route, as in Docker.
//
// A namespace keeps the first default route it is given, per family.
//
// # L3 and L3S
//
// Measured on Linux 6.1 and 6.12 (TestL3ReachBeyondRouter and friends):
// packets from an endpoint of an L3 or L3S network are routed by the host
// namespace's routing table, restricted to the parent link, and leave with
// the parent's MAC; packets to an endpoint are handed to it by the parent
// whatever the host's routes say. So the host needs nothing set up for
// endpoints to reach the hosts on the parent's link and get their replies,
// given that the host routes that link through the parent (IPv4 works even
// without: the kernel then takes the destination to be on the link; IPv6
// does not). The endpoints reach beyond the parent's link only if the host
// routes there through the parent: Upstream.HostNotes says when it does
// not, and what to add. The router on the parent's link needs routes to
// the endpoints' subnets: Upstream lists them, ApplyUpstream adds them.
// A peer with an address on an endpoint's own subnet (Red Hat's
// procedure) needs a neighbour entry for each endpoint instead, and the
// host an on-link route to the peer through the parent, which wins over
// a host default route via a gateway: ApplyUpstream adds both.
//
// # Errors
//
// Bad options and values match errdefs.ErrInvalid; an unknown network or
// endpoint matches ErrNotFound; a name, parent or address that is taken
// matches ErrConflict. Messages that Docker has are Docker's, word for
// word.
package modes
