package rtnl_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// Header flags tc uses: add creates exclusively, del only asks for an
// acknowledgement, show dumps.
const (
	flagsTCAdd  = flagsAdd                              // 0x605
	flagsTCDel  = netlink.Request | netlink.Acknowledge // 0x5
	flagsTCDump = netlink.Request | netlink.Dump        // 0x301
)

const (
	counterName = "counter_bpfel.o:[tc]" // what tc names bpf/counter_bpfel.o's program
	prioAuto    = 49152                  // the first priority the kernel picks
	ethPAll     = 0x0003                 // ETH_P_ALL
	skipHW      = 1                      // TCA_CLS_FLAGS_SKIP_HW
	notInHW     = 8                      // TCA_CLS_FLAGS_NOT_IN_HW
	classID12   = 0x00010002             // 1:2
	tcGolden    = "tc-golden"            // testdata/tc-golden, see testdata/capture-tc.sh
	tcReplies   = "tc-replies"           // testdata/tc-replies
	tcFDUnknown = ^uint32(0)             // stands for "no fd" in sentFD
)

// tcGoldenTests build, with rtnl's API, the request of every command in
// testdata/tc-golden, keyed by file name, for the device with ifindex
// and, for filters, the program's file descriptor tc sent (fd numbers
// differ between runs, so the test uses tc's).
var tcGoldenTests = map[string]struct {
	typ   uint16
	flags netlink.HeaderFlags
	msg   func(ifindex int32, fd uint32) *rtnl.TCMessage
	// send sends the message with the Conn method that makes it.
	send func(c *rtnl.Conn, m *rtnl.TCMessage) error
}{
	// tc qdisc add dev p0 clsact
	"qdisc-add-clsact": {unix.RTM_NEWQDISC, flagsTCAdd, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return rtnl.NewClsactQdisc(ifindex)
	}, (*rtnl.Conn).AddQdisc},
	// tc qdisc del dev p0 clsact
	"qdisc-del-clsact": {unix.RTM_DELQDISC, flagsTCDel, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return rtnl.NewClsactQdisc(ifindex)
	}, (*rtnl.Conn).DeleteQdisc},
	// tc qdisc show dev p0
	"qdisc-show": {unix.RTM_GETQDISC, flagsTCDump, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return &rtnl.TCMessage{Ifindex: ifindex}
	}, func(c *rtnl.Conn, m *rtnl.TCMessage) error {
		_, err := c.ListQdiscs(m.Ifindex)
		return err
	}},
	// tc filter add dev p0 ingress bpf da obj counter_bpfel.o sec tc
	"filter-add-ingress": {unix.RTM_NEWTFILTER, flagsTCAdd, func(ifindex int32, fd uint32) *rtnl.TCMessage {
		return rtnl.NewBPFFilter(ifindex, rtnl.ParentIngress, 0, int(fd), counterName)
	}, (*rtnl.Conn).AddFilter},
	// tc filter add dev p0 egress pref 1 handle 1 bpf da obj counter_bpfel.o sec tc
	"filter-add-egress-pref": {unix.RTM_NEWTFILTER, flagsTCAdd, func(ifindex int32, fd uint32) *rtnl.TCMessage {
		m := rtnl.NewBPFFilter(ifindex, rtnl.ParentEgress, 1, int(fd), counterName)
		m.Handle = 1
		return m
	}, (*rtnl.Conn).AddFilter},
	// tc filter add dev p0 egress pref 7 bpf obj counter_bpfel.o sec tc classid 1:2 da skip_hw
	"filter-add-classid-skip-hw": {unix.RTM_NEWTFILTER, flagsTCAdd, func(ifindex int32, fd uint32) *rtnl.TCMessage {
		m := rtnl.NewBPFFilter(ifindex, rtnl.ParentEgress, 7, int(fd), counterName)
		m.Attributes.BPF.ClassID = ptr[uint32](classID12)
		m.Attributes.BPF.FlagsGen = ptr[uint32](skipHW)
		return m
	}, (*rtnl.Conn).AddFilter},
	// tc filter del dev p0 ingress pref 49152 handle 1 bpf
	"filter-del-handle": {unix.RTM_DELTFILTER, flagsTCDel, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return &rtnl.TCMessage{Ifindex: ifindex, Handle: 1, Parent: rtnl.ParentIngress,
			Info: rtnl.FilterInfo(prioAuto, 0), Attributes: rtnl.TCAttributes{Kind: "bpf"}}
	}, (*rtnl.Conn).DeleteFilter},
	// tc filter del dev p0 ingress pref 49152
	"filter-del-pref": {unix.RTM_DELTFILTER, flagsTCDel, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return &rtnl.TCMessage{Ifindex: ifindex, Parent: rtnl.ParentIngress, Info: rtnl.FilterInfo(prioAuto, 0)}
	}, (*rtnl.Conn).DeleteFilter},
	// tc filter show dev p0 ingress
	"filter-show-ingress": {unix.RTM_GETTFILTER, flagsTCDump, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return &rtnl.TCMessage{Ifindex: ifindex, Parent: rtnl.ParentIngress}
	}, func(c *rtnl.Conn, m *rtnl.TCMessage) error {
		_, err := c.ListFilters(m.Ifindex, m.Parent)
		return err
	}},
	// tc filter show dev p0 egress
	"filter-show-egress": {unix.RTM_GETTFILTER, flagsTCDump, func(ifindex int32, _ uint32) *rtnl.TCMessage {
		return &rtnl.TCMessage{Ifindex: ifindex, Parent: rtnl.ParentEgress}
	}, func(c *rtnl.Conn, m *rtnl.TCMessage) error {
		_, err := c.ListFilters(m.Ifindex, m.Parent)
		return err
	}},
}

