package state

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// selfEncoded encodes itself, as the records of package modes do.
type selfEncoded struct{ raw string }

func (s selfEncoded) MarshalJSON() ([]byte, error) { return []byte(s.raw), nil }

// TestEncodeEnvelope checks that a state file is written byte for byte
// as json.MarshalIndent of the envelope writes it, for documents that
// encode themselves and documents encoding/json encodes.
func TestEncodeEnvelope(t *testing.T) {
	for _, v := range []any{
		selfEncoded{`{}`},
		selfEncoded{`{"networks":[{"name":"a\u003cb","endpoints":[],"options":{"parent":"eth0.50"}}],"swept":true}`},
		selfEncoded{`[1,{"a":[]},"x,y:{z}"]`},
		selfEncoded{`null`},
		map[string]any{"k": []any{1, "<&>", map[string]any{}}, "e": []any{}},
		struct {
			A string `json:"a"`
			B []int  `json:"b,omitempty"`
		}{A: "é\u2028"},
	} {
		for _, schema := range []int{1, 3, 12} {
			got, err := encodeEnvelope(schema, v)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.MarshalIndent(envelope{Schema: schema, Data: data}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, '\n')
			if string(got) != string(want) {
				t.Errorf("%#v at schema %d:\ngot  %s\nwant %s", v, schema, got, want)
			}
		}
	}
	if _, err := encodeEnvelope(1, selfEncoded{`{"a":}`}); err == nil {
		t.Error("a document encoded as invalid JSON was written")
	}
}

// TestDecodeEnvelope checks that a state file's envelope reads as
// json.Unmarshal into a header reads it, for what vlanraw writes and for
// what a hand or another program may have left: other spellings of the
// keys, repeated and unknown keys, wrong types, no object at all.
func TestDecodeEnvelope(t *testing.T) {
	for _, in := range []string{
		"{\n  \"schema\": 3,\n  \"data\": {\n    \"networks\": []\n  }\n}\n",
		`{"schema":2,"data":{"networks":[{"name":"x"}]}}`,
		`{"data":{},"schema":1}`,
		`{"schema":3}`,
		`{"data":{}}`,
		`{}`,
		`{"Schema":3,"DATA":{}}`,
		`{"schema":3,"schema":4,"data":{}}`,
		`{"schema":3,"data":{},"data":[]}`,
		`{"schema":3,"data":{},"extra":true}`,
		`{"schema":"3","data":{}}`,
		`{"schema":3.5,"data":{}}`,
		`{"schema":-1,"data":null}`,
		`{"schema":null,"data":{}}`,
		`null`,
		`[]`,
		`3`,
		`{"schema":3,"data":{}`,
		`{"schema":3,"data":{}} x`,
		``,
	} {
		var want header
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := decodeEnvelope([]byte(in))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, encoding/json's %v", in, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%s: (-encoding/json +got)\n%s", in, diff)
		}
	}
}
