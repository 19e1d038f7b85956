package jsonio

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestReaderString checks strings against encoding/json's reading of
// them: escapes, surrogate pairs, invalid UTF-8, null.
func TestReaderString(t *testing.T) {
	for _, in := range []string{`""`, `"eth0"`, `"a\"b\\c\/d"`, `"\u00e9\n\t"`, `"\ud83d\ude00"`, `"\ud800"`, "\"\xff\xfe\"", `"é"`, `null`} {
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		got, err := NewReader([]byte(in)).String()
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestReaderValues reads an object of every kind of value, skipping the
// keys it does not know.
func TestReaderValues(t *testing.T) {
	in := ` { "s" : "x", "u": 4294967295, "i": -3, "b": true, "n": null, "skip": {"a": [1, 2.5e3, {"b": null}], "c": "}"}, "a": ["p", "q"], "e": [] } `
	rd := NewReader([]byte(in))
	var s string
	var u uint64
	var i int
	var b, n bool
	var a []string
	err := rd.Object(func(key string) (err error) {
		switch key {
		case "s":
			s, err = rd.String()
		case "u":
			u, err = rd.Uint(32)
		case "i":
			i, err = rd.Int()
		case "b":
			b, err = rd.Bool()
		case "n":
			n = rd.Null()
		case "a":
			_, err = rd.Array(func() error {
				v, err := rd.String()
				a = append(a, v)
				return err
			})
		case "e":
			var ok bool
			ok, err = rd.Array(func() error { return errors.New("no element expected") })
			if !ok {
				err = errors.New("[] read as null")
			}
		default:
			err = rd.Skip()
		}
		return err
	})
	if err == nil {
		err = rd.End()
	}
	if err != nil || s != "x" || u != 1<<32-1 || i != -3 || !b || !n || len(a) != 2 || a[1] != "q" {
		t.Errorf("got %q %d %d %v %v %q, %v", s, u, i, b, n, a, err)
	}
}

// TestReaderTypeErrors checks that a value of another type is an error,
// never a zero value.
func TestReaderTypeErrors(t *testing.T) {
	for _, tt := range []struct {
		in   string
		read func(*Reader) error
	}{
		{`5`, func(r *Reader) error { _, err := r.String(); return err }},
		{`"5"`, func(r *Reader) error { _, err := r.Uint(64); return err }},
		{`-1`, func(r *Reader) error { _, err := r.Uint(64); return err }},
		{`256`, func(r *Reader) error { _, err := r.Uint(8); return err }},
		{`1.5`, func(r *Reader) error { _, err := r.Int(); return err }},
		{`"true"`, func(r *Reader) error { _, err := r.Bool(); return err }},
		{`[]`, func(r *Reader) error { return r.Object(func(string) error { return nil }) }},
		{`{}`, func(r *Reader) error { _, err := r.Array(func() error { return nil }); return err }},
		{`{"a": 1} 2`, func(r *Reader) error { return errors.Join(r.Skip(), r.End()) }},
	} {
		if err := tt.read(NewReader([]byte(tt.in))); err == nil {
			t.Errorf("%s: no error", tt.in)
		}
	}
}

// TestWriter checks the commas and escapes of an object written in
// parts, against encoding/json.
func TestWriter(t *testing.T) {
	var w Writer
	w.OpenObject()
	w.Key("name")
	w.String("a\"b\u2028\x01")
	w.Key("list")
	w.OpenArray()
	w.Uint(1)
	w.Int(-2)
	w.Bool(false)
	w.Null()
	w.OpenObject()
	w.CloseObject()
	w.CloseArray()
	w.Key("empty")
	w.OpenArray()
	w.CloseArray()
	w.CloseObject()
	got, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(map[string]any{"name": "a\"b\u2028\x01", "list": []any{1, -2, false, nil, map[string]any{}}, "empty": []any{}})
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if gb, _ := json.Marshal(g); string(gb) != string(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestWriterString checks that strings come out byte for byte as
// json.Marshal writes them, HTML's characters escaped, so that a
// Writer's output needs no pass through encoding/json.
func TestWriterString(t *testing.T) {
	for _, s := range []string{"", "plain", "<a&b>", "a\"b\\c", "\x01\t\n", "\u2028\u2029", "é", "\xff", "/run/netns/x y"} {
		var w Writer
		w.String(s)
		got, _ := w.Bytes()
		want, _ := json.Marshal(s)
		if string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
