package state

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// intentOf returns the contents of s's intent file, or "-" if there is
// none.
func intentOf(t *testing.T, s *Store[doc]) string {
	t.Helper()
	b, err := s.readIntent()
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		return "-"
	}
	return string(b)
}

// noTemporaryFiles fails t if dir holds temporary files.
func noTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %q", tmp)
	}
}

// failStateWrite makes every write of the state file (not of the intent
// file) fail with err until the test ends.
func failStateWrite(t *testing.T, err error) {
	testHookBeforeRename = func(tmp string) error {
		if strings.HasSuffix(tmp, ".json.tmp") {
			return err
		}
		return nil
	}
	t.Cleanup(func() { testHookBeforeRename = nil })
}

// TestIntentKeptOrRemoved checks when Update keeps the intent file that
// its fn wrote.
func TestIntentKeptOrRemoved(t *testing.T) {
	errNo := errors.New("no")
	errDisk := errors.New("disk gone")
	tests := []struct {
		name       string
		intents    []string // what fn records, in order
		change     bool     // whether fn changes the document
		fnErr      error
		failWrite  bool // whether writing the state file fails
		wantErr    error
		wantIntent string // "-" for none
		wantItems  []string
	}{
		{name: "success", intents: []string{"a"}, change: true,
			wantIntent: "-", wantItems: []string{"old", "new"}},
		{name: "success, document unchanged", intents: []string{"a"},
			wantIntent: "-", wantItems: []string{"old"}},
		{name: "fn fails", intents: []string{"a"}, change: true, fnErr: errNo, wantErr: errNo,
			wantIntent: "-", wantItems: []string{"old"}},
		{name: "rollback unfinished", intents: []string{"a"}, change: true,
			fnErr: fmt.Errorf("delete link: %w", ErrUnfinished), wantErr: ErrUnfinished,
			wantIntent: "a", wantItems: []string{"old"}},
		{name: "second intent replaces the first", intents: []string{"a", "b"}, fnErr: ErrUnfinished, wantErr: ErrUnfinished,
			wantIntent: "b", wantItems: []string{"old"}},
		{name: "state write fails", intents: []string{"a"}, change: true, failWrite: true, wantErr: errDisk,
			wantIntent: "a", wantItems: []string{"old"}},
		{name: "state write fails without intent", change: true, failWrite: true, wantErr: errDisk,
			wantIntent: "-", wantItems: []string{"old"}},
		{name: "unfinished without intent", fnErr: ErrUnfinished, wantErr: ErrUnfinished,
			wantIntent: "-", wantItems: []string{"old"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, 1)
			if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
				t.Fatal(err)
			}
			if tt.failWrite {
				failStateWrite(t, errDisk)
			}
			err := s.Update(func(d *doc) error {
				for _, in := range tt.intents {
					if err := s.Intend([]byte(in)); err != nil {
						t.Fatal(err)
					}
					if got := intentOf(t, s); got != in {
						t.Errorf("intent file during fn = %q, want %q", got, in)
					}
				}
				if tt.change {
					d.Items = append(d.Items, "new")
				}
				return tt.fnErr
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Update = %v, want %v", err, tt.wantErr)
			}
			if tt.fnErr != nil && err != tt.fnErr {
				t.Errorf("Update = %v, want fn's error as it is", err)
			}
			if got := intentOf(t, s); got != tt.wantIntent {
				t.Errorf("intent file after Update = %q, want %q", got, tt.wantIntent)
			}
			testHookBeforeRename = nil
			s.SetRecover(func(*doc, []byte) error { return nil }) // for the View below
			if got := view(t, s).Items; !slices.Equal(got, tt.wantItems) {
				t.Errorf("Items = %q, want %q", got, tt.wantItems)
			}
			noTemporaryFiles(t, dir)
		})
	}
}

