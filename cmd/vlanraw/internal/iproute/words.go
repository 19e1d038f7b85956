package iproute

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// words is a cursor over the remaining command-line words.
type words struct {
	w []string
	i int
}

// more reports whether words remain; peek returns the next without
// taking it, next takes it, and rest takes all that remain.
func (ws *words) more() bool   { return ws.i < len(ws.w) }
func (ws *words) peek() string { return ws.w[ws.i] }
func (ws *words) next() string { s := ws.w[ws.i]; ws.i++; return s }
func (ws *words) rest() []string {
	r := ws.w[ws.i:]
	ws.i = len(ws.w)
	return r
}

// value returns the word after keyword kw, or a usage error naming kw
// and what it wants.
func (ws *words) value(kw, what string) (string, error) {
	if !ws.more() {
		return "", cli.Usagef("%q needs %s after it", kw, what)
	}
	return ws.next(), nil
}

// parseUint parses a number as C's strtoul with base 0 does: 0x... is
// hexadecimal, a leading 0 octal, anything else decimal.
func parseUint(s string, bits int) (uint64, error) {
	base, digits := 10, s
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" || strings.ContainsAny(digits, "_+-") {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return strconv.ParseUint(digits, base, bits)
}

// parseInt parses a signed number, with the same bases as parseUint.
func parseInt(s string, bits int) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	u, err := parseUint(strings.TrimPrefix(s, "-"), bits)
	if err != nil {
		return 0, err
	}
	limit := uint64(1) << (bits - 1)
	if (!neg && u >= limit) || (neg && u > limit) {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// uintValue reads the number after keyword kw, between lo and hi.
func (ws *words) uintValue(kw string, lo, hi uint64) (uint64, error) {
	s, err := ws.value(kw, fmt.Sprintf("a number (%d-%d)", lo, hi))
	if err != nil {
		return 0, err
	}
	n, err := parseUint(s, 64)
	if err != nil || n < lo || n > hi {
		return 0, cli.Usagef("invalid %q value %q: use a number from %d to %d", kw, s, lo, hi)
	}
	return n, nil
}

// parseMAC parses a link-layer address the way iproute2's ll_addr_a2n
// does for Ethernet: six groups of one or two hex digits separated by
// colons.
func parseMAC(s string) (net.HardwareAddr, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return nil, false
	}
	mac := make(net.HardwareAddr, 6)
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 {
			return nil, false
		}
		b, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, false
		}
		mac[i] = byte(b)
	}
	return mac, true
}

// macValue reads the MAC address after keyword kw.
func (ws *words) macValue(kw string) (net.HardwareAddr, error) {
	s, err := ws.value(kw, "a MAC address such as 02:00:00:00:00:01")
	if err != nil {
		return nil, err
	}
	mac, ok := parseMAC(s)
	if !ok {
		return nil, cli.Usagef("invalid %q value %q: use a MAC address such as 02:00:00:00:00:01", kw, s)
	}
	return mac, nil
}

// onOff reads the on|off after keyword kw.
func (ws *words) onOff(kw string) (bool, error) {
	s, err := ws.value(kw, `"on" or "off"`)
	if err != nil {
		return false, err
	}
	switch s {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, cli.Usagef("argument of %q must be \"on\" or \"off\", not %q", kw, s)
}
