package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/internal/osfile"
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
	migrate  MigrateFunc
	volatile *volatileFuncs
}

// Migrate makes the Store read files written with an older schema by
// passing their data through fn first. Update writes the result with the
// Store's schema; View leaves the file as it is.
func Migrate(fn MigrateFunc) Option {
	return func(o *options) { o.migrate = fn }
}

// Store keeps one JSON document of type T in dir/name.json, guarded by
// flocks on dir/name.lock. It is safe for concurrent use by goroutines
// and processes; its Set methods are not, and are called before it is
// used. See the package documentation.
type Store[T any] struct {
	dir    string
	name   string
	schema int
	opts   options

	recover  func(v *T, intent []byte) error
	validate func(*T) error
	wait     waitConfig

	// active is the Update in progress, for Intend. The exclusive lock
	// makes it the only one of the Store.
	active atomic.Pointer[update]
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

// SetValidate sets a function that checks each document read from the
// file, after decoding and migrating it. The error it returns is
// reported as a corrupt file: it matches ErrCorrupt and names the file.
// A missing file is not checked.
func (s *Store[T]) SetValidate(fn func(*T) error) { s.validate = fn }

// SetWait makes View and Update report and limit their waits for the
// lock. When the lock is not free at once, waiting (if not nil) is called
// after about a second with the process holding it; after timeout (if
// not 0) they give up with an error matching ErrLockTimeout that names
// the lock file and its holder. The flock(2) call they give up on
// releases the lock at once if it gets it later. Without SetWait, they
// wait as long as it takes, silently.
func (s *Store[T]) SetWait(timeout time.Duration, waiting func(Holder)) {
	s.wait = waitConfig{timeout: timeout, waiting: waiting}
}

// lock takes the lock: unix.LOCK_SH or unix.LOCK_EX.
func (s *Store[T]) lock(how int) (*os.File, error) { return lockFile(s.lockPath(), how, s.wait) }

// View reads the document under a shared lock and calls fn with it. A
// missing file reads as the zero T. Changes fn makes are not saved. fn's
// error is returned as it is. If an intent file is left (see SetRecover),
// View first finishes its work under the exclusive lock, and then holds
// that one while it reads.
func (s *Store[T]) View(fn func(*T) error) error {
	l, err := s.lock(unix.LOCK_SH)
	if err != nil {
		return err
	}
	defer func() { l.Close() }()
	pending, err := s.hasIntent()
	if err != nil {
		return err
	}
	if pending {
		if s.recover == nil {
			return s.noRecover()
		}
		l.Close()
		if testHookRelock != nil {
			testHookRelock()
		}
		if l, err = s.lock(unix.LOCK_EX); err != nil {
			return err
		}
		// Another process may have recovered meanwhile: recoverLocked
		// looks again.
		if err := s.recoverLocked(); err != nil {
			return err
		}
	}
	d, err := s.read()
	if err != nil {
		return err
	}
	return fn(d.v)
}

// Update reads the document under an exclusive lock, calls fn with it and,
// only if fn returns nil, writes it back atomically (see the package
// documentation) before releasing the lock. A missing file reads as the
// zero T. If fn returns an error, nothing is written and that error is
// returned as it is. A document that encodes to the bytes already on disk
// is not rewritten.
//
// fn may record what it is about to do outside the store with Intend;
// see there for what happens to the record. If an intent file is left
// from before (see SetRecover), Update finishes its work before reading
// the document for fn.
func (s *Store[T]) Update(fn func(*T) error) error {
	l, err := s.lock(unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := s.recoverLocked(); err != nil {
		return err
	}
	d, err := s.read()
	if err != nil {
		return err
	}
	u := new(update)
	s.active.Store(u)
	defer s.active.Store(nil)
	if err := fn(d.v); err != nil {
		if u.intended && !errors.Is(err, ErrUnfinished) {
			if rerr := s.removeIntent(); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
	// If this fails, the intent file stays: the work it records is done,
	// and the next View or Update reconciles the document with it.
	if err := s.save(d); err != nil {
		return err
	}
	if u.intended {
		return s.removeIntent()
	}
	return nil
}

// loaded is a document as read from the state file.
type loaded[T any] struct {
	v *T
	// raw is the file's contents, nil if there is no file.
	raw []byte
	// schema is the schema the file was written with.
	schema int
	// volName is the volatile file of this boot and volRaw its
	// contents, nil if there is none (see Volatile).
	volName string
	volRaw  []byte
}

// save writes d's document to the state file unless the file holds it
// already, backing up a file of an older schema first, and its volatile
// part, if the Store has one, to the volatile file (see Volatile).
func (s *Store[T]) save(d *loaded[T]) error {
	var doc, part any = d.v, nil
	if s.opts.volatile != nil {
		doc, part = s.opts.volatile.split(d.v)
	}
	b, err := s.encodeAny(doc)
	if err != nil {
		return err
	}
	if !bytes.Equal(b, d.raw) {
		if d.raw != nil && d.schema < s.schema {
			if err := s.backup(d.raw, d.schema); err != nil {
				return err
			}
		}
		if err := writeAtomic(s.dir, s.file(), b); err != nil {
			return err
		}
	}
	if s.opts.volatile == nil {
		return nil
	}
	return s.saveVolatile(d, part)
}

// read reads, migrates and checks the document.
func (s *Store[T]) read() (*loaded[T], error) {
	v := new(T)
	path := s.Path()
	raw, err := osfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		d := &loaded[T]{v: v, schema: s.schema}
		return d, s.finishRead(d)
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	env, err := decodeEnvelope(raw)
	if err != nil {
		return nil, s.corrupt(err)
	}
	if env.Schema == nil || *env.Schema < 1 {
		return nil, s.corrupt(errors.New(`it has no "schema" number`))
	}
	data := env.Data
	found := *env.Schema
	switch {
	case found > s.schema:
		return nil, &SchemaError{Path: path, Found: found, Known: s.schema}
	case found < s.schema:
		if s.opts.migrate == nil {
			return nil, &SchemaError{Path: path, Found: found, Known: s.schema}
		}
		if data, err = s.opts.migrate(found, data); err != nil {
			return nil, s.corrupt(fmt.Errorf("cannot migrate it from schema %d to %d: %w", found, s.schema, err))
		}
	}
	if len(data) > 0 {
		if err := decodeDocument(data, v); err != nil {
			return nil, s.corrupt(err)
		}
	}
	d := &loaded[T]{v: v, raw: raw, schema: found}
	return d, s.finishRead(d)
}

// finishRead joins the volatile part into d, if the Store has one, and
// checks the document.
func (s *Store[T]) finishRead(d *loaded[T]) error {
	if s.opts.volatile != nil {
		if err := s.readVolatile(d); err != nil {
			return err
		}
	}
	if s.validate != nil && (d.raw != nil || d.volRaw != nil) {
		if err := s.validate(d.v); err != nil {
			path := s.Path()
			if d.volRaw != nil {
				path += " (with " + d.volName + ")"
			}
			return s.corruptFile(path, err)
		}
	}
	return nil
}

// corrupt is the error of a state file that does not parse or check, for
// the reason why.
func (s *Store[T]) corrupt(why error) error { return s.corruptFile(s.Path(), why) }

// corruptFile is the error of the state file at path.
func (s *Store[T]) corruptFile(path string, why error) error {
	return fmt.Errorf("%w %s: %w; repair it or move it away (vlanraw never resets it)", ErrCorrupt, path, why)
}

// encodeAny returns the file contents for v.
func (s *Store[T]) encodeAny(v any) ([]byte, error) {
	b, err := encodeEnvelope(s.schema, v)
	if err != nil {
		return nil, fmt.Errorf("encode state %s: %w", s.name, err)
	}
	return b, nil
}