func TestIntendOutsideUpdate(t *testing.T) {
	s := open(t, t.TempDir(), 1)
	const want = "state test: Intend called outside the function given to Update"
	if err := s.Intend([]byte("x")); err == nil || err.Error() != want {
		t.Errorf("Intend outside Update = %v, want %q", err, want)
	}
	s.View(func(*doc) error {
		if err := s.Intend([]byte("x")); err == nil || err.Error() != want {
			t.Errorf("Intend inside View = %v, want %q", err, want)
		}
		return nil
	})
	if err := s.Update(func(*doc) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Intend([]byte("x")); err == nil {
		t.Error("Intend after an Update succeeded")
	}
	if got := intentOf(t, s); got != "-" {
		t.Errorf("intent file %q written", got)
	}
}

// leaveIntent makes an Update leave the intent file holding intent, as
// a process that died would, and returns the state file's contents.
func leaveIntent(t *testing.T, s *Store[doc], intent string) []byte {
	t.Helper()
	if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(d *doc) error {
		d.Items = append(d.Items, "lost")
		if err := s.Intend([]byte(intent)); err != nil {
			t.Fatal(err)
		}
		return ErrUnfinished
	}); !errors.Is(err, ErrUnfinished) {
		t.Fatalf("Update = %v, want ErrUnfinished", err)
	}
	return read(t, s.Path())
}

// TestRecover checks that View and Update finish the work of an intent
// file before doing theirs.
func TestRecover(t *testing.T) {
	errLink := errors.New("link eth9.10 busy")
	calls := map[string]func(*Store[doc], func(*doc)) error{
		"View": func(s *Store[doc], fn func(*doc)) error {
			return s.View(func(d *doc) error { fn(d); return nil })
		},
		"Update": func(s *Store[doc], fn func(*doc)) error {
			return s.Update(func(d *doc) error { fn(d); return nil })
		},
	}
	tests := []struct {
		name       string
		recover    bool
		recoverErr error
		wantErr    string
		wantIs     []error
		wantItems  []string // in the file afterwards
		wantIntent bool     // whether the intent file stays
	}{
		{name: "recovered", recover: true, wantItems: []string{"old", "recovered"}},
		{name: "recovery fails", recover: true, recoverErr: errLink, wantIs: []error{ErrUnfinished, errLink},
			wantErr:    "finish the work of a vlanraw that stopped: link eth9.10 busy (its record stays in DIR/test.intent for the next try)",
			wantItems:  []string{"old"},
			wantIntent: true},
		{name: "no recover function", wantIs: []error{ErrUnfinished},
			wantErr: "DIR/test.intent records the work of a vlanraw that stopped in the middle of a change, and this program cannot finish it: " +
				"run vlanraw to finish it, or undo what it records by hand and remove the file",
			wantItems:  []string{"old"},
			wantIntent: true},
	}
	for _, tt := range tests {
		for _, call := range []string{"View", "Update"} {
			t.Run(tt.name+"/"+call, func(t *testing.T) {
				dir := t.TempDir()
				s := open(t, dir, 1)
				before := leaveIntent(t, s, "link eth9.10")

				s = open(t, dir, 1) // a new command
				var intents []string
				if tt.recover {
					s.SetRecover(func(d *doc, intent []byte) error {
						intents = append(intents, string(intent))
						if err := s.Intend([]byte("x")); err == nil {
							t.Error("Intend succeeded during recovery")
						}
						if tt.recoverErr != nil {
							d.Items = append(d.Items, "not saved")
							return tt.recoverErr
						}
						d.Items = append(d.Items, "recovered")
						return nil
					})
				}
				var seen []string
				err := calls[call](s, func(d *doc) { seen = slices.Clone(d.Items) })
				if tt.wantErr == "" {
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(seen, tt.wantItems) {
						t.Errorf("fn saw %q, want %q", seen, tt.wantItems)
					}
				} else {
					if want := strings.ReplaceAll(tt.wantErr, "DIR", dir); err == nil || err.Error() != want {
						t.Fatalf("%s = %v\nwant %s", call, err, want)
					}
					for _, is := range tt.wantIs {
						if !errors.Is(err, is) {
							t.Errorf("%s = %v, does not match %v", call, err, is)
						}
					}
					if seen != nil {
						t.Errorf("fn called after a failed recovery")
					}
					if got := read(t, s.Path()); string(got) != string(before) {
						t.Errorf("state file changed:\n%s", got)
					}
				}
				if tt.recover && !slices.Equal(intents, []string{"link eth9.10"}) {
					t.Errorf("recover called with %q, want the intent once", intents)
				}
				if got := intentOf(t, s) != "-"; got != tt.wantIntent {
					t.Errorf("intent file present: %v, want %v", got, tt.wantIntent)
				}
				s.SetRecover(func(*doc, []byte) error { return nil })
				if got := view(t, s).Items; !slices.Equal(got, tt.wantItems) {
					t.Errorf("Items in the file = %q, want %q", got, tt.wantItems)
				}
				noTemporaryFiles(t, dir)
			})
		}
	}
}

