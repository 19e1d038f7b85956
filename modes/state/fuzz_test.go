package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fuzzDoc is a small document for FuzzRead, of schema 2; schema 1 files
// migrate to it unchanged.
type fuzzDoc struct {
	Networks []*fuzzNetwork `json:"networks"`
}

type fuzzNetwork struct {
	Name    string            `json:"name"`
	Subnets []string          `json:"subnets,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	MTU     uint16            `json:"mtu,omitempty"`
}

// validate is FuzzRead's validate function.
func (d *fuzzDoc) validate() error {
	for i, n := range d.Networks {
		if n == nil {
			return fmt.Errorf("network %d is null", i)
		}
		if n.Name == "" {
			return fmt.Errorf("network %d has no name", i)
		}
	}
	return nil
}

// FuzzRead writes arbitrary bytes as the state file and reads it with
// View and Update: they must never panic, and must either succeed or
// fail with ErrCorrupt or ErrSchema, leaving the file as it was. What
// they accept must validate, and an Update's result must read back.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`{"schema":2,"data":{"networks":[{"name":"n1","subnets":["10.0.0.0/24"],"options":{"mode":"l3"},"mtu":1500}]}}`,
		`{"schema":1,"data":{"networks":[{"name":"old"}]}}`,
		`{"schema":2,"data":{"networks":[]}}`,
		`{"schema":2,"data":{}}`,
		`{"schema":2,"data":null}`,
		`{"schema":2}`,
		`{"schema":1,"data":{"networks":[null]}}`,
		`{"schema":2,"data":{"networks":[null]}}`,
		`{"schema":2,"data":{"networks":[{"name":""}]}}`,
		`{"schema":2,"data":{"networks":[{"name":"n1","mtu":70000}]}}`,
		`{"schema":2,"data":{"networks":{"name":"n1"}}}`,
		`{"schema":2,"data":{"networks":[{"name":"n1"`,
		`{"schema":2,"da`,
		`{"schema":3,"data":{}}`,
		`{"schema":99999999999999999999,"data":{}}`,
		`{"schema":9223372036854775807,"data":{}}`,
		`{"schema":-9223372036854775808,"data":{}}`,
		`{"schema":0,"data":{}}`,
		`{"schema":1e3,"data":{}}`,
		`{"schema":2.0,"data":{}}`,
		`{"schema":"2","data":{}}`,
		`{"schema":null,"data":{}}`,
		`{"schema":2,"schema":1,"data":{"networks":[{"name":"dup"}]}}`,
		`{"schema":2,"data":"networks"}`,
		`{"schema":2,"data":{"networks":[{"name":"\ud800"}]}}`,
		"{\"schema\":2,\"data\":{\"networks\":[{\"name\":\"\xff\"}]}}",
		`{"schema":2,"data":{}} trailing`,
		`[]`, `null`, `""`, `0`, ``, "\x00",
	} {
		f.Add([]byte(seed))
	}
	// Updates sync; a tmpfs makes that cheap.
	base := f.TempDir()
	if shm, err := os.MkdirTemp("/dev/shm", "vlanraw-fuzz"); err == nil {
		base = shm
		f.Cleanup(func() { os.RemoveAll(shm) })
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		dir, err := os.MkdirTemp(base, "")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		s, err := Open[fuzzDoc](dir, "fuzz", 2, Migrate(func(from int, data json.RawMessage) (json.RawMessage, error) {
			return data, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		s.SetValidate((*fuzzDoc).validate)
		if err := os.WriteFile(s.Path(), file, 0o600); err != nil {
			t.Fatal(err)
		}
		expected := func(call string, err error) {
			t.Helper()
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrSchema) {
				t.Fatalf("%s = %v, want success, ErrCorrupt or ErrSchema", call, err)
			}
		}
		var viewed int
		viewErr := s.View(func(d *fuzzDoc) error {
			if err := d.validate(); err != nil {
				t.Fatalf("View gave a document that does not validate: %v", err)
			}
			viewed = len(d.Networks)
			return nil
		})
		expected("View", viewErr)
		updateErr := s.Update(func(d *fuzzDoc) error {
			if len(d.Networks) != viewed {
				t.Fatalf("Update read %d networks, View %d", len(d.Networks), viewed)
			}
			d.Networks = append(d.Networks, &fuzzNetwork{Name: "added"})
			return nil
		})
		expected("Update", updateErr)
		if (viewErr == nil) != (updateErr == nil) {
			t.Fatalf("View = %v but Update = %v", viewErr, updateErr)
		}
		if updateErr != nil {
			if got, _ := os.ReadFile(s.Path()); !bytes.Equal(got, file) {
				t.Fatalf("a failed Update changed the file to %q", got)
			}
			return
		}
		err = s.View(func(d *fuzzDoc) error {
			if len(d.Networks) != viewed+1 || d.Networks[viewed].Name != "added" {
				t.Fatalf("after Update, View read %d networks, want %d, the last one added", len(d.Networks), viewed+1)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("View after Update: %v", err)
		}
		var env header
		if err := json.Unmarshal(file, &env); err == nil && env.Schema != nil && *env.Schema == 1 {
			if got, _ := os.ReadFile(filepath.Join(dir, "fuzz.json.schema1.bak")); !bytes.Equal(got, file) {
				t.Fatalf("backup of the schema 1 file holds %q", got)
			}
		}
	})
}