// sentFD returns the TCA_BPF_FD in a captured filter request, or
// tcFDUnknown when there is none.
func sentFD(tb testing.TB, payload []byte) uint32 {
	tb.Helper()
	var m rtnl.TCMessage
	if err := m.UnmarshalBinary(payload); err != nil {
		tb.Fatalf("decode tc's request: %v", err)
	}
	if m.Attributes.BPF == nil || m.Attributes.BPF.FD == nil {
		return tcFDUnknown
	}
	return *m.Attributes.BPF.FD
}

// TestTCGoldenRequests checks that rtnl encodes, byte for byte, the
// qdisc and filter requests tc sent for the commands in
// testdata/tc-golden, and that the Conn methods send them with tc's
// message type and header flags.
func TestTCGoldenRequests(t *testing.T) {
	golden := readCaptures(t, tcGolden)
	for _, name := range slices.Sorted(maps.Keys(golden)) {
		if _, ok := tcGoldenTests[name]; !ok {
			t.Errorf("testdata/%s/%s.txt has no entry in tcGoldenTests", tcGolden, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(tcGoldenTests)) {
		tt := tcGoldenTests[name]
		t.Run(name, func(t *testing.T) {
			g, ok := golden[name]
			if !ok {
				t.Fatalf("testdata/%s/%s.txt is missing: run testdata/capture-tc.sh", tcGolden, name)
			}
			t.Logf("%s (%s)", g.Cmd, g.IPRoute2)
			if g.Type != tt.typ || netlink.HeaderFlags(g.Flags) != tt.flags {
				t.Errorf("tc sent type %#x flags %#x; the test expects type %#x flags %#x", g.Type, g.Flags, tt.typ, uint16(tt.flags))
			}
			m := tt.msg(g.Index, sentFD(t, g.Payload))
			b, err := m.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			if !bytes.Equal(b, g.Payload) {
				t.Errorf("payload differs from tc's (-tc +rtnl):\n%s\ntc:   %x\nrtnl: %x",
					cmp.Diff(dumpTC(g.Payload), dumpTC(b)), g.Payload, b)
			}

			var got netlink.Message
			c := rtnl.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
				got = reqs[0]
				if got.Header.Flags&netlink.Dump == netlink.Dump {
					return dumpReply(got, nil), nil
				}
				return ack(reqs[0]), nil
			}))
			defer c.Close()
			if err := tt.send(c, m); err != nil {
				t.Fatal(err)
			}
			if uint16(got.Header.Type) != g.Type || uint16(got.Header.Flags) != g.Flags {
				t.Errorf("Conn sent type %#x flags %#x; tc sent type %#x flags %#x",
					uint16(got.Header.Type), uint16(got.Header.Flags), g.Type, g.Flags)
			}
			if diff := cmp.Diff(dumpTC(g.Payload), dumpTC(got.Data)); diff != "" {
				t.Errorf("Conn's payload differs from tc's (-tc +rtnl):\n%s", diff)
			}
		})
	}
}

