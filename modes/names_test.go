package modes

import (
	"regexp"
	"testing"
)

// The validators are loops, so that no regexp is compiled when a
// process starts; they must accept exactly what Docker's patterns do.
func TestNameValidatorsMatchPatterns(t *testing.T) {
	name := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	id := regexp.MustCompile(`^[0-9a-f]{12,64}$`)
	inputs := []string{
		"", "a", "A", "0", "-", "_", ".", "a-b_c.d", "-x", "_x", ".x", "x-", "x y", "x/y", "é", "net\n",
		"ipvlan_net", "macnet.50", "0123456789ab", "0123456789a", "0123456789AB", "0123456789abg",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
	}
	for _, s := range inputs {
		if got, want := ValidNetworkName(s), name.MatchString(s); got != want {
			t.Errorf("ValidNetworkName(%q) = %v, the pattern says %v", s, got, want)
		}
		if got, want := isHexID(s), id.MatchString(s); got != want {
			t.Errorf("isHexID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

func FuzzNameValidators(f *testing.F) {
	name := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	id := regexp.MustCompile(`^[0-9a-f]{12,64}$`)
	f.Add("ipvlan_net")
	f.Add("0123456789ab")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidNetworkName(s) != name.MatchString(s) || isHexID(s) != id.MatchString(s) {
			t.Errorf("%q: validators and patterns disagree", s)
		}
	})
}
