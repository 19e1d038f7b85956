package iproute

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonObject is a JSON object that keeps its keys in insertion order, so
// that output follows iproute2's key order. Setting a key again replaces
// its value in place.
type jsonObject struct {
	keys []string
	vals map[string]any
}

// set adds or replaces key.
func (o *jsonObject) set(key string, val any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = val
}

// MarshalJSON implements json.Marshaler.
func (o *jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k, err)
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
