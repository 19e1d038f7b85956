package expect

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes"
)

// TestExpectationTablesWellFormed checks every table against the rules
// the runner relies on.
func TestExpectationTablesWellFormed(t *testing.T) {
	names := map[string]bool{}
	for _, tab := range Tables() {
		t.Run(tab.Name, func(t *testing.T) {
			if names[tab.Name] {
				t.Fatalf("two tables named %q", tab.Name)
			}
			names[tab.Name] = true
			if tab.Semantics == "" {
				t.Error("no Semantics")
			}
			for _, set := range [][]Row{tab.Rows, tab.Reflected} {
				seen := map[key]bool{}
				for _, r := range set {
					if seen[r.key()] {
						t.Errorf("row %s twice", r)
					}
					seen[r.key()] = true
					checkRow(t, r)
				}
			}
			// Every probe from the wire says what the endpoints get, and
			// (but in passthru, with one endpoint) every probe from an
			// endpoint too.
			for _, s := range Steps() {
				if tab.Name == "macvlan passthru" && s.From == FromEndpoint {
					continue
				}
				if !hasRow(tab.Rows, s, AtEndpoints) {
					t.Errorf("no row for %s at the endpoints", s)
				}
			}
		})
	}
}

// checkRow checks the rules for one row of a table.
func checkRow(t *testing.T, r Row) {
	t.Helper()
	switch {
	case r.Why == "":
		t.Errorf("%s: no Why", r)
	case r.At == AtWire || r.Class == bpf.ClassVLAN:
		t.Errorf("%s: AtWire and tagged rows are derived, not written", r)
	case r.Want.Share == ShareAddressed && !r.At.PerEndpoint():
		t.Errorf("%s: ShareAddressed at a point without endpoints", r)
	case r.Want.Share == ShareNone && r.Want.AtLeast:
		t.Errorf("%s: AtLeast with ShareNone means nothing", r)
	case r.At == AtSockets && !isDatagramClass(r):
		t.Errorf("%s: datagrams are counted at sockets, and only datagrams there", r)
	case r.At == AtSender && r.Step.From != FromEndpoint:
		t.Errorf("%s: a probe from the wire has no sender endpoint", r)
	}
}

// isDatagramClass reports whether r counts, in the class of its probe's
// UDP datagrams, what the sockets count: only the UDP probes send any.
func isDatagramClass(r Row) bool {
	c, ok := map[Probe]bpf.Class{
		ProbeIPv4Multicast: bpf.ClassIPv4Multicast,
		ProbeIPv6Multicast: bpf.ClassIPv6Multicast,
		ProbeUnicast:       bpf.ClassIPv4Unicast,
	}[r.Step.Probe]
	return ok && r.Class == c
}

func hasRow(rows []Row, s Step, at Point) bool {
	for _, r := range rows {
		if r.Step == s && r.At == at {
			return true
		}
	}
	return false
}

// TestExpectationsTellModesApart checks that the tables of different
// modes differ in what they expect for some row, so that verify can tell
// one mode from another. vepa and private differ only on a reflecting
// wire.
func TestExpectationsTellModesApart(t *testing.T) {
	tabs := Tables()
	for i, a := range tabs {
		for _, b := range tabs[i+1:] {
			if b.Name == "macvlan passthru" {
				continue
			}
			c := Conditions{Wire: true}
			if a.Name+b.Name == "macvlan privatemacvlan vepa" {
				c.Reflecting = true
			}
			if !differ(a.RowsFor(c), b.RowsFor(c)) {
				t.Errorf("%s and %s expect the same of every row they share", a.Name, b.Name)
			}
		}
	}
}

// differ reports whether some row key is in both with different Want.
func differ(a, b []Row) bool {
	m := map[key]Want{}
	for _, r := range a {
		m[r.key()] = r.Want
	}
	for _, r := range b {
		if w, ok := m[r.key()]; ok && w != r.Want {
			return true
		}
	}
	return false
}

