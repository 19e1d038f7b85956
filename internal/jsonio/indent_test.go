package jsonio

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestIndent checks Indent against json.Indent, on values with empty and
// nested objects and arrays and strings holding every character that
// means something outside them.
func TestIndent(t *testing.T) {
	for _, v := range []any{
		nil, 1, "x", []any{}, map[string]any{},
		[]any{map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, 2, map[string]any{"d": "e"}}}},
		map[string]any{"s": `{[,:]}" \ \" \\`, "t": "\"", "u": []string{"a,b", "c:d"}, "v": map[string]any{"w": []any{[]any{}, []any{map[string]any{}}}}},
	} {
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{"", "  ", "    "} {
			for _, indent := range []string{"  ", "    "} {
				var want bytes.Buffer
				if err := json.Indent(&want, compact, prefix, indent); err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				Indent(&got, compact, prefix, indent)
				if got.String() != want.String() {
					t.Errorf("%s, prefix %q, indent %q:\ngot  %s\nwant %s", compact, prefix, indent, got.String(), want.String())
				}
			}
		}
	}
}
