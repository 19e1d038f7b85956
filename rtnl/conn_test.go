package rtnl_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

// nlmsgerrAttrMsg is NLMSGERR_ATTR_MSG, the extended ack's text.
const nlmsgerrAttrMsg = 1

// errorReply is the kernel's NLMSG_ERROR answer to req, laid out as
// netlink_ack builds it for a socket without NETLINK_CAP_ACK: the negative
// errno, the whole request (header and payload), then, when msg is not
// empty, the extended ack attribute NLMSGERR_ATTR_MSG with NLM_F_ACK_TLVS
// in the header flags. errno 0 is a plain acknowledgement.
func errorReply(req netlink.Message, errno unix.Errno, msg string) []netlink.Message {
	data := nlenc.Int32Bytes(-int32(errno))
	hdr := make([]byte, 16)
	nlenc.PutUint32(hdr[0:4], uint32(16+len(req.Data)))
	nlenc.PutUint16(hdr[4:6], uint16(req.Header.Type))
	nlenc.PutUint16(hdr[6:8], uint16(req.Header.Flags))
	nlenc.PutUint32(hdr[8:12], req.Header.Sequence)
	nlenc.PutUint32(hdr[12:16], req.Header.PID)
	data = append(data, hdr...)
	data = append(data, req.Data...)
	var flags netlink.HeaderFlags
	if msg != "" {
		flags |= netlink.AcknowledgeTLVs
		data = append(data, nltest.MustMarshalAttributes([]netlink.Attribute{
			{Type: nlmsgerrAttrMsg, Data: append([]byte(msg), 0)},
		})...)
	}
	return []netlink.Message{{
		Header: netlink.Header{
			Length:   uint32(16 + len(data)),
			Type:     netlink.Error,
			Flags:    flags,
			Sequence: req.Header.Sequence,
			PID:      req.Header.PID,
		},
		Data: data,
	}}
}

// ack is the kernel's acknowledgement of a successful request.
func ack(req netlink.Message) []netlink.Message { return errorReply(req, 0, "") }

