package expect

import "fmt"

// Share says which of a step's frames a row expects to be counted.
type Share int

// The shares.
const (
	// ShareNone expects none.
	ShareNone Share = iota
	// ShareAddressed expects, at each endpoint, the frames addressed to
	// it: those an ARP request asks its address for, or unicast to it.
	// Only for AtEndpoints and AtSockets.
	ShareAddressed
	// ShareAll expects every frame of the step (at a per-endpoint point,
	// at each endpoint). For replies, one per request.
	ShareAll
)

// String returns "none", "addressed" or "all".
func (s Share) String() string {
	switch s {
	case ShareNone:
		return "none"
	case ShareAddressed:
		return "addressed"
	case ShareAll:
		return "all"
	}
	return fmt.Sprintf("Share(%d)", int(s))
}

// Want is what a row expects: a share of the step's frames, exactly or
// at least.
type Want struct {
	Share Share `json:"share"`
	// AtLeast allows more: the kernel sends frames of that class through
	// that point on its own (IGMP and MLD reports, neighbour discovery),
	// so only a lower bound is exact. ShareNone rows never set it.
	AtLeast bool `json:"at_least,omitempty"`
}

// The expectations the tables use.
var (
	expNone      = Want{Share: ShareNone}
	expAddressed = Want{Share: ShareAddressed}
	expAll       = Want{Share: ShareAll}
	expAllOrMore = Want{Share: ShareAll, AtLeast: true}
)

// Count returns the expected count given the frames the step sent in
// all and, for a per-endpoint point, those addressed to the endpoint.
func (w Want) Count(sent, addressedTo int) int {
	switch w.Share {
	case ShareAddressed:
		return addressedTo
	case ShareAll:
		return sent
	}
	return 0
}

// Match reports whether observed is what w expects, want being Count's
// result.
func (w Want) Match(want, observed int) bool {
	if w.AtLeast {
		return observed >= want
	}
	return observed == want
}
