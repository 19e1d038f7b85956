package modes

import (
	"errors"
	"os"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// openSysctlsAt, from a thread outside the namespace whose
// /proc/sys/net/ipv6/conf openSysctlBase opened, reaches the directory of
// a link made there afterwards, and not that of a link of the same
// name in the caller's own namespace: the kernel looks names up below a
// namespace's directory in that namespace (make relies on it).
func TestOpenSysctlsAtStaysInNamespace(t *testing.T) {
	a, _ := testenv.NewNetNS(t)
	b, _ := testenv.NewNetNS(t)
	var base *os.File
	err := a.Do(func() error {
		var err error
		base, err = openSysctlBase(nil, ipv6Conf)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if base == nil {
		t.Skip("kernel without IPv6: no /proc/sys/net/ipv6")
	}
	defer base.Close()
	// Made after base was opened: sx0 in a, sx1 (its peer) and sy0 in b.
	ha, hb := openHandle(t, a), openHandle(t, b)
	if err := ha.Create(&links.Veth{Attrs: links.Attrs{Name: "sx0"}, Peer: links.Attrs{Name: "sx1", NetNS: b}}); err != nil {
		t.Fatal(err)
	}
	if err := hb.Create(&links.Veth{Attrs: links.Attrs{Name: "sy0"}, Peer: links.Attrs{Name: "sy1"}}); err != nil {
		t.Fatal(err)
	}
	// The test's goroutine runs in neither a nor b; entering b shows a
	// thread there does not see a's links either.
	for i, from := range []*netns.NS{nil, b} {
		v := []string{"1", "0"}[i] // each pass changes the value
		err := from.Do(func() error {
			for _, tt := range []struct {
				name string
				want string // "" when the directory must not be found
			}{
				{"sx0", v},
				{"sx1", ""}, // in b
				{"sy0", ""}, // in b
			} {
				kv := []sysctl{{path: ipv6Conf + "/" + tt.name + "/disable_ipv6", value: v}}
				s, err := openSysctlsAt(base, ipv6Conf, kv)
				if tt.want == "" {
					if !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s: %v, want an error matching os.ErrNotExist", tt.name, err)
					}
					if s != nil {
						s.Close()
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
					continue
				}
				err = s.write()
				s.Close()
				if err != nil {
					t.Errorf("write %s: %v", kv[0].path, err)
				}
				got, err := readSysctl(a, kv[0].path)
				if err != nil || got != tt.want {
					t.Errorf("%s in a after the write: %q, %v; want %q", kv[0].path, got, err, tt.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A nil base (no IPv6) fails what is not optional and skips what is.
func TestOpenSysctlsAtWithoutBase(t *testing.T) {
	_, err := openSysctlsAt(nil, ipv6Conf, []sysctl{{path: ipv6Conf + "/eth0/disable_ipv6", value: "1"}})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("required value: %v, want an error matching os.ErrNotExist", err)
	}
	s, err := openSysctlsAt(nil, ipv6Conf, []sysctl{{path: ipv6Conf + "/eth0/ndisc_notify", value: "1", optional: true}})
	if err != nil {
		t.Fatalf("optional value: %v", err)
	}
	defer s.Close()
	if err := s.write(); err != nil {
		t.Errorf("write of a skipped value: %v", err)
	}
}
