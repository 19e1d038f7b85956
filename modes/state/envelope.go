package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/vlanraw/vlanraw/internal/jsonio"
)

// A state file is an envelope, {"schema": N, "data": DOCUMENT}, indented
// as json.MarshalIndent(envelope{...}, "", "  ") writes it. Every vlanraw
// process reads and writes one or two (a CNI ADD included), so the
// envelope is read and written here without encoding/json's reflection,
// and a document whose type encodes and decodes itself (the records of
// package modes do) is handed to its own methods directly: encoding/json
// would first build its codec for the envelope's types and pass the
// document through its scanner twice more. Files read the same; anything
// but the plain layout goes through encoding/json, as before.

// envelope is the layout of a state file.
type envelope struct {
	Schema int             `json:"schema"`
	Data   json.RawMessage `json:"data"`
}

// header is how a state file is read: a missing schema is told apart
// from schema 0.
type header struct {
	Schema *int            `json:"schema"`
	Data   json.RawMessage `json:"data"`
}

// errEncoding is a document whose own encoder wrote what is not JSON.
var errEncoding = errors.New("the document's encoder wrote invalid JSON")

// encodeEnvelope returns the contents of a state file holding v at
// schema: the bytes json.MarshalIndent of the envelope gives, and a
// final newline.
func encodeEnvelope(schema int, v any) ([]byte, error) {
	var data []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		if data, err = m.MarshalJSON(); err == nil && !json.Valid(data) {
			err = errEncoding
		}
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/2 + 32)
	b.WriteString("{\n  \"schema\": ")
	b.WriteString(strconv.Itoa(schema))
	b.WriteString(",\n  \"data\": ")
	jsonio.Indent(&b, data, "  ", "  ")
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}

// decodeEnvelope reads the envelope of a state file: its schema (nil
// when it has none) and its document, as json.Unmarshal into a header
// does.
func decodeEnvelope(raw []byte) (*header, error) {
	if !json.Valid(raw) {
		var env header
		return nil, json.Unmarshal(raw, &env) // its error says where
	}
	if env, ok := plainEnvelope(raw); ok {
		return env, nil
	}
	var env header
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	return &env, nil
}

// plainEnvelope reads valid JSON that is an object with the keys schema
// (an integer) and data, each once, spelt so, and nothing else: what
// vlanraw writes. Anything else is not ok, and left to encoding/json,
// which matches keys regardless of case, lets the last of a repeated key
// win and has its own messages for wrong types.
func plainEnvelope(raw []byte) (*header, bool) {
	r := jsonio.NewReader(raw)
	env := &header{}
	err := r.Object(func(key string) error {
		switch {
		case key == "schema" && env.Schema == nil:
			if r.Null() {
				return errors.ErrUnsupported // null is no schema, not 0
			}
			n, err := r.Int()
			env.Schema = &n
			return err
		case key == "data" && env.Data == nil:
			d, err := r.Raw()
			env.Data = d
			return err
		}
		return errors.ErrUnsupported
	})
	if err != nil || r.End() != nil {
		return nil, false
	}
	return env, true
}

// decodeDocument decodes a state file's document into v, as json.Unmarshal
// does; data is valid JSON (decodeEnvelope checked the whole file).
func decodeDocument(data []byte, v any) error {
	if u, ok := v.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	return json.Unmarshal(data, v)
}
