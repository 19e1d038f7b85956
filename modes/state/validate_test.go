package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var errEmptyItem = errors.New("empty item")

// checkItems is a validate function: no item may be empty.
func checkItems(d *doc) error {
	for i, it := range d.Items {
		if it == "" {
			return fmt.Errorf("%w %d", errEmptyItem, i)
		}
	}
	return nil
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.json")
	// Schema 1 files are migrated by dropping the items "drop".
	migrate := Migrate(func(from int, data json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(strings.ReplaceAll(string(data), `"drop"`, `""`)), nil
	})
	tests := []struct {
		name    string
		file    string // "" for none
		want    []string
		wantErr string
	}{
		{name: "valid", file: `{"schema": 2, "data": {"items": ["a"]}}`, want: []string{"a"}},
		{name: "no file", want: nil},
		{name: "invalid", file: `{"schema": 2, "data": {"items": ["a", ""]}}`,
			wantErr: "corrupt state file " + path + ": empty item 1; repair it or move it away (vlanraw never resets it)"},
		{name: "valid before migration, invalid after", file: `{"schema": 1, "data": {"items": ["drop"]}}`,
			wantErr: "corrupt state file " + path + ": empty item 0; repair it or move it away (vlanraw never resets it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, path, tt.file)
			if tt.file == "" {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
			s := open(t, dir, 2, migrate)
			calls := 0
			s.SetValidate(func(d *doc) error { calls++; return checkItems(d) })
			for _, call := range []string{"View", "Update"} {
				var got []string
				fn := func(d *doc) error { got = d.Items; return nil }
				var err error
				if call == "View" {
					err = s.View(fn)
				} else {
					err = s.Update(fn)
				}
				if tt.wantErr != "" {
					if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrCorrupt) || !errors.Is(err, errEmptyItem) {
						t.Errorf("%s = %v\nwant %s, matching ErrCorrupt and the validate function's error", call, err, tt.wantErr)
					}
					if string(read(t, path)) != tt.file {
						t.Errorf("%s changed the file", call)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: Items = %q, want %q", call, got, tt.want)
				}
			}
			wantCalls := 2 // once per read of the file
			if tt.file == "" {
				wantCalls = 0
			}
			if calls != wantCalls {
				t.Errorf("validate called %d times, want %d", calls, wantCalls)
			}
		})
	}
}