// TestNewLinkErrors checks how kernel errors to RTM_NEWLINK come back from
// Conn.NewLink: a kind the kernel lacks as *KindNotSupportedError, other
// errors as *OpError carrying the extended ack, both unwrapping to the
// errno.
func TestNewLinkErrors(t *testing.T) {
	ipvlan := newLink(3, "ipv0", "ipvlan", &rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL2), Flags: ptr(rtnl.IPVlanFlagBridge)})
	macvlan := newLink(3, "mv0", "macvlan", &rtnl.MACVlan{Mode: ptr(rtnl.MACVlanModePassthru)})
	tests := []struct {
		name  string
		msg   *rtnl.LinkMessage
		reply func(req netlink.Message) []netlink.Message
		// want is the whole error, compared field by field.
		want error
		// is are the targets errors.Is must match, isNot those it must not.
		is, isNot []error
		// text must appear in Error().
		text []string
	}{
		{
			name: "kind the kernel lacks",
			msg:  ipvlan,
			reply: func(req netlink.Message) []netlink.Message {
				return errorReply(req, unix.EOPNOTSUPP, "Unknown device type")
			},
			want: &rtnl.KindNotSupportedError{Kind: "ipvlan", Config: "CONFIG_IPVLAN", Err: &rtnl.OpError{
				Op: "create link", Name: "ipv0", Err: unix.EOPNOTSUPP, Message: "Unknown device type",
			}},
			is:   []error{errdefs.ErrNotSupported, unix.EOPNOTSUPP},
			text: []string{"CONFIG_IPVLAN", "ipvlan", "Unknown device type"},
		},
		{
			name: "kind the kernel lacks, no extended ack",
			msg:  newLink(3, "ipvt0", "ipvtap", &rtnl.IPVtap{}),
			reply: func(req netlink.Message) []netlink.Message {
				return errorReply(req, unix.EOPNOTSUPP, "")
			},
			want: &rtnl.KindNotSupportedError{Kind: "ipvtap", Config: "CONFIG_IPVTAP", Err: &rtnl.OpError{
				Op: "create link", Name: "ipvt0", Err: unix.EOPNOTSUPP,
			}},
			is:   []error{errdefs.ErrNotSupported, unix.EOPNOTSUPP},
			text: []string{"CONFIG_IPVTAP"},
		},
		{
			// Made-up text: any extended ack other than "Unknown device
			// type" means the kernel has the kind.
			name: "EOPNOTSUPP from a kind the kernel has",
			msg:  macvlan,
			reply: func(req netlink.Message) []netlink.Message {
				return errorReply(req, unix.EOPNOTSUPP, "fake: operation not supported by the lower device")
			},
			want: &rtnl.OpError{
				Op: "create link", Name: "mv0", Err: unix.EOPNOTSUPP,
				Message: "fake: operation not supported by the lower device",
			},
			is:    []error{unix.EOPNOTSUPP},
			isNot: []error{errdefs.ErrNotSupported},
			text:  []string{"fake: operation not supported by the lower device"},
		},
		{
			// Made-up text: the kernel's own EEXIST carries none, but
			// whatever it sends must reach the caller.
			name: "EEXIST with extended ack",
			msg:  macvlan,
			reply: func(req netlink.Message) []netlink.Message {
				return errorReply(req, unix.EEXIST, "fake: a link called mv0 exists")
			},
			want: &rtnl.OpError{
				Op: "create link", Name: "mv0", Err: unix.EEXIST, Message: "fake: a link called mv0 exists",
			},
			is:    []error{unix.EEXIST, os.ErrExist},
			isNot: []error{errdefs.ErrNotSupported, unix.EOPNOTSUPP},
			text:  []string{"create link mv0", "file exists", "fake: a link called mv0 exists"},
		},
		{
			name: "EEXIST without extended ack",
			msg:  macvlan,
			reply: func(req netlink.Message) []netlink.Message {
				msgs, _ := nltest.Error(int(unix.EEXIST), []netlink.Message{req})
				return msgs
			},
			want:  &rtnl.OpError{Op: "create link", Name: "mv0", Err: unix.EEXIST},
			is:    []error{unix.EEXIST, os.ErrExist},
			isNot: []error{errdefs.ErrNotSupported},
			text:  []string{"create link mv0: file exists"},
		},
		{
			name:  "success",
			msg:   macvlan,
			reply: ack,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := nltest.CheckRequest(
				[]netlink.HeaderType{unix.RTM_NEWLINK},
				[]netlink.HeaderFlags{flagsAdd},
				func(reqs []netlink.Message) ([]netlink.Message, error) {
					return tt.reply(reqs[0]), nil
				})
			c := rtnl.NewConn(nltest.Dial(fn))
			defer c.Close()

			err := c.NewLink(tt.msg)
			if diff := cmp.Diff(tt.want, err); diff != "" {
				t.Fatalf("NewLink error (-want +got):\n%s\ngot: %v", diff, err)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", err, target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, target)
				}
			}
			for _, s := range tt.text {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestSetLinkError checks that a change is not mistaken for an unknown
// kind: EOPNOTSUPP from SetLink is only an *OpError.
func TestSetLinkError(t *testing.T) {
	c := rtnl.NewConn(nltest.Dial(nltest.CheckRequest(
		[]netlink.HeaderType{unix.RTM_NEWLINK},
		[]netlink.HeaderFlags{flagsSet},
		func(reqs []netlink.Message) ([]netlink.Message, error) {
			return errorReply(reqs[0], unix.EOPNOTSUPP, ""), nil
		})))
	defer c.Close()
	err := c.SetLink(setLink(2, "ipvlan", &rtnl.IPVlan{Mode: ptr(rtnl.IPVlanModeL3)}))
	want := &rtnl.OpError{Op: "change link", Err: unix.EOPNOTSUPP}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Fatalf("SetLink error (-want +got):\n%s", diff)
	}
	if errors.Is(err, errdefs.ErrNotSupported) {
		t.Errorf("errors.Is(%v, errdefs.ErrNotSupported) = true, want false", err)
	}
}

// dumpKernel fakes the kernel's side of an RTM_GETLINK dump of links
// lo(1), p1(2) and p0(3): the first interrupted answers carry
// NLM_F_DUMP_INTR on their link messages, as the kernel sets it when the
// device list changed during the dump. It counts the dumps it answered.
type dumpKernel struct {
	interrupted int
	dumps       int
}

func (k *dumpKernel) answer(reqs []netlink.Message) ([]netlink.Message, error) {
	if len(reqs) == 0 {
		// Nothing is sent unasked.
		return nil, io.EOF
	}
	req := reqs[0]
	k.dumps++
	var flags netlink.HeaderFlags
	if k.dumps <= k.interrupted {
		flags = netlink.DumpInterrupted
	}
	var msgs []netlink.Message
	for i, name := range []string{"lo", "p1", "p0"} {
		b, err := (&rtnl.LinkMessage{Index: int32(i + 1), Attributes: rtnl.LinkAttributes{Name: name}}).MarshalBinary()
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{
				Type: unix.RTM_NEWLINK, Flags: flags,
				Sequence: req.Header.Sequence, PID: req.Header.PID,
			},
			Data: b,
		})
	}
	// The NLMSG_DONE that ends the multipart answer.
	msgs = append(msgs, netlink.Message{
		Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data:   nlenc.Int32Bytes(0),
	})
	return nltest.Multipart(msgs)
}

