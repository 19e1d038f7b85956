package rtnl

import (
	"github.com/mdlayher/netlink"
)

// TCA_BPF_* attribute types (uapi linux/pkt_cls.h).
const (
	tcaBPFClassID  = 3
	tcaBPFFD       = 6
	tcaBPFName     = 7
	tcaBPFFlags    = 8
	tcaBPFFlagsGen = 9
	tcaBPFTag      = 10
	tcaBPFID       = 11
)

// BPFFlagActDirect is TCA_BPF_FLAG_ACT_DIRECT, tc's `da`: the program's
// return value is the filter's action (TC_ACT_*), with no separate
// action attached.
const BPFFlagActDirect uint32 = 1 << 0

// BPFOptions are the TCA_OPTIONS of a cls_bpf ("bpf") filter. Nil
// pointers and empty values are not sent; the rest are encoded in the
// order tc sends them: classid, fd, name, then the generic flags and the
// flags (tc's f_bpf adds those two last, whatever the order of its words).
type BPFOptions struct {
	// ClassID is TCA_BPF_CLASSID, tc's classid.
	ClassID *uint32
	// FD is TCA_BPF_FD: a file descriptor of the SCHED_CLS program to
	// attach.
	FD *uint32
	// Name is TCA_BPF_NAME, shown by `tc filter show`; tc sends
	// "FILE:[SECTION]".
	Name string
	// Flags is TCA_BPF_FLAGS, such as BPFFlagActDirect.
	Flags *uint32
	// FlagsGen is TCA_BPF_FLAGS_GEN (TCA_CLS_FLAGS_SKIP_HW and the like).
	FlagsGen *uint32

	// Tag and ID are reported by the kernel and never sent: the
	// program's tag (8 bytes) and its id.
	Tag []byte
	ID  *uint32
}

func (o *BPFOptions) marshal() ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if o.ClassID != nil {
		ae.Uint32(tcaBPFClassID, *o.ClassID)
	}
	if o.FD != nil {
		ae.Uint32(tcaBPFFD, *o.FD)
	}
	if o.Name != "" {
		ae.String(tcaBPFName, o.Name)
	}
	if o.FlagsGen != nil {
		ae.Uint32(tcaBPFFlagsGen, *o.FlagsGen)
	}
	if o.Flags != nil {
		ae.Uint32(tcaBPFFlags, *o.Flags)
	}
	return ae.Encode()
}

func (o *BPFOptions) unmarshal(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case tcaBPFClassID:
			o.ClassID = tcPtr(ad.Uint32())
		case tcaBPFFD:
			o.FD = tcPtr(ad.Uint32())
		case tcaBPFName:
			o.Name = ad.String()
		case tcaBPFFlags:
			o.Flags = tcPtr(ad.Uint32())
		case tcaBPFFlagsGen:
			o.FlagsGen = tcPtr(ad.Uint32())
		case tcaBPFTag:
			o.Tag = ad.Bytes()
		case tcaBPFID:
			o.ID = tcPtr(ad.Uint32())
		}
	}
	return ad.Err()
}