// TestExpectationsLookup checks which networks have a table.
func TestExpectationsLookup(t *testing.T) {
	for _, tt := range []struct {
		n    modes.Network
		want string // table name, or "" for ErrNoTable
	}{
		{modes.Network{Driver: modes.IPVlan, IPVlanMode: modes.ModeL2, IPVlanFlag: modes.FlagBridge}, "ipvlan l2"},
		{modes.Network{Driver: modes.IPVlan, IPVlanMode: modes.ModeL3, IPVlanFlag: modes.FlagBridge}, "ipvlan l3"},
		{modes.Network{Driver: modes.IPVlan, IPVlanMode: modes.ModeL3S, IPVlanFlag: modes.FlagBridge}, "ipvlan l3s"},
		{modes.Network{Driver: modes.IPVlan, IPVlanMode: modes.ModeL2, IPVlanFlag: modes.FlagPrivate}, ""},
		{modes.Network{Driver: modes.MACVlan, MACVlanMode: modes.ModeBridge}, "macvlan bridge"},
		{modes.Network{Driver: modes.MACVlan, MACVlanMode: modes.ModePrivate}, "macvlan private"},
		{modes.Network{Driver: modes.MACVlan, MACVlanMode: modes.ModeVEPA}, "macvlan vepa"},
		{modes.Network{Driver: modes.MACVlan, MACVlanMode: modes.ModePassthru}, "macvlan passthru"},
		{modes.Network{Driver: modes.MACVlan, MACVlanMode: "source"}, ""},
	} {
		tab, err := For(&tt.n)
		switch {
		case tt.want == "" && !errors.Is(err, ErrNoTable):
			t.Errorf("%s %s: %v, want ErrNoTable", tt.n.Driver, tt.n.Mode(), err)
		case tt.want != "" && (err != nil || tab.Name != tt.want):
			t.Errorf("%s %s: %v, %v; want table %s", tt.n.Driver, tt.n.Mode(), tab, err, tt.want)
		}
	}
}

// TestRowsFor checks the conditions: wire twins, VLAN tags and
// reflection.
func TestRowsFor(t *testing.T) {
	tab, err := ForMode(modes.IPVlan, modes.ModeL2)
	if err != nil {
		t.Fatal(err)
	}
	count := func(rows []Row, at Point) (n int) {
		for _, r := range rows {
			if r.At == at {
				n++
			}
		}
		return n
	}
	plain := tab.RowsFor(Conditions{})
	if count(plain, AtWire) != 0 {
		t.Error("wire rows without a wire")
	}
	out := count(plain, AtParentOut)
	wired := tab.RowsFor(Conditions{Wire: true})
	if got := count(wired, AtWire); got != out {
		t.Errorf("%d wire rows for %d parent-out rows", got, out)
	}
	tagged := tab.RowsFor(Conditions{Wire: true, VLAN: 50})
	positive := 0
	for _, r := range plain {
		if r.At == AtParentOut && r.Want.Share != ShareNone {
			positive++
		}
	}
	if got := count(tagged, AtWire); got != positive {
		t.Errorf("VLAN 50: %d wire rows, want one per parent-out row that expects frames (%d)", got, positive)
	}
	for _, r := range tagged {
		if r.At == AtWire && (r.Class != bpf.ClassVLAN || !r.Want.AtLeast || !strings.Contains(r.Why, "VLAN 50")) {
			t.Errorf("VLAN 50: wire row %s %+v, want at least, tagged", r, r.Want)
		}
	}
	// Rows come in the order of Steps.
	last := -1
	for _, r := range wired {
		if r.Step.index() < last {
			t.Fatalf("row %s out of step order", r)
		}
		last = r.Step.index()
	}

	vepa, err := ForMode(modes.MACVlan, modes.ModeVEPA)
	if err != nil {
		t.Fatal(err)
	}
	find := func(rows []Row, s Step, at Point, c bpf.Class) (Row, bool) {
		for _, r := range rows {
			if r.Step == s && r.At == at && r.Class == c {
				return r, true
			}
		}
		return Row{}, false
	}
	s := Step{FromEndpoint, ProbeBroadcast}
	if r, _ := find(vepa.RowsFor(Conditions{}), s, AtEndpoints, bpf.ClassBroadcast); r.Want != expNone {
		t.Errorf("vepa, no hairpin: broadcast at endpoints %+v, want none", r.Want)
	}
	if r, _ := find(vepa.RowsFor(Conditions{Reflecting: true}), s, AtEndpoints, bpf.ClassBroadcast); r.Want != expAll {
		t.Errorf("vepa, hairpin: broadcast at endpoints %+v, want all", r.Want)
	}
	// A reflected row without a twin is added.
	s = Step{FromEndpoint, ProbeARPTarget}
	if _, ok := find(vepa.RowsFor(Conditions{}), s, AtParentIn, bpf.ClassARPRequest); ok {
		t.Error("vepa, no hairpin: has a row for requests at the parent")
	}
	if r, ok := find(vepa.RowsFor(Conditions{Reflecting: true}), s, AtParentIn, bpf.ClassARPRequest); !ok || r.Want != expAll {
		t.Errorf("vepa, hairpin: requests at the parent %+v %v, want all", r.Want, ok)
	}
}

