package report

// Peers names what each benchmark of packages bench and bpf measures
// vlanraw against in the same run, by the benchmark's group (its
// top-level name without "Benchmark"), for the line that announces the
// benchmark when it starts (see Live). Each benchmark's doc comment says
// more; a test checks that every benchmark has an entry.
var Peers = map[string]string{
	"BGPConvergence": "Debian's gobgpd, changed with its gobgp client, peering with the same BIRD",
	"BGPScale":       "Debian's gobgpd announcing as many prefixes to the same BIRD",
	"CNI":            "the reference CNI plugin with host-local, through libcni",
	"CNIConcurrent":  "the reference CNI plugin with host-local, 32 containers at once through libcni",
	"Classifier":     "a trivial tc counter, on the same frames",
	"CountersUDP":    "the same UDP flows without the counters",
	"DataPlane":      "veth+bridge",
	"Endpoint":       "the CNI plugins through cnitool",
	"EndpointScale":  "10 endpoints in the same run",
	"LinksCreate":    "iproute2: ip -batch and one ip link add per link",
	"LinksDelete":    "iproute2: ip link del group, ip -batch and one ip link del per link",
	"RSS":            "iproute2's ip -j link show, and vlanraw help",
}
