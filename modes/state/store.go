package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// DefaultDir is where vlanraw keeps its state unless told otherwise.
const DefaultDir = "/var/lib/vlanraw"

// EnvDir is the environment variable that overrides DefaultDir.
const EnvDir = "VLANRAW_STATE_DIR"

// Dir returns the state directory to use: flagValue if it is not empty,
// else the value of the environment variable VLANRAW_STATE_DIR if that is
// not empty, else DefaultDir.
func Dir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv(EnvDir); env != "" {
		return env
	}
	return DefaultDir
}

var (
	// ErrSchema is matched by errors that report a state file written with
	// a schema this vlanraw cannot read. They are *SchemaError values.
	ErrSchema = errors.New("unsupported state file schema")

	// ErrCorrupt is matched by errors that report a state file that does
	// not parse.
	ErrCorrupt = errors.New("corrupt state file")
)

// SchemaError reports a state file whose schema is not the one the Store
// knows, and which cannot be migrated. It matches ErrSchema.
type SchemaError struct {
	// Path is the state file.
	Path string
	// Found is the schema the file was written with.
	Found int
	// Known is the schema of the Store.
	Known int
}

// Error implements error.
func (e *SchemaError) Error() string {
	if e.Found > e.Known {
		return fmt.Sprintf("state file %s was written by a newer vlanraw (schema %d, this one knows %d); upgrade vlanraw",
			e.Path, e.Found, e.Known)
	}
	return fmt.Sprintf("state file %s was written by an older vlanraw (schema %d, this one knows %d) and cannot be migrated; "+
		"remove its networks with that vlanraw, or move the file away to start afresh", e.Path, e.Found, e.Known)
}

// Is reports whether target is ErrSchema.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// MigrateFunc turns the data of a state file written with the older
// schema from into data of the Store's schema. data is the "data" member
// of the file, as it is there.
type MigrateFunc func(from int, data json.RawMessage) (json.RawMessage, error)

// Option configures a Store.
type Option func(*options)

type options struct {
	migrate MigrateFunc
}

// Migrate makes the Store read files written with an older schema by
// passing their data through fn first. Update writes the result with the
// Store's schema; View leaves the file as it is.
func Migrate(fn MigrateFunc) Option {
	return func(o *options) { o.migrate = fn }
}

// Store keeps one JSON document of type T in dir/name.json, guarded by
// flocks on dir/name.lock. It is safe for concurrent use by goroutines
// and processes. See the package documentation.
type Store[T any] struct {
	dir    string
	name   string
	schema int
	opts   options
	// recoverFn and validateFn are set by SetRecover and SetValidate
	// (see intent.go).
	recoverFn  func(*T, []byte) error
	validateFn func(*T) error
}