// TestExpectCount checks Count and Match.
func TestExpectCount(t *testing.T) {
	for _, tt := range []struct {
		e               Want
		sent, addressed int
		want            int
		match, nomatch  []int
	}{
		{expNone, 5, 5, 0, []int{0}, []int{1, 5}},
		{expAll, 10, 5, 10, []int{10}, []int{0, 5, 11}},
		{expAddressed, 10, 5, 5, []int{5}, []int{0, 4, 6, 10}},
		{expAllOrMore, 5, 0, 5, []int{5, 6, 100}, []int{0, 4}},
	} {
		want := tt.e.Count(tt.sent, tt.addressed)
		if want != tt.want {
			t.Errorf("%+v.Count(%d, %d) = %d, want %d", tt.e, tt.sent, tt.addressed, want, tt.want)
		}
		for _, o := range tt.match {
			if !tt.e.Match(want, o) {
				t.Errorf("%+v: %d does not match %d", tt.e, o, want)
			}
		}
		for _, o := range tt.nomatch {
			if tt.e.Match(want, o) {
				t.Errorf("%+v: %d matches %d", tt.e, o, want)
			}
		}
	}
}

// TestExpectStrings checks that every enum value has a name of its own.
func TestExpectStrings(t *testing.T) {
	var types [5][]string
	for o := FromEndpoint; o <= FromWire; o++ {
		types[0] = append(types[0], o.String())
	}
	for _, p := range Probes() {
		types[1] = append(types[1], p.String())
	}
	for p := Point(0); p < numPoints; p++ {
		types[2] = append(types[2], p.String())
	}
	for _, c := range bpf.Classes() {
		types[3] = append(types[3], phrase(c))
	}
	for s := ShareNone; s <= ShareAll; s++ {
		types[4] = append(types[4], s.String())
	}
	for _, names := range types {
		seen := map[string]bool{}
		for _, s := range names {
			if seen[s] || strings.Contains(s, "(") && !strings.Contains(s, " ") {
				t.Errorf("name %q twice or unnamed", s)
			}
			seen[s] = true
		}
	}
	for _, s := range []string{Origin(9).String(), Probe(99).String(), Point(99).String(), phrase(bpf.Class(99)), Share(9).String()} {
		if !strings.Contains(s, "(9") {
			t.Errorf("unknown value named %q", s)
		}
	}
	if got := (Step{FromWire, ProbeARPUnknown}).String(); got != "ARP request for an unknown address from the wire" {
		t.Errorf("step: %q", got)
	}
	// The sockets count datagrams, whatever the class of the probe's.
	sock := Row{Step: Step{FromWire, ProbeUnicast}, At: AtSockets, Class: bpf.ClassIPv4Unicast}
	if got := sock.String(); got != "IPv4 unicast (UDP to each endpoint) from the wire, datagrams at the endpoint sockets" {
		t.Errorf("socket row: %q", got)
	}
}

// TestExpectJSON checks that rows go to JSON with words and come back.
func TestExpectJSON(t *testing.T) {
	for _, tab := range Tables() {
		rows := tab.RowsFor(Conditions{Wire: true, Reflecting: true, VLAN: 7})
		b, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		var back []Row
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", tab.Name, err)
		}
		if !slices.Equal(rows, back) {
			t.Errorf("%s: rows changed through JSON", tab.Name)
		}
	}
	b, _ := json.Marshal(Row{Step: Step{FromWire, ProbeARPUnknown}, At: AtParentIn, Class: bpf.ClassARPRequest, Want: expAllOrMore})
	if want := `{"step":{"from":"wire","probe":"arp-unknown"},"at":"parent-in","class":"arp-request","want":{"share":"all","at_least":true},"why":""}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var p Point
	if err := json.Unmarshal([]byte(`"nowhere"`), &p); err == nil {
		t.Error("unknown point accepted")
	}
	if _, err := json.Marshal(bpf.Class(99)); err == nil {
		t.Error("invalid class marshalled")
	}
}
