package modes

import "testing"

func TestMarkRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		alias string
		ok    bool
		want  mark
	}{
		{"vlanraw:0123abcd:0123456789ab:ba9876543210", true, mark{"0123abcd", "0123456789ab", "ba9876543210"}},
		{"vlanraw:0123abcd:0123456789ab:parent", true, mark{"0123abcd", "0123456789ab", markParent}},
		{"", false, mark{}},
		{"my uplink", false, mark{}},
		{"vlanraw:0123abcd:0123456789ab", false, mark{}},
		{"vlanraw:0123abc:0123456789ab:parent", false, mark{}},
		{"vlanraw:0123abcd:0123456789a:parent", false, mark{}},
		{"vlanraw:0123abcd:0123456789ab:", false, mark{}},
		{"vlanraw:0123abcd:0123456789ab:a:b", false, mark{}},
	} {
		got, ok := parseMark(tc.alias)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseMark(%q) = %+v, %v; want %+v, %v", tc.alias, got, ok, tc.want, tc.ok)
		}
		if ok && got.String() != tc.alias {
			t.Errorf("parseMark(%q).String() = %q", tc.alias, got.String())
		}
	}
}

func TestDirIDAndGroup(t *testing.T) {
	a, b := dirID("/var/lib/vlanraw"), dirID("/var/lib/vlanraw/")
	if a != b || len(a) != 8 {
		t.Errorf("dirID of one directory spelt two ways: %q and %q, want one ID of 8 hex digits", a, b)
	}
	if c := dirID("/tmp/other"); c == a {
		t.Errorf("two directories share the ID %s", a)
	}
	if g := linkGroup(a); g>>24 != 0x76 {
		t.Errorf("linkGroup(%s) = %#x, want 0x76 in the high byte", a, g)
	}
	if g := linkGroup("0a0b0c0d"); g != 0x760b0c0d {
		t.Errorf("linkGroup(0a0b0c0d) = %#x, want 0x760b0c0d (0x76, then the ID's last 24 bits)", g)
	}
}