// Open returns the Store for dir/name.json holding documents of type T
// with schema number schema (1 or more), creating dir (mode 0700, with its
// parents) if it does not exist. name is a plain file name made of
// letters, digits, '.', '_' and '-', such as "networks". Open does not
// read the file.
func Open[T any](dir, name string, schema int, opts ...Option) (*Store[T], error) {
	if dir == "" {
		return nil, errors.New("open state: no directory given; use state.Dir to pick one")
	}
	if !validName(name) {
		return nil, fmt.Errorf("open state: invalid name %q: use letters, digits, '.', '_' and '-' only, such as \"networks\"", name)
	}
	if schema < 1 {
		return nil, fmt.Errorf("open state %s: invalid schema %d: schemas start at 1", name, schema)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	s := &Store[T]{dir: dir, name: name, schema: schema}
	for _, o := range opts {
		o(&s.opts)
	}
	return s, nil
}

func validName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// Path returns the path of the state file, dir/name.json.
func (s *Store[T]) Path() string { return filepath.Join(s.dir, s.file()) }

func (s *Store[T]) file() string     { return s.name + ".json" }
func (s *Store[T]) lockPath() string { return filepath.Join(s.dir, s.name+".lock") }

// View reads the document under a shared lock and calls fn with it. A
// missing file reads as the zero T. Changes fn makes are not saved. fn's
// error is returned as it is.
func (s *Store[T]) View(fn func(*T) error) error {
	l, err := lockFile(s.lockPath(), unix.LOCK_SH)
	if err != nil {
		return err
	}
	if s.recoverFn != nil && s.hasIntent() {
		// Work left behind is finished under the exclusive lock.
		l.Close()
		if l, err = lockFile(s.lockPath(), unix.LOCK_EX); err != nil {
			return err
		}
	}
	defer l.Close()
	v, old, err := s.read()
	if err != nil {
		return err
	}
	if _, err := s.recoverLocked(v, old); err != nil {
		return err
	}
	return fn(v)
}

// Update reads the document under an exclusive lock, calls fn with it and,
// only if fn returns nil, writes it back atomically (see the package
// documentation) before releasing the lock. A missing file reads as the
// zero T. If fn returns an error, nothing is written and that error is
// returned as it is. A document that encodes to the bytes already on disk
// is not rewritten.
func (s *Store[T]) Update(fn func(*T) error) error {
	l, err := lockFile(s.lockPath(), unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer l.Close()
	v, old, err := s.read()
	if err != nil {
		return err
	}
	if old, err = s.recoverLocked(v, old); err != nil {
		return err
	}
	if err := fn(v); err != nil {
		if !errors.Is(err, ErrUnfinished) {
			// Rolled back: nothing is left to finish.
			if derr := s.dropIntent(); derr != nil {
				return errors.Join(err, derr)
			}
		}
		return err
	}
	if _, err := s.writeIfChanged(v, old); err != nil {
		return err
	}
	return s.dropIntent()
}

// writeIfChanged writes v unless it encodes to old, the file's bytes, and
// returns the bytes now in the file.
func (s *Store[T]) writeIfChanged(v *T, old []byte) ([]byte, error) {
	b, err := s.encode(v)
	if err != nil {
		return old, err
	}
	if bytes.Equal(b, old) {
		return old, nil
	}
	if err := writeAtomic(s.dir, s.file(), b); err != nil {
		return old, err
	}
	return b, nil
}

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

// read returns the document and the file's bytes (nil when there is no
// file).
func (s *Store[T]) read() (*T, []byte, error) {
	v := new(T)
	path := s.Path()
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return v, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read state: %w", err)
	}
	var env header
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, nil, s.corrupt(err.Error())
	}
	if env.Schema == nil || *env.Schema < 1 {
		return nil, nil, s.corrupt(`it has no "schema" number`)
	}
	data := env.Data
	switch found := *env.Schema; {
	case found > s.schema:
		return nil, nil, &SchemaError{Path: path, Found: found, Known: s.schema}
	case found < s.schema:
		if s.opts.migrate == nil {
			return nil, nil, &SchemaError{Path: path, Found: found, Known: s.schema}
		}
		if data, err = s.opts.migrate(found, data); err != nil {
			return nil, nil, fmt.Errorf("migrate state file %s from schema %d to %d: %w", path, found, s.schema, err)
		}
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, v); err != nil {
			return nil, nil, s.corrupt(err.Error())
		}
	}
	if s.validateFn != nil {
		if err := s.validateFn(v); err != nil {
			return nil, nil, s.corrupt(err.Error())
		}
	}
	return v, raw, nil
}

func (s *Store[T]) corrupt(why string) error {
	return fmt.Errorf("%w %s: %s; repair it or move it away (vlanraw never resets it)", ErrCorrupt, s.Path(), why)
}

// encode returns the file contents for v.
func (s *Store[T]) encode(v *T) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode state %s: %w", s.name, err)
	}
	b, err := json.MarshalIndent(envelope{Schema: s.schema, Data: data}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state %s: %w", s.name, err)
	}
	return append(b, '\n'), nil
}