// TestDumpInterrupted checks that a dump marked NLM_F_DUMP_INTR is taken
// again, and abandoned with ErrDumpInterrupted after the bound.
func TestDumpInterrupted(t *testing.T) {
	tests := []struct {
		name        string
		interrupted int
		wantDumps   int
		wantErr     error
	}{
		{name: "consistent", interrupted: 0, wantDumps: 1},
		{name: "interrupted once", interrupted: 1, wantDumps: 2},
		{name: "interrupted until the last try", interrupted: rtnl.MaxDumpRetries - 1, wantDumps: rtnl.MaxDumpRetries},
		{name: "always interrupted", interrupted: 1 << 30, wantDumps: rtnl.MaxDumpRetries, wantErr: rtnl.ErrDumpInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := &dumpKernel{interrupted: tt.interrupted}
			c := rtnl.NewConn(nltest.Dial(nltest.CheckRequest(
				[]netlink.HeaderType{unix.RTM_GETLINK},
				[]netlink.HeaderFlags{netlink.Request | netlink.Dump},
				k.answer)))
			defer c.Close()

			links, err := c.ListLinks("")
			if k.dumps != tt.wantDumps {
				t.Errorf("dumped %d times, want %d", k.dumps, tt.wantDumps)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ListLinks error = %v, want %v", err, tt.wantErr)
				}
				if links != nil {
					t.Errorf("ListLinks returned %d links with its error", len(links))
				}
				return
			}
			if err != nil {
				t.Fatalf("ListLinks: %v", err)
			}
			var names []string
			for _, l := range links {
				names = append(names, l.Attributes.Name)
			}
			if diff := cmp.Diff([]string{"lo", "p1", "p0"}, names); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGetLinkEMSGSIZE checks that a single RTM_GETLINK the kernel cannot
// build (EMSGSIZE, as for a macvlan with bclim other than 1 on kernels
// whose macvlan_get_size lacked IFLA_MACVLAN_BC_CUTOFF) is answered from a
// dump instead, by name and by index, and that a link the dump lacks is
// ENODEV.
func TestGetLinkEMSGSIZE(t *testing.T) {
	for _, tt := range []struct {
		name      string
		get       func(c *rtnl.Conn) (*rtnl.LinkMessage, error)
		dumpFails bool
		want      string // link name; "" for an error
		wantErr   []error
	}{
		{name: "by name", get: func(c *rtnl.Conn) (*rtnl.LinkMessage, error) { return c.GetLink("p0") }, want: "p0"},
		{name: "by index", get: func(c *rtnl.Conn) (*rtnl.LinkMessage, error) { return c.GetLinkIndex(2) }, want: "p1"},
		{name: "missing", get: func(c *rtnl.Conn) (*rtnl.LinkMessage, error) { return c.GetLink("mv9") }, wantErr: []error{unix.ENODEV}},
		{name: "dump fails too", get: func(c *rtnl.Conn) (*rtnl.LinkMessage, error) { return c.GetLink("p0") }, dumpFails: true,
			wantErr: []error{unix.EMSGSIZE, unix.ENOBUFS}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := &dumpKernel{}
			var gets int
			c := rtnl.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
				if len(reqs) == 0 {
					return nil, io.EOF
				}
				req := reqs[0]
				if req.Header.Type != unix.RTM_GETLINK {
					t.Fatalf("request type %v, want RTM_GETLINK", req.Header.Type)
				}
				if req.Header.Flags&netlink.Dump == 0 {
					gets++
					return errorReply(req, unix.EMSGSIZE, ""), nil
				}
				if tt.dumpFails {
					return errorReply(req, unix.ENOBUFS, ""), nil
				}
				return k.answer(reqs)
			}))
			defer c.Close()
			l, err := tt.get(c)
			if gets != 1 || k.dumps > 1 {
				t.Errorf("%d single gets and %d dumps; want one get, then at most one dump", gets, k.dumps)
			}
			if tt.want != "" {
				if err != nil {
					t.Fatal(err)
				}
				if l.Attributes.Name != tt.want {
					t.Errorf("got link %q, want %q", l.Attributes.Name, tt.want)
				}
				return
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %v does not match %v", err, want)
				}
			}
		})
	}
}
