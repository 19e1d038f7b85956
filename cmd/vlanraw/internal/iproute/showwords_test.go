package iproute

import (
	"strings"
	"testing"
)

// TestShowBadWords checks the mistakes of the read-only objects.
func TestShowBadWords(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"route add default", `unknown route command "add"`},
		{"neigh flush", `unknown neigh command "flush"`},
		{"route show a b", "two links given"},
		{"addr add 10.0.0.1/24", "PREFIX dev DEV"},
		{"addr add nonsense dev x", `"nonsense" is not an address`},
		{"addr add 10.0.0.1/24 dev x extra", `unexpected word "extra"`},
		{"route show dev", `"dev" needs a link name`},
	} {
		code, _, stderr := runCLI(strings.Fields(tt.line)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("vlanraw %s: exit %d, stderr %q; want exit 2 and %q", tt.line, code, stderr, tt.want)
		}
	}
}