// TestTCDecodeKernelReplies decodes what the kernel answered to `tc qdisc
// show` and `tc filter show` (testdata/tc-replies).
func TestTCDecodeKernelReplies(t *testing.T) {
	replies := readCaptures(t, tcReplies)
	zero := uint32(0)
	tests := map[string]func(r capture) rtnl.TCMessage{
		"qdisc-clsact": func(r capture) rtnl.TCMessage {
			return rtnl.TCMessage{
				Ifindex: r.Index, Handle: 0xffff0000, Parent: rtnl.HandleClsact, Info: 1,
				Attributes: rtnl.TCAttributes{
					Kind:      "clsact",
					Options:   []byte{},
					HWOffload: ptr[uint8](0),
				},
			}
		},
		"filter-group": func(r capture) rtnl.TCMessage {
			return rtnl.TCMessage{
				Ifindex: r.Index, Parent: rtnl.ParentIngress, Info: rtnl.FilterInfo(prioAuto, ethPAll),
				Attributes: rtnl.TCAttributes{Kind: "bpf", Chain: &zero},
			}
		},
		"filter-bpf": func(r capture) rtnl.TCMessage {
			// The program's id and tag are what the kernel said when
			// the capture was taken; `show` has them too.
			return rtnl.TCMessage{
				Ifindex: r.Index, Handle: 1, Parent: rtnl.ParentIngress, Info: rtnl.FilterInfo(prioAuto, ethPAll),
				Attributes: rtnl.TCAttributes{Kind: "bpf", Chain: &zero, BPF: &rtnl.BPFOptions{
					Name:     counterName,
					ID:       ptr(showID(t, r)),
					Tag:      showTag(t, r),
					Flags:    ptr(rtnl.BPFFlagActDirect),
					FlagsGen: ptr[uint32](notInHW),
				}},
			}
		},
	}
	for _, name := range slices.Sorted(maps.Keys(replies)) {
		if _, ok := tests[name]; !ok {
			t.Errorf("testdata/%s/%s.txt has no entry in the test", tcReplies, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(tests)) {
		t.Run(name, func(t *testing.T) {
			r, ok := replies[name]
			if !ok {
				t.Fatalf("testdata/%s/%s.txt is missing: run testdata/capture-tc.sh", tcReplies, name)
			}
			var got rtnl.TCMessage
			if err := got.UnmarshalBinary(r.Payload); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tests[name](r), got); diff != "" {
				t.Errorf("decoded %s (-want +got):\n%s", r.Cmd, diff)
			}
			if name == "filter-bpf" {
				if got.Priority() != prioAuto || got.Protocol() != ethPAll {
					t.Errorf("Priority() %d Protocol() %#x, want %d and %#x", got.Priority(), got.Protocol(), prioAuto, ethPAll)
				}
			}
		})
	}
}

// showWord returns the word after key in the `show` line of the reply
// capture r (what tc printed), which readCapture does not keep.
func showWord(tb testing.TB, r capture, key string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", tcReplies, r.Name+".txt"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		show, ok := strings.CutPrefix(line, "show: ")
		if !ok {
			continue
		}
		words := strings.Fields(show)
		for i := 0; i+1 < len(words); i++ {
			if words[i] == key {
				return words[i+1]
			}
		}
	}
	tb.Fatalf("%s: no %q in the show line", r.Name, key)
	return ""
}

func showID(tb testing.TB, r capture) uint32 {
	tb.Helper()
	n, err := strconv.ParseUint(showWord(tb, r, "id"), 10, 32)
	if err != nil {
		tb.Fatal(err)
	}
	return uint32(n)
}

func showTag(tb testing.TB, r capture) []byte {
	tb.Helper()
	b, err := hex.DecodeString(showWord(tb, r, "tag"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestTCErrors checks that kernel errors come back as *OpError naming the
// operation and kind, with the extended ack, matching the errno.
func TestTCErrors(t *testing.T) {
	c := rtnl.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		return errorReply(reqs[0], unix.EEXIST, "Exclusivity flag on, cannot modify"), nil
	}))
	defer c.Close()
	err := c.AddQdisc(rtnl.NewClsactQdisc(3))
	var oe *rtnl.OpError
	if !errors.As(err, &oe) || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("AddQdisc: %v; want an *OpError matching EEXIST", err)
	}
	if want := "add qdisc clsact on ifindex 3: file exists (kernel: Exclusivity flag on, cannot modify)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestTCListFiltersByDevice checks that ListQdiscs keeps the device's
// qdiscs only (the kernel dumps every device's) and that ListFilters
// decodes every reply.
func TestTCListFiltersByDevice(t *testing.T) {
	replies := readCaptures(t, tcReplies)
	other := bytes.Clone(replies["qdisc-clsact"].Payload)
	nlenc.PutInt32(other[4:8], 9)
	c := rtnl.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		var data [][]byte
		switch reqs[0].Header.Type {
		case unix.RTM_GETQDISC:
			data = [][]byte{other, replies["qdisc-clsact"].Payload}
		case unix.RTM_GETTFILTER:
			data = [][]byte{replies["filter-group"].Payload, replies["filter-bpf"].Payload}
		}
		return dumpReply(reqs[0], data), nil
	}))
	defer c.Close()
	qs, err := c.ListQdiscs(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || qs[0].Ifindex != 3 || qs[0].Attributes.Kind != "clsact" {
		t.Errorf("ListQdiscs(3) = %+v; want the clsact of ifindex 3 alone", qs)
	}
	fs, err := c.ListFilters(3, rtnl.ParentIngress)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Attributes.BPF != nil || fs[1].Attributes.BPF == nil || fs[1].Attributes.BPF.Name != counterName {
		t.Errorf("ListFilters = %+v; want the group, then the bpf filter", fs)
	}
}

