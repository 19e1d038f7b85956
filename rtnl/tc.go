package rtnl

import (
	"errors"
	"fmt"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
)

// tcmsgLen is the size of struct tcmsg.
const tcmsgLen = 20

// Traffic-control handles and parents (uapi linux/pkt_sched.h).
const (
	// HandleRoot is TC_H_ROOT, the root of a device's egress qdisc tree.
	HandleRoot uint32 = 0xffffffff
	// HandleClsact is TC_H_CLSACT (the same value as TC_H_INGRESS): the
	// parent a clsact or ingress qdisc is added under.
	HandleClsact uint32 = 0xfffffff1
	// MinorIngress and MinorEgress are TC_H_MIN_INGRESS and
	// TC_H_MIN_EGRESS, the minors of clsact's two hooks.
	MinorIngress uint32 = 0xfff2
	MinorEgress  uint32 = 0xfff3
)

// Parents of filters on clsact's hooks, as tc's `ingress` and `egress`
// words select them.
var (
	ParentIngress = TCHandle(HandleClsact, MinorIngress) // 0xfffffff2
	ParentEgress  = TCHandle(HandleClsact, MinorEgress)  // 0xfffffff3
)

// TCHandle is TC_H_MAKE: the major of maj and the minor of min.
func TCHandle(maj, min uint32) uint32 { return maj&0xffff0000 | min&0x0000ffff }

// FilterInfo is the tcm_info of a filter: its priority (tc's pref) in
// the upper 16 bits, its ethertype in network order in the lower.
// Priority 0 asks the kernel to choose one; ETH_P_ALL (3) matches every
// protocol.
func FilterInfo(prio, proto uint16) uint32 {
	return uint32(prio)<<16 | uint32(htons(proto))
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

var errShortTCMessage = errors.New("tc message is too short")

// TCMessage is an RTM_{NEW,DEL,GET}{QDISC,TFILTER} message: a struct
// tcmsg and the TCA_* attributes vlanraw uses.
type TCMessage struct {
	// Family is tcm_family, AF_UNSPEC.
	Family uint8
	// Ifindex is the device.
	Ifindex int32
	// Handle is the qdisc's handle, or the filter's (0 lets the kernel
	// choose one).
	Handle uint32
	// Parent is where the qdisc or filter hangs, such as HandleClsact
	// for a clsact qdisc or ParentIngress for a filter on its ingress
	// hook.
	Parent uint32
	// Info is 0 for qdiscs; for filters, see FilterInfo.
	Info uint32
	// Attributes are the TCA_* attributes.
	Attributes TCAttributes
}

// Priority is the filter priority (tc's pref) in Info.
func (m *TCMessage) Priority() uint16 { return uint16(m.Info >> 16) }

// Protocol is the filter's ethertype in Info, in host order.
func (m *TCMessage) Protocol() uint16 { return htons(uint16(m.Info)) }

// TCAttributes are the TCA_* attributes of a qdisc or filter. Zero
// values and nil pointers are not sent; MarshalBinary encodes them in the
// order tc sends them.
type TCAttributes struct {
	// Kind is TCA_KIND, such as "clsact" or "bpf". It is sent with its
	// NUL, as tc does.
	Kind string
	// BPF is TCA_OPTIONS of a "bpf" filter.
	BPF *BPFOptions
	// Options is TCA_OPTIONS of any other kind, undecoded.
	Options []byte
	// Chain is TCA_CHAIN, the filter chain; the kernel reports 0.
	Chain *uint32

	// The rest are reported by the kernel and never sent.

	// IngressBlock and EgressBlock are TCA_INGRESS_BLOCK and
	// TCA_EGRESS_BLOCK, the shared blocks of a clsact qdisc (0 for none).
	IngressBlock *uint32
	EgressBlock  *uint32
	// HWOffload is TCA_HW_OFFLOAD.
	HWOffload *uint8
}

// TCA_* attribute types (uapi linux/rtnetlink.h), for those
// golang.org/x/sys/unix lacks.
const (
	tcaKind         = 1
	tcaOptions      = 2
	tcaChain        = 11
	tcaHWOffload    = 12
	tcaIngressBlock = 13
	tcaEgressBlock  = 14
)

// MarshalBinary encodes the message as tc would.
func (m *TCMessage) MarshalBinary() ([]byte, error) {
	b := make([]byte, tcmsgLen)
	b[0] = m.Family
	nlenc.PutInt32(b[4:8], m.Ifindex)
	nlenc.PutUint32(b[8:12], m.Handle)
	nlenc.PutUint32(b[12:16], m.Parent)
	nlenc.PutUint32(b[16:20], m.Info)

	a := &m.Attributes
	if a.BPF != nil && a.Options != nil {
		return nil, errors.New("tc message has both BPF options and raw options")
	}
	if a.BPF != nil && a.Kind != "bpf" {
		return nil, fmt.Errorf("tc message of kind %q has BPF options", a.Kind)
	}
	ae := netlink.NewAttributeEncoder()
	if a.Kind != "" {
		ae.String(tcaKind, a.Kind)
	}
	if a.Chain != nil {
		ae.Uint32(tcaChain, *a.Chain)
	}
	switch {
	case a.BPF != nil:
		ob, err := a.BPF.marshal()
		if err != nil {
			return nil, err
		}
		// Like tc, the nest is sent without NLA_F_NESTED.
		ae.Bytes(tcaOptions, ob)
	case a.Options != nil:
		ae.Bytes(tcaOptions, a.Options)
	}
	attrs, err := ae.Encode()
	if err != nil {
		return nil, err
	}
	return append(b, attrs...), nil
}

// UnmarshalBinary decodes a message the kernel sent.
func (m *TCMessage) UnmarshalBinary(b []byte) error {
	if len(b) < tcmsgLen {
		return errShortTCMessage
	}
	*m = TCMessage{
		Family:  b[0],
		Ifindex: nlenc.Int32(b[4:8]),
		Handle:  nlenc.Uint32(b[8:12]),
		Parent:  nlenc.Uint32(b[12:16]),
		Info:    nlenc.Uint32(b[16:20]),
	}
	ad, err := netlink.NewAttributeDecoder(b[tcmsgLen:])
	if err != nil {
		return err
	}
	a := &m.Attributes
	var options []byte
	hasOptions := false
	for ad.Next() {
		switch ad.Type() {
		case tcaKind:
			a.Kind = ad.String()
		case tcaOptions:
			options, hasOptions = ad.Bytes(), true
		case tcaChain:
			a.Chain = tcPtr(ad.Uint32())
		case tcaHWOffload:
			a.HWOffload = tcPtr(ad.Uint8())
		case tcaIngressBlock:
			a.IngressBlock = tcPtr(ad.Uint32())
		case tcaEgressBlock:
			a.EgressBlock = tcPtr(ad.Uint32())
		}
	}
	if err := ad.Err(); err != nil {
		return err
	}
	if !hasOptions {
		return nil
	}
	if a.Kind != "bpf" {
		a.Options = append([]byte{}, options...)
		return nil
	}
	a.BPF = &BPFOptions{}
	return a.BPF.unmarshal(options)
}

func tcPtr[T any](v T) *T { return &v }
