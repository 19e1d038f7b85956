package bgp

// help is the help of the bgp object.
const help = `Usage: vlanraw [--state-dir DIR] bgp run --asn N --peer ADDR --peer-asn N
                   [--peer ADDR --peer-asn N]... [--network NAME]... [--router-id A]
                   [--hold-time SECONDS] [--passive] [--password KEY] [--port N]
       vlanraw [--state-dir DIR] bgp status [-j] [-p]

An ipvlan l3 or l3s network is routed by its host: routers beyond the
parent learn its subnets from nobody. "bgp run" is a BGP speaker, in the
foreground (for a systemd unit or a terminal), that announces each
subnet of the state directory's l3 and l3s networks to the given peers,
with the host's address on the network's parent as next hop (IPv6
subnets over MP-BGP, via the parent's IPv6 address). It follows the
state directory and the host's addresses: a network created or removed,
or a parent given another address, is announced or withdrawn at once.
SIGINT or SIGTERM withdraws everything and ends the sessions; a speaker
killed otherwise is forgotten by its peers once the hold time passes.
It accepts the peers' connections on port 179 and connects out to them,
so a session comes up whichever side starts first. Routes the peers send
are not kept: the speaker only announces. "vlanraw routes NETWORK" prints
the same routes as static ones. The speaker's sockets live in the network
namespace it runs in, so it takes no -n: run it in the host namespace
of the networks ("vlanraw netns exec HOSTNS vlanraw bgp run ...").

"bgp status" asks the running speaker (through the socket bgp.sock in
the state directory) for its sessions, their state, and the prefixes it
announces; the speaker logs the same on stderr as it happens.

  --asn N            the local AS number, 1 to 4294967295
  --peer ADDR        a neighbour's address, IPv4 or IPv6 (repeatable)
  --peer-asn N       the AS of the --peer in the same position (repeatable;
                     as many as --peer); the local AS makes a session iBGP
  --network NAME     announce this network only (repeatable); default:
                     every ipvlan l3 and l3s network with a parent,
                     including those created later. Naming any other
                     network is an error
  --router-id A      the BGP identifier, an IPv4 address; default: the
                     first announced network's parent's IPv4 address
  --hold-time S      the hold time offered to the peers, 3 to 65535
                     seconds (default 90); keepalives every third of it
  --passive          never connect out: wait for the peers to connect
  --password KEY     the TCP MD5 signature key (RFC 2385) of the peers
  --port N           the TCP port to accept sessions on (default 179), or
                     -1 to accept none
  -j, --json         bgp status: print JSON
  -p, --pretty       indent the JSON
  -h, --help         print this help; so does a lone "help"

Example (BIRD on the router at 192.168.0.1, AS 65000):

  vlanraw bgp run --asn 65001 --peer 192.168.0.1 --peer-asn 65000
`
