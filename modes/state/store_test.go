package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

type doc struct {
	Networks map[string]string `json:"networks,omitempty"`
	Items    []string          `json:"items,omitempty"`
	Ints     []int             `json:"ints,omitempty"`
}

func open(t testing.TB, dir string, schema int, opts ...Option) *Store[doc] {
	t.Helper()
	s, err := Open[doc](dir, "test", schema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func view(t testing.TB, s *Store[doc]) doc {
	t.Helper()
	var got doc
	if err := s.View(func(d *doc) error { got = *d; return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := open(t, dir, 1)
	if got, want := s.Path(), filepath.Join(dir, "test.json"); got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir: %v, %v; want mode 0700", fi.Mode(), err)
	}
	if got := view(t, s); !cmp.Equal(got, doc{}) {
		t.Errorf("View of a missing file = %+v, want the zero value", got)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("View created the state file: %v", err)
	}

	want := doc{Networks: map[string]string{"blue": "ipvlan"}, Items: []string{"x"}}
	if err := s.Update(func(d *doc) error { *d = want; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := view(t, s); !cmp.Equal(got, want) {
		t.Errorf("View after Update (-want +got):\n%s", cmp.Diff(want, got))
	}
	if got := view(t, open(t, dir, 1)); !cmp.Equal(got, want) {
		t.Errorf("View through a second Store (-want +got):\n%s", cmp.Diff(want, got))
	}
	wantFile := `{
  "schema": 1,
  "data": {
    "networks": {
      "blue": "ipvlan"
    },
    "items": [
      "x"
    ]
  }
}
`
	if got := string(read(t, s.Path())); got != wantFile {
		t.Errorf("file:\n%s\nwant:\n%s", got, wantFile)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v; want mode 0600", fi.Mode(), err)
	}

	// View's changes are not saved.
	if err := s.View(func(d *doc) error { d.Items = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := string(read(t, s.Path())); got != wantFile {
		t.Errorf("View changed the file:\n%s", got)
	}
}

func TestFnErrorWritesNothing(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	errNo := errors.New("no")
	if err := s.Update(func(d *doc) error { d.Items = []string{"a"}; return errNo }); err != errNo {
		t.Fatalf("Update = %v, want fn's error as it is", err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed first Update created the file: %v", err)
	}

	if err := s.Update(func(d *doc) error { d.Items = []string{"kept"}; return nil }); err != nil {
		t.Fatal(err)
	}
	before := read(t, s.Path())
	wrapped := errors.New("wrapped")
	if err := s.Update(func(d *doc) error {
		d.Items = append(d.Items, "lost")
		d.Networks = map[string]string{"x": "y"}
		return errors.Join(errNo, wrapped)
	}); !errors.Is(err, wrapped) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if after := read(t, s.Path()); !bytes.Equal(before, after) {
		t.Errorf("file changed after a failed Update:\n%s\nwas:\n%s", after, before)
	}
	if err := s.View(func(*doc) error { return errNo }); err != errNo {
		t.Errorf("View = %v, want fn's error as it is", err)
	}

	// A panicking fn writes nothing either, and releases the lock.
	func() {
		defer func() { recover() }()
		s.Update(func(d *doc) error { d.Items = nil; panic("boom") })
	}()
	if after := read(t, s.Path()); !bytes.Equal(before, after) {
		t.Errorf("file changed after a panicking Update:\n%s", after)
	}
	if err := s.Update(func(d *doc) error { d.Items = append(d.Items, "next"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := view(t, s).Items; !cmp.Equal(got, []string{"kept", "next"}) {
		t.Errorf("Items = %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path()))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestUnchangedIsNotRewritten(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	if err := s.Update(func(d *doc) error { d.Items = []string{"a"}; return nil }); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(s.Path())
	if err := s.Update(func(d *doc) error { return nil }); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(s.Path())
	if !os.SameFile(before, after) {
		t.Error("an Update that changed nothing replaced the file")
	}
	if err := s.Update(func(d *doc) error { d.Items = []string{"b"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if changed, _ := os.Stat(s.Path()); os.SameFile(before, changed) {
		t.Error("an Update that changed the document did not replace the file")
	}
}

func TestSchema(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.json")
	const v1 = "{\n  \"schema\": 1,\n  \"data\": {\n    \"items\": [\n      \"old\"\n    ]\n  }\n}\n"

	tests := []struct {
		name    string
		file    string
		schema  int
		opts    []Option
		want    doc
		wantErr string
		is      error
	}{
		{name: "same", file: v1, schema: 1, want: doc{Items: []string{"old"}}},
		{name: "newer", file: strings.Replace(v1, "1", "3", 1), schema: 2, is: ErrSchema,
			wantErr: "state file " + path + " was written by a newer vlanraw (schema 3, this one knows 2); upgrade vlanraw"},
		{name: "older", file: v1, schema: 2, is: ErrSchema,
			wantErr: "state file " + path + " was written by an older vlanraw (schema 1, this one knows 2) and cannot be migrated; " +
				"remove its networks with that vlanraw, or move the file away to start afresh"},
		{name: "older, migrated", file: v1, schema: 2,
			opts: []Option{Migrate(func(from int, data json.RawMessage) (json.RawMessage, error) {
				if from != 1 {
					return nil, errors.New("unexpected schema")
				}
				return json.RawMessage(strings.Replace(string(data), "old", "migrated", 1)), nil
			})},
			want: doc{Items: []string{"migrated"}}},
		{name: "older, migration fails", file: v1, schema: 2, is: os.ErrInvalid,
			opts: []Option{Migrate(func(int, json.RawMessage) (json.RawMessage, error) {
				return nil, os.ErrInvalid
			})},
			wantErr: "corrupt state file " + path + ": cannot migrate it from schema 1 to 2: invalid argument; repair it or move it away (vlanraw never resets it)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, path, tt.file)
			s := open(t, dir, tt.schema, tt.opts...)
			var got doc
			err := s.View(func(d *doc) error { got = *d; return nil })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, tt.is) {
					t.Fatalf("View = %v\nwant %q matching %v", err, tt.wantErr, tt.is)
				}
				if err := s.Update(func(*doc) error { t.Error("Update called fn"); return nil }); err == nil || err.Error() != tt.wantErr {
					t.Errorf("Update = %v, want %q", err, tt.wantErr)
				}
				if got := string(read(t, path)); got != tt.file {
					t.Errorf("file changed:\n%s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(got, tt.want) {
				t.Errorf("View (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
			if got := string(read(t, path)); got != tt.file {
				t.Errorf("View changed the file:\n%s", got)
			}
			if err := s.Update(func(*doc) error { return nil }); err != nil {
				t.Fatal(err)
			}
			var env envelope
			if err := json.Unmarshal(read(t, path), &env); err != nil || env.Schema != tt.schema {
				t.Errorf("after Update the file has schema %d (%v), want %d", env.Schema, err, tt.schema)
			}
			if got := view(t, s); !cmp.Equal(got, tt.want) {
				t.Errorf("View after Update (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.json")
	tests := []struct{ name, file, why string }{
		{"empty", "", "unexpected end of JSON input"},
		{"garbage", "not json", "invalid character 'o' in literal null (expecting 'u')"},
		{"truncated", `{"schema": 1, "data": {"items": ["a"`, "unexpected end of JSON input"},
		{"trailing garbage", `{"schema": 1, "data": {}} {}`, "invalid character '{' after top-level value"},
		{"no schema", `{"data": {}}`, `it has no "schema" number`},
		{"schema 0", `{"schema": 0, "data": {}}`, `it has no "schema" number`},
		{"schema a string", `{"schema": "1", "data": {}}`, "cannot unmarshal string"},
		{"data of the wrong type", `{"schema": 1, "data": {"items": "a"}}`, "cannot unmarshal string"},
		{"a bare array", `[]`, "cannot unmarshal array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, path, tt.file)
			s := open(t, dir, 1)
			err := s.View(func(*doc) error { return nil })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("View = %v, want ErrCorrupt", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "corrupt state file "+path+": ") || !strings.Contains(msg, tt.why) ||
				!strings.HasSuffix(msg, "; repair it or move it away (vlanraw never resets it)") {
				t.Errorf("View:\n%s\nwant the file named, %q, and what to do", msg, tt.why)
			}
			if err := s.Update(func(d *doc) error { return nil }); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Update = %v, want ErrCorrupt", err)
			}
			if got := string(read(t, path)); got != tt.file {
				t.Errorf("the corrupt file was changed to:\n%s", got)
			}
		})
	}
	write(t, path, `{"schema": 1, "data": null}`)
	if got := view(t, open(t, dir, 1)); !cmp.Equal(got, doc{}) {
		t.Errorf("null data = %+v, want the zero value", got)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		dir, name string
		schema    int
		wantErr   string
	}{
		{dir, "networks", 1, ""},
		{dir, "net-works_2.v1", 7, ""},
		{"", "networks", 1, "open state: no directory given; use state.Dir to pick one"},
		{dir, "", 1, `open state: invalid name "": use letters, digits, '.', '_' and '-' only, such as "networks"`},
		{dir, "..", 1, `open state: invalid name "..": use letters, digits, '.', '_' and '-' only, such as "networks"`},
		{dir, "a/b", 1, `open state: invalid name "a/b": use letters, digits, '.', '_' and '-' only, such as "networks"`},
		{dir, "net*", 1, `open state: invalid name "net*": use letters, digits, '.', '_' and '-' only, such as "networks"`},
		{dir, "networks", 0, "open state networks: invalid schema 0: schemas start at 1"},
	} {
		_, err := Open[doc](tt.dir, tt.name, tt.schema)
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.wantErr {
				t.Errorf("Open(%q, %q, %d) = %q, want %q", tt.dir, tt.name, tt.schema, got, tt.wantErr)
			}
		} else if tt.wantErr != "" {
			t.Errorf("Open(%q, %q, %d) succeeded, want %q", tt.dir, tt.name, tt.schema, tt.wantErr)
		}
	}
	file := filepath.Join(dir, "file")
	write(t, file, "")
	if _, err := Open[doc](filepath.Join(file, "sub"), "x", 1); err == nil {
		t.Error("Open under a regular file succeeded")
	}
}

func TestDir(t *testing.T) {
	t.Setenv(EnvDir, "")
	if got := Dir(""); got != DefaultDir {
		t.Errorf("Dir(\"\") = %q, want %q", got, DefaultDir)
	}
	if got := Dir("/flag"); got != "/flag" {
		t.Errorf("Dir(/flag) = %q", got)
	}
	t.Setenv(EnvDir, "/env")
	if got := Dir(""); got != "/env" {
		t.Errorf("Dir(\"\") with %s set = %q, want /env", EnvDir, got)
	}
	if got := Dir("/flag"); got != "/flag" {
		t.Errorf("Dir(/flag) with %s set = %q, want /flag", EnvDir, got)
	}
}

// TestLocks checks from outside which flock each call holds while its fn
// runs.
func TestLocks(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	try := func(how int) error {
		f, err := os.Open(s.lockPath())
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
	}
	s.View(func(*doc) error {
		if err := try(unix.LOCK_SH); err != nil {
			t.Errorf("a shared lock during View: %v", err)
		}
		if err := try(unix.LOCK_EX); err != unix.EWOULDBLOCK {
			t.Errorf("an exclusive lock during View: %v, want EWOULDBLOCK", err)
		}
		return nil
	})
	s.Update(func(*doc) error {
		if err := try(unix.LOCK_SH); err != unix.EWOULDBLOCK {
			t.Errorf("a shared lock during Update: %v, want EWOULDBLOCK", err)
		}
		return nil
	})
	if err := try(unix.LOCK_EX); err != nil {
		t.Errorf("an exclusive lock after Update: %v", err)
	}
}

// TestInterruptedWrite stops a write after the temporary file is complete
// and synced but before the rename: the state file must still hold the
// old document.
func TestInterruptedWrite(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	before := read(t, s.Path())
	errCrash := errors.New("crash")
	var tmpName string
	testHookBeforeRename = func(tmp string) error {
		tmpName = tmp
		var env envelope
		if err := json.Unmarshal(read(t, tmp), &env); err != nil {
			t.Errorf("temporary file incomplete before the rename: %v", err)
		}
		if now := read(t, s.Path()); !bytes.Equal(now, before) {
			t.Errorf("state file changed before the rename:\n%s", now)
		}
		return errCrash
	}
	defer func() { testHookBeforeRename = nil }()
	if err := s.Update(func(d *doc) error { d.Items = []string{"new"}; return nil }); !errors.Is(err, errCrash) {
		t.Fatalf("Update = %v, want the hook's error", err)
	}
	if tmpName == "" || filepath.Dir(tmpName) != filepath.Dir(s.Path()) {
		t.Errorf("temporary file %q is not in the state directory", tmpName)
	}
	if _, err := os.Stat(tmpName); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left after a failed write: %v", err)
	}
	if after := read(t, s.Path()); !bytes.Equal(after, before) {
		t.Errorf("state file after an interrupted write:\n%s\nwant:\n%s", after, before)
	}
}

// TestNoPartialFile reads the state file without any lock, over and over,
// while another goroutine keeps replacing it with large documents: every
// read must parse.
func TestNoPartialFile(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	big := strings.Repeat("x", 64<<10) // many write(2) calls' worth for a reader to land between
	const writes = 60
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range writes {
			if err := s.Update(func(d *doc) error {
				d.Items = []string{big, strconv.Itoa(i)}
				d.Ints = []int{i, i}
				return nil
			}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	reads := 0
	for stop := false; !stop; {
		select {
		case <-done:
			stop = true
		default:
		}
		b, err := os.ReadFile(s.Path())
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var env envelope
		var d doc
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("read %d: a partial file of %d bytes: %v", reads, len(b), err)
		}
		if err := json.Unmarshal(env.Data, &d); err != nil || len(d.Items) != len(d.Ints) {
			t.Fatalf("read %d: inconsistent document: %v", reads, err)
		}
		reads++
	}
	wg.Wait()
	if got := view(t, s); !slices.Equal(got.Ints, []int{writes - 1, writes - 1}) {
		t.Errorf("last document holds %v, want the last write's", got.Ints)
	}
	t.Logf("%d unlocked reads during %d writes", reads, writes)
}

func TestParallelGoroutines(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := claim(s, w, i); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	checkClaims(t, s, workers, each, nil)
}
