package jsonio

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A Writer appends JSON to a buffer: objects and arrays opened and
// closed in turn, keys, and values, with the commas between them.
type Writer struct {
	b []byte
	// comma is set when the next key or value follows another.
	comma bool
	err   error
}

// Bytes returns what was written, and the first error of a value that
// could not be encoded.
func (w *Writer) Bytes() ([]byte, error) { return w.b, w.err }

// sep starts a key or a value.
func (w *Writer) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

// OpenObject starts an object.
func (w *Writer) OpenObject() {
	w.sep()
	w.b = append(w.b, '{')
	w.comma = false
}

// CloseObject ends an object.
func (w *Writer) CloseObject() {
	w.b = append(w.b, '}')
	w.comma = true
}

// OpenArray starts an array.
func (w *Writer) OpenArray() {
	w.sep()
	w.b = append(w.b, '[')
	w.comma = false
}

// CloseArray ends an array.
func (w *Writer) CloseArray() {
	w.b = append(w.b, ']')
	w.comma = true
}

// Key writes an object's key; its value follows.
func (w *Writer) Key(k string) {
	w.sep()
	w.b = appendString(w.b, k)
	w.b = append(w.b, ':')
	w.comma = false
}

// String writes a string.
func (w *Writer) String(s string) {
	w.sep()
	w.b = appendString(w.b, s)
}

// Bool writes true or false.
func (w *Writer) Bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

// Uint writes an unsigned integer.
func (w *Writer) Uint(u uint64) {
	w.sep()
	w.b = strconv.AppendUint(w.b, u, 10)
}

// Int writes an integer.
func (w *Writer) Int(i int) {
	w.sep()
	w.b = strconv.AppendInt(w.b, int64(i), 10)
}

// Strings writes an array of strings.
func (w *Writer) Strings(ss []string) {
	w.OpenArray()
	for _, s := range ss {
		w.String(s)
	}
	w.CloseArray()
}

// The Opt methods write key and its value unless the value is empty, as
// encoding/json's omitempty leaves it out.

// OptString writes key and s unless s is "".
func (w *Writer) OptString(key, s string) {
	if s != "" {
		w.Key(key)
		w.String(s)
	}
}

// OptInt writes key and n unless n is 0.
func (w *Writer) OptInt(key string, n int) {
	if n != 0 {
		w.Key(key)
		w.Int(n)
	}
}

// OptUint writes key and u unless u is 0.
func (w *Writer) OptUint(key string, u uint64) {
	if u != 0 {
		w.Key(key)
		w.Uint(u)
	}
}

// OptStrings writes key and ss unless ss is empty.
func (w *Writer) OptStrings(key string, ss []string) {
	if len(ss) > 0 {
		w.Key(key)
		w.Strings(ss)
	}
}

// Null writes null.
func (w *Writer) Null() {
	w.sep()
	w.b = append(w.b, "null"...)
}

// Raw writes b, a JSON value, or records err if there is one: for the
// types that encode themselves (time.Time's MarshalJSON).
func (w *Writer) Raw(b []byte, err error) {
	if err != nil {
		if w.err == nil {
			w.err = err
		}
		b = []byte("null")
	}
	w.sep()
	w.b = append(w.b, b...)
}

// appendString appends s as a JSON string, as json.Marshal writes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s) // escapes, HTML's characters, U+2028 and invalid UTF-8 as encoding/json does
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