// dumpReply is the kernel's multipart answer to the dump req: one
// message per payload, of the RTM_NEW* type that answers req's RTM_GET*,
// then NLMSG_DONE.
func dumpReply(req netlink.Message, payloads [][]byte) []netlink.Message {
	typ := req.Header.Type - 2 // RTM_GETQDISC -> RTM_NEWQDISC, RTM_GETTFILTER -> RTM_NEWTFILTER
	var msgs []netlink.Message
	for _, p := range payloads {
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{Type: typ, Sequence: req.Header.Sequence, PID: req.Header.PID},
			Data:   p,
		})
	}
	msgs = append(msgs, netlink.Message{
		Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data:   nlenc.Int32Bytes(0),
	})
	out, err := nltest.Multipart(msgs)
	if err != nil {
		panic(err)
	}
	return out
}

// sendableTC returns a copy of m without what a request does not carry.
func sendableTC(m rtnl.TCMessage) rtnl.TCMessage {
	a := &m.Attributes
	a.IngressBlock, a.EgressBlock, a.HWOffload = nil, nil, nil
	if a.BPF != nil {
		o := *a.BPF
		o.Tag, o.ID = nil, nil
		a.BPF = &o
	}
	return m
}

// FuzzTCMessage runs the decode, encode, decode round trip on qdisc and
// filter messages, seeded with every tc capture. What the kernel only
// reports (blocks, hardware offload, a program's tag and id) is left out
// of the comparison; unknown attributes are dropped.
func FuzzTCMessage(f *testing.F) {
	for _, dir := range []string{tcGolden, tcReplies} {
		cs := readCaptures(f, dir)
		for _, name := range slices.Sorted(maps.Keys(cs)) {
			f.Add(cs[name].Payload)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var first rtnl.TCMessage
		if err := first.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := first.MarshalBinary()
		if err != nil {
			// Only a kind or name too long to be sent with its NUL
			// makes a decoded message impossible to encode.
			name := ""
			if first.Attributes.BPF != nil {
				name = first.Attributes.BPF.Name
			}
			if len(first.Attributes.Kind) < 0xffff-4 && len(name) < 0xffff-8 && len(first.Attributes.Options) < 0xffff-4 {
				t.Fatalf("encode %+v: %v", first, err)
			}
			return
		}
		var second rtnl.TCMessage
		if err := second.UnmarshalBinary(enc); err != nil {
			t.Fatalf("decode of encoded %+v (%x): %v", first, enc, err)
		}
		if diff := cmp.Diff(sendableTC(first), second); diff != "" {
			t.Fatalf("round trip of %x through %x (-first +second):\n%s", b, enc, diff)
		}
	})
}

// dumpTC renders a tc message (tcmsg and attributes, TCA_OPTIONS of a
// "bpf" filter as a nest) one attribute a line, for readable diffs.
func dumpTC(b []byte) []string {
	if len(b) < 20 {
		return []string{fmt.Sprintf("short tcmsg: % x", b)}
	}
	out := []string{fmt.Sprintf("tcmsg family=%d ifindex=%d handle=%#x parent=%#x info=%#x",
		b[0], nlenc.Int32(b[4:8]), nlenc.Uint32(b[8:12]), nlenc.Uint32(b[12:16]), nlenc.Uint32(b[16:20]))}
	for b = b[20:]; len(b) >= 4; {
		l, typ := int(nlenc.Uint16(b[0:2])), nlenc.Uint16(b[2:4])
		if l < 4 || l > len(b) {
			return append(out, fmt.Sprintf("bad length %d: % x", l, b))
		}
		if typ == 2 && bytes.Contains(b, []byte("bpf\x00")) {
			out = append(out, fmt.Sprintf("[2] len=%d {", l))
			out = append(out, dumpAttrs(b[4:l], "tc-options", "  ", new(string))...)
			out = append(out, "}")
		} else {
			out = append(out, fmt.Sprintf("[%d] len=%d % x", typ, l, b[4:l]))
		}
		pad := min((l+3)&^3, len(b))
		b = b[pad:]
	}
	return out
}
