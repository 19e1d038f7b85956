package modes

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func TestValidateRecords(t *testing.T) {
	ep := func(id, ns, addr string) Endpoint {
		return Endpoint{ID: id, NetNS: ns, NetNSPath: "/run/netns/" + ns, NetNSInode: 4026532000, IfName: "eth0",
			IPv4: netip.MustParsePrefix(addr)}
	}
	good := func() *Network {
		return &Network{Name: "n1", ID: strings.Repeat("ab", 32), Driver: MACVlan, Parent: "p0", MACVlanMode: ModeBridge,
			Subnets:   []Subnet{{Subnet: netip.MustParsePrefix("10.1.0.0/24")}},
			Endpoints: []Endpoint{ep(strings.Repeat("01", 32), "a", "10.1.0.2/24"), ep(strings.Repeat("02", 32), "b", "10.1.0.3/24")}}
	}
	for _, tc := range []struct {
		name string
		edit func(r *records)
		want string
	}{
		{"good", func(r *records) {}, ""},
		{"null network", func(r *records) { r.Networks = append(r.Networks, nil) }, "network #2 is null"},
		{"duplicate network", func(r *records) { r.Networks = append(r.Networks, good()) }, "recorded twice"},
		{"unknown driver", func(r *records) { r.Networks[0].Driver = "bridge" }, `unknown driver "bridge"`},
		{"bad mode", func(r *records) { r.Networks[0].MACVlanMode = "l9" }, "not valid"},
		{"no parent", func(r *records) { r.Networks[0].Parent = "" }, "no parent"},
		{"bad id", func(r *records) { r.Networks[0].ID = "xyz" }, "invalid id"},
		{"endpoint without namespace", func(r *records) { r.Networks[0].Endpoints[0].NetNSPath = "" }, "no network namespace"},
		{"duplicate endpoint", func(r *records) {
			n := r.Networks[0]
			n.Endpoints[1].ID = n.Endpoints[0].ID
		}, "recorded twice"},
		{"duplicate address", func(r *records) {
			n := r.Networks[0]
			n.Endpoints[1].IPv4 = n.Endpoints[0].IPv4
		}, "address 10.1.0.2 is recorded for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &records{Networks: []*Network{good()}}
			tc.edit(r)
			err := r.validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("validate = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestMigrateSchema1Records checks the data migration: every endpoint
// is flagged unmarked and gets the nsfs device; a null network is kept,
// for validate to refuse with the file's name.
func TestMigrateSchema1Records(t *testing.T) {
	in := `{"networks":[{"name":"n1","id":"` + strings.Repeat("ab", 32) + `","driver":"macvlan","parent":"p0",` +
		`"endpoints":[{"id":"` + strings.Repeat("01", 32) + `","netns":"a","netns_path":"/run/netns/a","netns_inode":7,"ifname":"eth0"}]},null]}`
	out, err := migrate(1, json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	var r records
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	e := r.Networks[0].Endpoints[0]
	if !e.Unmarked || e.NetNSDev == 0 || e.NetNSInode != 7 {
		t.Errorf("migrated endpoint %+v: want unmarked, a device and inode 7", e)
	}
	if len(r.Networks) != 2 || r.Networks[1] != nil {
		t.Errorf("migrated networks %v: want the null one kept", r.Networks)
	}
	if err := r.validate(); err == nil || !strings.Contains(err.Error(), "is null") {
		t.Errorf("validate after migration = %v, want the null network refused", err)
	}
	if _, err := migrate(7, nil); err == nil {
		t.Error("migrate from schema 7: no error")
	}
}
