package netns_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/netns"
)

// TestPath reads every form of NETNS word, and refuses the words of no
// form with an error that says what is wrong and which forms to give.
func TestPath(t *testing.T) {
	for _, tc := range []struct {
		word, path string
		// why is what the error says is wrong, "" when the word is good.
		why string
	}{
		{"blue", "/run/netns/blue", ""},
		{"vrtest-0a1b", "/run/netns/vrtest-0a1b", ""},
		{"-3", "/run/netns/-3", ""},
		{"blue.1", "/run/netns/blue.1", ""},
		{"1234", "/proc/1234/ns/net", ""},
		{"007", "/proc/7/ns/net", ""},
		{"/proc/1234/ns/net", "/proc/1234/ns/net", ""},
		{"/run/netns/blue", "/run/netns/blue", ""},
		{"/run/netns/1234", "/run/netns/1234", ""},
		{"/run//netns/./x/", "/run/netns/x", ""},
		{"/", "/", ""},
		{"", "", "no network namespace given"},
		{"0", "", "invalid process id 0: a process id is a whole number from 1"},
		{"000", "", "invalid process id 000: a process id is a whole number from 1"},
		{"99999999999999999999", "", "invalid process id 99999999999999999999"},
		{"a/b", "", `invalid namespace name "a/b": a name has no "/", and a path starts with "/"`},
		{"./blue", "", `invalid namespace name "./blue": a name has no "/"`},
		{"proc/1/ns/net", "", `invalid namespace name "proc/1/ns/net"`},
		{".", "", `invalid namespace name "."`},
		{"..", "", `invalid namespace name ".."`},
	} {
		t.Run(tc.word, func(t *testing.T) {
			path, err := netns.Path(tc.word)
			if tc.why == "" {
				if err != nil || path != tc.path {
					t.Fatalf("Path(%q) = %q, %v; want %q", tc.word, path, err, tc.path)
				}
				return
			}
			if err == nil {
				t.Fatalf("Path(%q) = %q, want an error saying %q", tc.word, path, tc.why)
			}
			if !errors.Is(err, errdefs.ErrInvalid) {
				t.Errorf("Path(%q): %v does not match ErrInvalid", tc.word, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.why) {
				t.Errorf("Path(%q): %q does not start with %q", tc.word, msg, tc.why)
			}
			// What to do: the accepted forms, with an example of each.
			const todo = "; give a name under /run/netns, a path such as /proc/PID/ns/net, or a process id"
			if !strings.HasSuffix(msg, todo) {
				t.Errorf("Path(%q): %q does not end with %q", tc.word, msg, todo)
			}
		})
	}
}
