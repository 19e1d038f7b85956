package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// linkKind is a kind of link the link benchmarks make on the parent p0.
type linkKind struct {
	name string
	// spec is vlanraw's spec of the i-th link.
	spec func(a links.Attrs, i int) links.Spec
	// words are the words after `type` for the i-th link, the same for
	// iproute2's ip and vlanraw's CLI.
	words func(i int) string
}

var linkKinds = []linkKind{
	{
		name: "macvlan",
		spec: func(a links.Attrs, _ int) links.Spec {
			mode := rtnl.MACVlanModeBridge
			return &links.MACVlan{Attrs: a, Parent: "p0", Mode: &mode}
		},
		words: func(int) string { return "macvlan mode bridge" },
	},
	{
		name: "ipvlan",
		spec: func(a links.Attrs, _ int) links.Spec {
			mode := rtnl.IPVlanModeL2
			return &links.IPVlan{Attrs: a, Parent: "p0", Mode: &mode}
		},
		words: func(int) string { return "ipvlan mode l2" },
	},
	{
		name: "vlan",
		spec: func(a links.Attrs, i int) links.Spec {
			return &links.VLAN{Attrs: a, Parent: "p0", ID: uint16(i + 1)}
		},
		words: func(i int) string { return fmt.Sprintf("vlan id %d", i+1) },
	},
}

// linkGroup is the group every benchmarked link is created in, so that
// one group delete clears them and `ip link del group` has its batch.
const linkGroup = 7

// linkBench is a throwaway namespace with a veth parent p0, and the n
// links of one kind that a benchmark creates and deletes there.
type linkBench struct {
	kind  linkKind
	h     *links.Handle
	ns    string // namespace name, for ip -n and vlanraw -n
	names []string
	cli   string // the vlanraw binary
}

func newLinkBench(b *testing.B, kind linkKind, n int) *linkBench {
	testenv.RequireKind(b, kind.name)
	ipPath(b)
	cli := vlanrawCLI(b)
	ns, name := testenv.NewNetNS(b)
	h, err := links.Open(ns)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true}}); err != nil {
		b.Fatal(err)
	}
	return &linkBench{kind: kind, h: h, ns: name, names: linkNames("l", n), cli: cli}
}

// linkBenchSize is the number of links each contender creates or
// deletes, but for those of linkEachSize.
func linkBenchSize() int {
	if testing.Short() {
		return 10
	}
	return 1000
}

// linkEachSize is the number of links of the contenders that pay a
// program's start or the kernel's wait for a link to unregister per
// link (one `ip link add` or `vlanraw link add` each, one delete each,
// ip -batch of deletes): their time per link does not depend on how
// many there are, and 1000 of them took 17 to 23 s each here (over four
// minutes under QEMU/TCG).
func linkEachSize() int {
	return min(100, linkBenchSize())
}

// first returns the benchmark over its first n links only.
func (lb *linkBench) first(n int) *linkBench {
	c := *lb
	c.names = lb.names[:min(n, len(lb.names))]
	return &c
}

func (lb *linkBench) specs() []links.Spec {
	g := uint32(linkGroup)
	specs := make([]links.Spec, len(lb.names))
	for i, n := range lb.names {
		specs[i] = lb.kind.spec(links.Attrs{Name: n, Group: &g}, i)
	}
	return specs
}

// addWords are the words of `link add` for the i-th link.
func (lb *linkBench) addWords(i int) string {
	return fmt.Sprintf("link add link p0 name %s group %d type %s", lb.names[i], linkGroup, lb.kind.words(i))
}

// count returns how many links the kernel has that match.
func (lb *linkBench) count(b *testing.B, match func(*rtnl.LinkMessage) bool) int {
	all, err := lb.h.Conn().ListLinks("")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for i := range all {
		if match(&all[i]) {
			n++
		}
	}
	return n
}