// TestViewRecoversOnce has another command recover between View's
// release of its shared lock and its taking the exclusive one: View must
// not recover again.
func TestViewRecoversOnce(t *testing.T) {
	dir := t.TempDir()
	leaveIntent(t, open(t, dir, 1), "link eth9.10")
	other := open(t, dir, 1)
	var otherCalls int
	other.SetRecover(func(d *doc, intent []byte) error {
		otherCalls++
		d.Items = append(d.Items, "recovered")
		return nil
	})
	testHookRelock = func() {
		if err := other.Update(func(*doc) error { return nil }); err != nil {
			t.Error(err)
		}
	}
	defer func() { testHookRelock = nil }()

	s := open(t, dir, 1)
	s.SetRecover(func(*doc, []byte) error {
		t.Error("View recovered what another command had recovered")
		return nil
	})
	if got := view(t, s).Items; !slices.Equal(got, []string{"old", "recovered"}) {
		t.Errorf("Items = %q", got)
	}
	if otherCalls != 1 {
		t.Errorf("the other command recovered %d times, want 1", otherCalls)
	}
}

// TestKilledAfterIntend kills a process that recorded an intent and was
// doing its work: the next View must recover with that intent.
func TestKilledAfterIntend(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, 1)
	if err := s.Update(func(d *doc) error { d.Items = []string{"old"}; return nil }); err != nil {
		t.Fatal(err)
	}
	cmd, _ := startHelper(t, "intend-block", dir, "intended")
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want killed", err)
	}

	var intents []string
	s.SetRecover(func(d *doc, intent []byte) error {
		intents = append(intents, string(intent))
		d.Items = append(d.Items, "undone")
		return nil
	})
	if got := view(t, s).Items; !slices.Equal(got, []string{"old", "undone"}) {
		t.Errorf("Items = %q, want the killed process's change lost and the recovery's saved", got)
	}
	if !slices.Equal(intents, []string{"link eth9.10"}) {
		t.Errorf("recover called with %q", intents)
	}
	if got := intentOf(t, s); got != "-" {
		t.Errorf("intent file after recovery: %q", got)
	}
}

// TestCrashWritingIntent kills a process between writing its intent and
// writing the intent file's header: no intent counts, and the next Intend
// and Update work as usual.
func TestCrashWritingIntent(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, 1)
	err := helper("crash-intent", dir).Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("helper: %v, want exit status 3", err)
	}
	if b := read(t, s.intentPath()); !strings.Contains(string(b), "never recorded") {
		t.Fatalf("intent file after the crash: %q, want the intent written but not its header", b)
	}
	if got := intentOf(t, s); got != "-" {
		t.Fatalf("intent after the crash: %q, want none", got)
	}
	view(t, s) // no recover function needed
	if err := s.Update(func(d *doc) error {
		if err := s.Intend([]byte("now")); err != nil {
			return err
		}
		if got := intentOf(t, s); got != "now" {
			t.Errorf("intent: %q, want now", got)
		}
		d.Items = []string{"done"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := intentOf(t, s); got != "-" {
		t.Errorf("intent file: %q", got)
	}
}
