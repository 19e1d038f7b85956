package modes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/modes/state"
)

// FuzzLoadState writes arbitrary bytes as the Manager's state file and
// reads it as every command does (migration from schema 1, then
// validation): it must never panic, and must either load or be refused as
// a corrupt file or an unknown schema, naming the file.
func FuzzLoadState(f *testing.F) {
	id, ep := strings.Repeat("ab", 32), strings.Repeat("01", 32)
	network := `{"name":"n1","id":"` + id + `","driver":"macvlan","parent":"p0","macvlan_mode":"bridge",` +
		`"subnets":[{"subnet":"10.1.0.0/24"}],"endpoints":[{"id":"` + ep + `","netns":"a","netns_path":"/run/netns/a",` +
		`"netns_inode":4026532000,"ifname":"eth0","ipv4":"10.1.0.2/24"}]}`
	for _, seed := range []string{
		`{"schema":2,"data":{"networks":[` + network + `]}}`,
		`{"schema":1,"data":{"networks":[` + network + `]}}`,
		`{"schema":2,"data":{"networks":[null]}}`,
		`{"schema":1,"data":{"networks":[null]}}`,
		`{"schema":2,"data":{"networks":[` + network + `,` + network + `]}}`,
		`{"schema":2,"data":{"networks":[{"name":"n1","driver":"bridge"}]}}`,
		`{"schema":2,"data":{"networks":[{"endpoints":[null]}]}}`,
		`{"schema":9,"data":{}}`,
		`{"schema":1,"data":`,
		`{}`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		sub, err := os.MkdirTemp(dir, "s")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(sub)
		path := filepath.Join(sub, stateName+".json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := NewManager(sub)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if _, err := m.Networks(); err != nil {
			if !errors.Is(err, state.ErrCorrupt) && !errors.Is(err, state.ErrSchema) {
				t.Fatalf("loading %q: %v: want a corrupt-file or schema error", b, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("loading %q: %v: the message does not name %s", b, err, path)
			}
		}
	})
}