// grouped returns how many links of the benchmark's group the kernel has.
func (lb *linkBench) grouped(b *testing.B) int {
	return lb.count(b, func(m *rtnl.LinkMessage) bool {
		return m.Attributes.Group != nil && *m.Attributes.Group == linkGroup
	})
}

// named returns how many of the benchmark's links the kernel has, by name.
func (lb *linkBench) named(b *testing.B) int {
	return lb.count(b, func(m *rtnl.LinkMessage) bool { return slices.Contains(lb.names, m.Attributes.Name) })
}

// created checks that the kernel holds all the links, then deletes them
// (untimed) and passes d through.
func (lb *linkBench) created(b *testing.B, how string, d time.Duration) time.Duration {
	if got := lb.grouped(b); got != len(lb.names) {
		b.Fatalf("%s: the kernel has %d of the %d links", how, got, len(lb.names))
	}
	if err := lb.h.Conn().DeleteLinkGroup(linkGroup); err != nil {
		b.Fatal(err)
	}
	return d
}

// createAll creates the links untimed, for a delete contender.
func (lb *linkBench) createAll(b *testing.B) {
	if err := lb.h.CreateAll(lb.specs()); err != nil {
		b.Fatal(err)
	}
}

// deleted checks that the kernel has none of the links left and passes d
// through.
func (lb *linkBench) deleted(b *testing.B, how string, d time.Duration) time.Duration {
	if got := lb.named(b); got != 0 {
		b.Fatalf("%s: %d of the %d links are left", how, got, len(lb.names))
	}
	return d
}

// each times fn run once per link.
func (lb *linkBench) each(fn func(i int)) time.Duration {
	start := time.Now()
	for i := range lb.names {
		fn(i)
	}
	return time.Since(start)
}

// createContenders are the ways BenchmarkLinksCreate times, vlanraw's
// and iproute2's alternating; each checks that the kernel then holds all
// the links and deletes them, untimed. Those that start a program per
// link create linkEachSize links.
func (lb *linkBench) createContenders(b *testing.B) []contender {
	each := lb.first(linkEachSize())
	return []contender{
		{"createall", len(lb.names), func() time.Duration {
			specs := lb.specs()
			start := time.Now()
			if err := lb.h.CreateAll(specs); err != nil {
				b.Fatal(err)
			}
			return lb.created(b, "CreateAll", time.Since(start))
		}},
		{"ip-batch", len(lb.names), func() time.Duration {
			lines := make([]string, len(lb.names))
			for i := range lines {
				lines[i] = lb.addWords(i)
			}
			return lb.created(b, "ip -batch", ipBatch(b, lb.ns, lines))
		}},
		{"create-each", len(lb.names), func() time.Duration {
			specs := lb.specs()
			return lb.created(b, "Create", lb.each(func(i int) {
				if err := lb.h.Create(specs[i]); err != nil {
					b.Fatal(err)
				}
			}))
		}},
		{"ip-each", len(each.names), func() time.Duration {
			return each.created(b, "ip link add", each.each(func(i int) {
				ipRun(b, append([]string{"-n", each.ns}, strings.Fields(each.addWords(i))...)...)
			}))
		}},
		{"cli-each", len(each.names), func() time.Duration {
			return each.created(b, "vlanraw link add", each.each(func(i int) {
				timeCmd(b, each.cli, append([]string{"-n", each.ns}, strings.Fields(each.addWords(i))...)...)
			}))
		}},
	}
}

