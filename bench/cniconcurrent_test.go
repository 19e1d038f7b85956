package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/testenv"
)

// cniConcurrency is how many ADDs, then DELs, BenchmarkCNIConcurrent runs
// at once: what kubelet starts after a node restarts with a node's worth
// of pods, issue 15's figure.
const cniConcurrency = 32

// BenchmarkCNIConcurrent runs 32 ADDs at once through libcni, each from
// its own goroutine into its own namespace under its own container ID,
// and times the wall time until all are done; then 32 DELs at once, the
// same way. It alternates the contenders of BenchmarkCNI, 5 rounds per
// iteration (1 with -short), each starting with the next contender, for
// a macvlan (bridge) and an ipvlan (l2) network. After the ADDs the
// kernel must show eth0 in every namespace with the result's address,
// the 32 addresses distinct; after the DELs no eth0 anywhere. It reports
// the p50 of each contender's wall times and the ratios of the p50s, the
// reference's over vlanraw's (above 1: vlanraw is faster; issue 15's
// goal for the ADDs is 2). ipvlan runs where the kernel has it (in QEMU
// here).
func BenchmarkCNIConcurrent(b *testing.B) {
	for _, d := range endpointDrivers {
		b.Run("driver="+string(d), func(b *testing.B) {
			r := newCNIRuntime(b, newEndpointBench(b, d, "10.22.0.0/16"))
			benchCNIConcurrent(b, r)
		})
	}
}

// cniTarget is one container of the concurrent benchmark: its namespace
// and a handle reading it.
type cniTarget struct {
	path string
	h    *links.Handle
}

func benchCNIConcurrent(b *testing.B, r *cniRuntime) {
	targets := make([]cniTarget, cniConcurrency)
	for k := range targets {
		ns, _ := testenv.NewNetNS(b)
		h, err := links.Open(ns)
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		targets[k] = cniTarget{ns.Path(), h}
	}
	s := endpointSamples{}
	for i := 0; b.Loop(); {
		for range cniConcurrentRounds() {
			for j := range r.lists {
				cniConcurrentRound(b, r, r.lists[(i+j)%len(r.lists)], targets, s)
			}
			i++
		}
	}
	for _, l := range r.lists {
		for _, op := range []string{"-add", "-del"} {
			b.ReportMetric(s.ms(l.name+op, 50), fmt.Sprintf("%s%s%d-p50-ms", l.name, op, cniConcurrency))
		}
	}
	for _, v := range []string{cniHostLocal, cniNetwork} {
		for _, op := range []string{"-add", "-del"} {
			b.ReportMetric(s.ms(cniRef+op, 50)/s.ms(v+op, 50), fmt.Sprintf("%s%s%d-ratio-vs-%s", v, op, cniConcurrency, cniRef))
		}
	}
}

// cniConcurrentRounds is the number of rounds of 32 ADDs and 32 DELs of
// each contender that one iteration of BenchmarkCNIConcurrent takes, so
// that the p50 of the wall times means something even with -benchtime
// 1x.
func cniConcurrentRounds() int {
	if testing.Short() {
		return 1
	}
	return 5
}

// cniConcurrentRound runs one round of l: the ADDs at once into targets,
// checked against the kernel, then the DELs at once, checked too,
// appending the wall times to s.
func cniConcurrentRound(b *testing.B, r *cniRuntime, l cniList, targets []cniTarget, s endpointSamples) {
	rts := make([]*libcni.RuntimeConf, len(targets))
	for k, t := range targets {
		rts[k] = cniRT(fmt.Sprintf("bench-%s-%d", l.name, k), t.path)
	}
	ips := make([][]netip.Prefix, len(targets))
	d, err := r.all(func(k int) (err error) {
		_, ips[k], err = r.add(l, rts[k])
		return err
	}, len(targets))
	if err != nil {
		b.Fatal(err)
	}
	s[l.name+"-add"] = append(s[l.name+"-add"], d)
	seen := map[netip.Prefix]int{}
	for k, t := range targets {
		a := checkAdded(b, l.name, t.h, ips[k])
		if other, dup := seen[a]; dup {
			b.Fatalf("%s: containers %d and %d both got %s", l.name, other, k, a)
		}
		seen[a] = k
	}
	if d, err = r.all(func(k int) (err error) {
		_, err = r.del(l, rts[k])
		return err
	}, len(targets)); err != nil {
		b.Fatal(err)
	}
	s[l.name+"-del"] = append(s[l.name+"-del"], d)
	for k, t := range targets {
		if hasEth0(b, t.h) {
			b.Fatalf("%s: container %d's eth0 is still there after DEL", l.name, k)
		}
	}
}

// all runs op(0) to op(n-1) at once, each from its own goroutine, and
// returns the wall time from their common start until the last is done.
// The goroutines are all started and waiting before the clock starts;
// entering the host namespace (one setns each) is timed, the same for
// every contender.
func (r *cniRuntime) all(op func(k int) error, n int) (time.Duration, error) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	ready.Add(n)
	done.Add(n)
	for k := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[k] = op(k)
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	return time.Since(t0), errors.Join(errs...)
}
