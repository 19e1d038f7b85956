package jsonio

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// A Reader reads the JSON value in its input, one part at a time.
type Reader struct {
	data []byte
	pos  int
}

// NewReader returns a Reader of data.
func NewReader(data []byte) *Reader { return &Reader{data: data} }

// errSyntax is returned for input that is not JSON; json.Unmarshal
// checks its input first, so a codec called by it never sees one.
var errSyntax = errors.New("invalid JSON")

// TypeError is returned when a value is not of the type asked for.
type TypeError struct {
	// Want is the type asked for; Got the JSON value's start.
	Want string
	Got  string
	// Offset is the value's offset in the input.
	Offset int
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("cannot read JSON %s as %s (offset %d)", e.Got, e.Want, e.Offset)
}

func (r *Reader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end.
func (r *Reader) peek() byte {
	r.skipSpace()
	if r.pos >= len(r.data) {
		return 0
	}
	return r.data[r.pos]
}

// typeError returns a TypeError for the value at the current position.
func (r *Reader) typeError(want string) error {
	got := "end of input"
	switch r.peek() {
	case '{':
		got = "object"
	case '[':
		got = "array"
	case '"':
		got = "string"
	case 't', 'f':
		got = "boolean"
	case 'n':
		got = "null"
	case 0:
	default:
		got = "number"
	}
	return &TypeError{Want: want, Got: got, Offset: r.pos}
}

// Null consumes a null and reports whether there was one.
func (r *Reader) Null() bool {
	if r.peek() == 'n' && r.hasLiteral("null") {
		r.pos += 4
		return true
	}
	return false
}

func (r *Reader) hasLiteral(lit string) bool {
	return len(r.data)-r.pos >= len(lit) && string(r.data[r.pos:r.pos+len(lit)]) == lit
}

// Object reads an object, calling field with each key; field must read
// (or Skip) the key's value. A null is read as an object without keys.
func (r *Reader) Object(field func(key string) error) error {
	if r.Null() {
		return nil
	}
	if r.peek() != '{' {
		return r.typeError("object")
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		if r.peek() != '"' {
			return errSyntax
		}
		key, err := r.String()
		if err != nil {
			return err
		}
		if r.peek() != ':' {
			return errSyntax
		}
		r.pos++
		if err := field(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return errSyntax
		}
	}
}

// Array reads an array, calling elem for each element, which elem must
// read. It reports whether there was an array: a null is none.
func (r *Reader) Array(elem func() error) (bool, error) {
	if r.Null() {
		return false, nil
	}
	if r.peek() != '[' {
		return false, r.typeError("array")
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		return true, nil
	}
	for {
		if err := elem(); err != nil {
			return true, err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return true, nil
		default:
			return true, errSyntax
		}
	}
}

// rawString returns the next string with its quotes, escapes as they are.
func (r *Reader) rawString() ([]byte, bool, error) {
	if r.peek() != '"' {
		return nil, false, r.typeError("string")
	}
	start := r.pos
	escaped := false
	for i := r.pos + 1; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '\\':
			escaped = true
			i++
		case c == '"':
			r.pos = i + 1
			return r.data[start:r.pos], escaped, nil
		case c >= utf8.RuneSelf:
			escaped = true // invalid UTF-8 becomes U+FFFD, as encoding/json does
		}
	}
	return nil, false, errSyntax
}

// String reads a string. A null reads as "".
func (r *Reader) String() (string, error) {
	if r.Null() {
		return "", nil
	}
	raw, slow, err := r.rawString()
	if err != nil {
		return "", err
	}
	if !slow {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// RawString reads a string and returns it as it is in the input, quotes
// and escapes included, for the types that decode JSON themselves, such
// as time.Time; a null returns "null".
func (r *Reader) RawString() ([]byte, error) {
	if r.Null() {
		return []byte("null"), nil
	}
	raw, _, err := r.rawString()
	return raw, err
}

// Bool reads true or false. A null reads as false.
func (r *Reader) Bool() (bool, error) {
	switch {
	case r.Null():
		return false, nil
	case r.peek() == 't' && r.hasLiteral("true"):
		r.pos += 4
		return true, nil
	case r.peek() == 'f' && r.hasLiteral("false"):
		r.pos += 5
		return false, nil
	}
	return false, r.typeError("boolean")
}

// number returns the next number's text.
func (r *Reader) number() ([]byte, error) {
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return nil, r.typeError("number")
	}
	start := r.pos
	for r.pos < len(r.data) && isNumberByte(r.data[r.pos]) {
		r.pos++
	}
	return r.data[start:r.pos], nil
}

// isNumberByte reports whether c can be part of a JSON number.
func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// Uint reads an unsigned integer of at most size bits. A null reads as 0.
func (r *Reader) Uint(size int) (uint64, error) {
	if r.Null() {
		return 0, nil
	}
	at := r.pos
	num, err := r.number()
	if err != nil {
		return 0, err
	}
	u, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil || size < 64 && u>>size != 0 {
		return 0, &TypeError{Want: "uint" + strconv.Itoa(size), Got: "number " + string(num), Offset: at}
	}
	return u, nil
}

// Int reads a signed integer that fits an int. A null reads as 0.
func (r *Reader) Int() (int, error) {
	if r.Null() {
		return 0, nil
	}
	at := r.pos
	num, err := r.number()
	if err != nil {
		return 0, err
	}
	i, err := strconv.ParseInt(string(num), 10, bits.UintSize)
	if err != nil {
		return 0, &TypeError{Want: "int", Got: "number " + string(num), Offset: at}
	}
	return int(i), nil
}

// Skip reads a value of any type and discards it.
func (r *Reader) Skip() error {
	switch c := r.peek(); {
	case c == '{':
		return r.Object(func(string) error { return r.Skip() })
	case c == '[':
		_, err := r.Array(r.Skip)
		return err
	case c == '"':
		_, _, err := r.rawString()
		return err
	case c == 't', c == 'f':
		_, err := r.Bool()
		return err
	case c == 'n':
		if r.Null() {
			return nil
		}
		return errSyntax
	default:
		_, err := r.number()
		return err
	}
}

// Raw reads a value of any type and returns it as it is in the input.
func (r *Reader) Raw() ([]byte, error) {
	r.skipSpace()
	start := r.pos
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return r.data[start:r.pos], nil
}

// End returns an error unless all the input has been read.
func (r *Reader) End() error {
	if r.peek() != 0 {
		return errSyntax
	}
	return nil
}
