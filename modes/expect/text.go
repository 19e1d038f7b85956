package expect

import (
	"fmt"
	"slices"
)

// The words the expectations' enums are written as in JSON: short,
// stable, and without spaces, unlike their String forms. Classes are
// bpf.Class's own words.
var (
	originWords = []string{"endpoint", "wire"}
	probeWords  = []string{"arp-target", "arp-unknown", "broadcast", "ipv4-multicast", "ipv6-multicast", "unicast"}
	pointWords  = []string{"endpoints", "sockets", "sender", "parent-in", "parent-out", "wire"}
	shareWords  = []string{"none", "addressed", "all"}
)

func marshalWord(words []string, v int, typ string) ([]byte, error) {
	if v < 0 || v >= len(words) {
		return nil, fmt.Errorf("invalid %s %d", typ, v)
	}
	return []byte(words[v]), nil
}

func unmarshalWord(words []string, b []byte, typ string) (int, error) {
	i := slices.Index(words, string(b))
	if i < 0 {
		return 0, fmt.Errorf("unknown %s %q: use one of %q", typ, b, words)
	}
	return i, nil
}

// MarshalText implements encoding.TextMarshaler: "endpoint" or "wire".
func (o Origin) MarshalText() ([]byte, error) { return marshalWord(originWords, int(o), "origin") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Origin) UnmarshalText(b []byte) error {
	v, err := unmarshalWord(originWords, b, "origin")
	*o = Origin(v)
	return err
}

// MarshalText implements encoding.TextMarshaler, such as "arp-target".
func (p Probe) MarshalText() ([]byte, error) { return marshalWord(probeWords, int(p), "probe") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Probe) UnmarshalText(b []byte) error {
	v, err := unmarshalWord(probeWords, b, "probe")
	*p = Probe(v)
	return err
}

// MarshalText implements encoding.TextMarshaler, such as "parent-in".
func (p Point) MarshalText() ([]byte, error) { return marshalWord(pointWords, int(p), "point") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Point) UnmarshalText(b []byte) error {
	v, err := unmarshalWord(pointWords, b, "point")
	*p = Point(v)
	return err
}

// MarshalText implements encoding.TextMarshaler: "none", "addressed" or
// "all".
func (s Share) MarshalText() ([]byte, error) { return marshalWord(shareWords, int(s), "share") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Share) UnmarshalText(b []byte) error {
	v, err := unmarshalWord(shareWords, b, "share")
	*s = Share(v)
	return err
}
