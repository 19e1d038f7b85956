package bpf

import (
	"errors"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

// fakeKernel answers every request of type failOn with errno and the
// extended ack msg, and the others as a kernel with no filters would: a
// qdisc dump shows the clsact qdisc once it was added, until it is
// deleted. It records the request types in seen and whether a clsact is
// left in qdisc.
func fakeKernel(failOn netlink.HeaderType, errno unix.Errno, msg string, seen *[]netlink.HeaderType, qdisc *bool) *rtnl.Conn {
	return rtnl.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		req := reqs[0]
		*seen = append(*seen, req.Header.Type)
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			var msgs []netlink.Message
			if req.Header.Type == unix.RTM_GETQDISC && *qdisc {
				b, _ := rtnl.NewClsactQdisc(7).MarshalBinary()
				msgs = append(msgs, netlink.Message{
					Header: netlink.Header{Type: unix.RTM_NEWQDISC, Sequence: req.Header.Sequence, PID: req.Header.PID},
					Data:   b,
				})
			}
			return nltest.Multipart(append(msgs, netlink.Message{
				Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID},
				Data:   nlenc.Int32Bytes(0),
			}))
		}
		code := unix.Errno(0)
		switch {
		case req.Header.Type == failOn:
			code = errno
		case req.Header.Type == unix.RTM_NEWQDISC:
			*qdisc = true
		case req.Header.Type == unix.RTM_DELQDISC:
			*qdisc = false
		}
		data := nlenc.Int32Bytes(-int32(code))
		hdr := make([]byte, 16) // the request's header, as netlink_ack copies it
		nlenc.PutUint32(hdr[0:4], uint32(16+len(req.Data)))
		nlenc.PutUint16(hdr[4:6], uint16(req.Header.Type))
		nlenc.PutUint32(hdr[8:12], req.Header.Sequence)
		data = append(append(data, hdr...), req.Data...)
		flags := netlink.HeaderFlags(0)
		if code != 0 && msg != "" {
			flags = netlink.AcknowledgeTLVs
			data = append(data, nltest.MustMarshalAttributes([]netlink.Attribute{{Type: 1, Data: append([]byte(msg), 0)}})...)
		}
		return []netlink.Message{{
			Header: netlink.Header{Length: uint32(16 + len(data)), Type: netlink.Error, Flags: flags, Sequence: req.Header.Sequence, PID: req.Header.PID},
			Data:   data,
		}}, nil
	}))
}

// TestClsBPFErrors checks how attachClsBPF reports a kernel without
// sch_ingress or cls_bpf (errdefs.ErrNotSupported, naming the module), and that
// other refusals are not mistaken for that; and that a qdisc it created
// is removed again when the filter fails.
func TestClsBPFErrors(t *testing.T) {
	tests := []struct {
		name    string
		failOn  netlink.HeaderType
		errno   unix.Errno
		msg     string
		support bool // false: must match errdefs.ErrNotSupported
		text    string
		// types are the requests sent after the first qdisc dump.
		types []netlink.HeaderType
	}{
		{"no clsact", unix.RTM_NEWQDISC, unix.ENOENT, "Specified qdisc kind is unknown", false,
			"has no sch_ingress (CONFIG_NET_SCH_INGRESS): load the module, or use TCX",
			[]netlink.HeaderType{unix.RTM_NEWQDISC}},
		{"no cls_bpf", unix.RTM_NEWTFILTER, unix.ENOENT, "TC classifier not found", false,
			"has no cls_bpf (CONFIG_NET_CLS_BPF)",
			[]netlink.HeaderType{unix.RTM_NEWQDISC, unix.RTM_NEWTFILTER, unix.RTM_GETTFILTER, unix.RTM_GETTFILTER, unix.RTM_GETQDISC, unix.RTM_DELQDISC}},
		{"filter refused otherwise", unix.RTM_NEWTFILTER, unix.EINVAL, "Parent Qdisc doesn't exists", true,
			"add a cls_bpf filter: add filter bpf on ifindex 7: invalid argument (kernel: Parent Qdisc doesn't exists)",
			[]netlink.HeaderType{unix.RTM_NEWQDISC, unix.RTM_NEWTFILTER, unix.RTM_GETTFILTER, unix.RTM_GETTFILTER, unix.RTM_GETQDISC, unix.RTM_DELQDISC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []netlink.HeaderType
			var qdisc bool
			c := fakeKernel(tt.failOn, tt.errno, tt.msg, &seen, &qdisc)
			defer c.Close()
			k := qdiscKey{ino: 1, ifindex: 7}
			_, err := attachClsBPF(c, k, Ingress, 99, false)
			if err == nil {
				t.Fatal("attachClsBPF succeeded")
			}
			if errors.Is(err, errdefs.ErrNotSupported) == tt.support {
				t.Errorf("error %v: matches errdefs.ErrNotSupported %v, want %v", err, !tt.support, !tt.support)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
			if !errors.Is(err, tt.errno) {
				t.Errorf("error %v does not match %v", err, tt.errno)
			}
			// The GETQDISC dump that looks for an existing clsact
			// comes first.
			if got := seen[1:]; !equalTypes(got, tt.types) {
				t.Errorf("requests after the first dump %v, want %v", got, tt.types)
			}
			if clsactMarked(k) || qdisc {
				t.Errorf("the failed attach left the clsact mark (%v) or qdisc (%v)", clsactMarked(k), qdisc)
			}
		})
	}
}

func equalTypes(a, b []netlink.HeaderType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
