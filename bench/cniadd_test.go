package bench

import (
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/testenv"
)

// BenchmarkCNI times one ADD and one DEL through libcni, the library
// containerd, CRI-O and podman attach networks with
// (AddNetworkList, DelNetworkList), of a macvlan (bridge) and an ipvlan
// (l2) attachment into an existing namespace, alternating three
// contenders 100 times per iteration (3 with -short), each starting
// where the last started one left off: the reference plugin of the same
// kind with host-local IPAM (the peer), vlanraw's plugin with the same
// host-local IPAM, and vlanraw's plugin on a network made with vlanraw
// with its own IPAM. Each ADD is checked against the kernel (eth0 in the
// namespace with the result's addresses), each DEL too (no eth0). After
// each round, host-local alone runs as the list's plugin (ADD, DEL): the
// floor of a plugin that delegates to host-local. It reports the p50 and
// p99 of each contender's ADD and DEL, and the ratios of the p50s, the
// reference's over vlanraw's (above 1: vlanraw is faster; issue 15's
// goal for ADD is 2); ref-add-vs-ipam-floor is the most any plugin
// delegating to host-local could beat the reference's ADD by here.
// ipvlan runs where the kernel has it (in QEMU here).
func BenchmarkCNI(b *testing.B) {
	for _, d := range endpointDrivers {
		b.Run("driver="+string(d), func(b *testing.B) {
			r := newCNIRuntime(b, newEndpointBench(b, d, "10.22.0.0/16"))
			benchCNI(b, r)
		})
	}
}

func benchCNI(b *testing.B, r *cniRuntime) {
	target, _ := testenv.NewNetNS(b)
	th, err := links.Open(target)
	if err != nil {
		b.Fatal(err)
	}
	defer th.Close()
	s := endpointSamples{}
	round := func(l cniList) {
		rt := cniRT("bench-"+l.name, target.Path())
		d, ips, err := r.add(l, rt)
		if err != nil {
			b.Fatal(err)
		}
		s[l.name+"-add"] = append(s[l.name+"-add"], d)
		checkAdded(b, l.name, th, ips)
		if d, err = r.del(l, rt); err != nil {
			b.Fatal(err)
		}
		s[l.name+"-del"] = append(s[l.name+"-del"], d)
		if hasEth0(b, th) {
			b.Fatalf("%s: eth0 is still in the target namespace after DEL", l.name)
		}
	}
	floor := func() {
		l := r.ipamFloor
		rt := cniRT("bench-"+l.name, target.Path())
		d, ips, err := r.add(l, rt)
		if err != nil {
			b.Fatal(err)
		}
		if len(ips) == 0 {
			b.Fatalf("%s: ADD's result has no address", l.name)
		}
		s[l.name+"-add"] = append(s[l.name+"-add"], d)
		if d, err = r.del(l, rt); err != nil {
			b.Fatal(err)
		}
		s[l.name+"-del"] = append(s[l.name+"-del"], d)
	}
	for i := 0; b.Loop(); {
		for range endpointReps() {
			for j := range r.lists {
				round(r.lists[(i+j)%len(r.lists)])
			}
			floor()
			i++
		}
	}
	for _, l := range append(r.lists, r.ipamFloor) {
		for _, op := range []string{"-add", "-del"} {
			b.ReportMetric(s.ms(l.name+op, 50), l.name+op+"-p50-ms")
			b.ReportMetric(s.ms(l.name+op, 99), l.name+op+"-p99-ms")
		}
	}
	for _, v := range []string{cniHostLocal, cniNetwork} {
		for _, op := range []string{"-add", "-del"} {
			b.ReportMetric(s.ms(cniRef+op, 50)/s.ms(v+op, 50), v+op+"-ratio-vs-"+cniRef)
		}
	}
	b.ReportMetric(s.ms(cniRef+"-add", 50)/s.ms(cniIPAMFloor+"-add", 50), cniRef+"-add-vs-"+cniIPAMFloor)
}
