package cli

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestWriteJSONList checks that WriteJSONList and WriteJSON write what
// encoding/json's Encoder writes for the same values in a slice, compact
// and indented.
func TestWriteJSONList(t *testing.T) {
	for _, tt := range []struct {
		name string
		vals []any
	}{
		{"empty", []any{}},
		{"one", []any{map[string]any{"ifname": "lo", "mtu": 65536}}},
		{"nested", []any{
			map[string]any{"ifname": "mv0", "flags": []string{"BROADCAST", "UP"}, "linkinfo": map[string]any{"info_kind": "macvlan", "info_data": map[string]any{"mode": "bridge"}}},
			map[string]any{"ifname": "a<b>&c", "empty": []int{}, "obj": map[string]any{}},
			"text",
			3,
		}},
	} {
		for _, pretty := range []bool{false, true} {
			var want, got, whole bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if pretty {
				enc.SetIndent("", jsonIndent)
			}
			if err := enc.Encode(tt.vals); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&whole, tt.vals, pretty); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSONList(&got, len(tt.vals), func(i int) any { return tt.vals[i] }, pretty); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() || whole.String() != want.String() {
				t.Errorf("%s, pretty %v:\nWriteJSONList %q\nWriteJSON     %q\nwant          %q", tt.name, pretty, got.String(), whole.String(), want.String())
			}
		}
	}
}