// deleteContenders are the ways BenchmarkLinksDelete times, vlanraw's
// and iproute2's alternating; each creates the links first, untimed, and
// checks afterwards that the kernel has none of them left. Those that
// delete a link at a time delete linkEachSize links.
func (lb *linkBench) deleteContenders(b *testing.B) []contender {
	timed := func(how string, l *linkBench, fn func(l *linkBench) time.Duration) contender {
		return contender{how, len(l.names), func() time.Duration {
			l.createAll(b)
			return l.deleted(b, how, fn(l))
		}}
	}
	inNS := func(args ...string) []string { return append([]string{"-n", lb.ns}, args...) }
	each := lb.first(linkEachSize())
	return []contender{
		timed("deleteall", lb, func(l *linkBench) time.Duration {
			start := time.Now()
			if err := l.h.DeleteAll(l.names); err != nil {
				b.Fatal(err)
			}
			return time.Since(start)
		}),
		timed("ip-group", lb, func(*linkBench) time.Duration {
			return ipRun(b, inNS("link", "del", "group", fmt.Sprint(linkGroup))...)
		}),
		timed("cli-batch", lb, func(l *linkBench) time.Duration {
			return timeCmd(b, l.cli, inNS(append([]string{"link", "del"}, l.names...)...)...)
		}),
		timed("ip-batch", each, func(l *linkBench) time.Duration {
			lines := make([]string, len(l.names))
			for i, name := range l.names {
				lines[i] = "link del " + name
			}
			return ipBatch(b, l.ns, lines)
		}),
		timed("delete-each", each, func(l *linkBench) time.Duration {
			return l.each(func(i int) {
				if err := l.h.Delete(l.names[i]); err != nil {
					b.Fatal(err)
				}
			})
		}),
		timed("ip-each", each, func(l *linkBench) time.Duration {
			return l.each(func(i int) { ipRun(b, inNS("link", "del", l.names[i])...) })
		}),
		timed("cli-each", each, func(l *linkBench) time.Duration {
			return l.each(func(i int) { timeCmd(b, l.cli, inNS("link", "del", l.names[i])...) })
		}),
	}
}

// BenchmarkLinksCreate creates 1000 links (10 with -short) of each kind
// the kernel has on a veth parent, five ways in turn: vlanraw in-process
// with CreateAll (requests pipelined) and with one Create each, one
// `vlanraw link add` process per link, one `ip -batch` process, and one
// `ip link add` process per link; the two ways with a process per link
// create 100 (linkEachSize). It reports each one's links/s and the
// ratios of the rates (above 1: vlanraw is faster). The CLI has no
// batch form for add.
func BenchmarkLinksCreate(b *testing.B) {
	for _, kind := range linkKinds {
		b.Run("kind="+kind.name, func(b *testing.B) {
			lb := newLinkBench(b, kind, linkBenchSize())
			cs := lb.createContenders(b)
			reportRates(b, cs, interleave(b, cs), "links/s", []versus{
				{"createall", "ip-batch"},
				{"create-each", "ip-batch"},
				{"cli-each", "ip-each"},
			})
		})
	}
}

// BenchmarkLinksDelete deletes 1000 links (10 with -short) of each kind
// the kernel has, seven ways in turn: vlanraw's DeleteAll (one group
// delete) against `ip link del group`; `vlanraw link del` of every name
// in one process (the CLI's batch) against `ip -batch` and the group
// delete; one Delete each and one `vlanraw link del` process each
// against one `ip link del` process each. One deletion waits for the
// kernel to unregister the link (tens of milliseconds, little CPU), so
// the ways that delete one link at a time (ip -batch too) delete 100
// (linkEachSize), at about 50 links/s here. It reports each one's
// links/s and the ratios of the rates (above 1: vlanraw is faster).
func BenchmarkLinksDelete(b *testing.B) {
	for _, kind := range linkKinds {
		b.Run("kind="+kind.name, func(b *testing.B) {
			lb := newLinkBench(b, kind, linkBenchSize())
			cs := lb.deleteContenders(b)
			reportRates(b, cs, interleave(b, cs), "links/s", []versus{
				{"deleteall", "ip-group"},
				{"deleteall", "ip-batch"},
				{"cli-batch", "ip-group"},
				{"cli-batch", "ip-batch"},
				{"delete-each", "ip-each"},
				{"cli-each", "ip-each"},
			})
		})
	}
}
