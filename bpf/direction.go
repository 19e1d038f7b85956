package bpf

import "fmt"

// Direction is the tc hook a counter sits on.
type Direction int

const (
	// Ingress counts frames the interface receives.
	Ingress Direction = iota
	// Egress counts frames the interface sends.
	Egress
)

// Directions returns both directions, ingress first.
func Directions() []Direction { return []Direction{Ingress, Egress} }

// String returns "ingress" or "egress".
func (d Direction) String() string {
	switch d {
	case Ingress:
		return "ingress"
	case Egress:
		return "egress"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// ParseDirection returns the direction called name ("ingress" or
// "egress").
func ParseDirection(name string) (Direction, error) {
	switch name {
	case "ingress":
		return Ingress, nil
	case "egress":
		return Egress, nil
	}
	return 0, fmt.Errorf("unknown direction %q: use ingress or egress", name)
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) {
	if d != Ingress && d != Egress {
		return nil, fmt.Errorf("invalid direction %d", int(d))
	}
	return []byte(d.String()), nil
}

// valid reports whether d is Ingress or Egress.
func (d Direction) valid() bool { return d == Ingress || d == Egress }
