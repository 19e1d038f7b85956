package bgp

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	gobgp "github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

var netipLoopback = netip.MustParseAddr("127.0.0.1")

// TestMD5: a router whose listener takes only segments signed with its
// key (TCP_MD5SIG, RFC 2385) gets the connection of a speaker given the
// same key, and never sees that of a speaker given another: the kernel
// drops its unsigned or wrongly signed SYN.
func TestMD5(t *testing.T) {
	for _, tt := range []struct {
		password string
		connects bool
	}{{"s3cret", true}, {"other", false}, {"", false}} {
		t.Run("speaker key "+tt.password, func(t *testing.T) {
			l := listenRouter(t)
			raw, err := l.ln.SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			err = controlMD5(raw, netipLoopback, "s3cret")
			if errors.Is(err, unix.ENOPROTOOPT) && os.Getenv("VLANRAW_TESTENV") != "vm" {
				// Debian's kernels, those of the QEMU harness, have it.
				t.Skipf("kernel %s has no TCP MD5 signatures (CONFIG_TCP_MD5SIG): %v", testenv.KernelRelease(), err)
			}
			if err != nil {
				t.Fatal(err)
			}
			startSpeaker(t, func(c *Config) {
				connectTo(l)(c)
				c.Peers[0].Password = tt.password
			})
			// The speaker connects at once: two seconds are its first
			// attempt and its first retry.
			l.ln.SetDeadline(time.Now().Add(2 * time.Second))
			c, err := l.ln.Accept()
			switch {
			case tt.connects && err != nil:
				t.Fatalf("the router took no connection: %v", err)
			case !tt.connects && err == nil:
				c.Close()
				t.Fatal("the router took a connection that was not signed with its key")
			case !tt.connects && !isTimeout(err):
				t.Fatalf("accept: %v; want a timeout", err)
			case tt.connects:
				defer c.Close()
			}
		})
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestMD5Listener: the speaker's listener takes the connection of a
// passive peer signed with the peer's key, and answers it with its
// OPEN; a connection signed with another key never completes.
func TestMD5Listener(t *testing.T) {
	for _, tt := range []struct {
		password string
		connects bool
	}{{"s3cret", true}, {"other", false}} {
		t.Run("router key "+tt.password, func(t *testing.T) {
			port := freePort(t)
			startSpeaker(t, func(c *Config) {
				c.ListenPort = port
				c.Peers[0].Passive = true
				c.Peers[0].Password = "s3cret"
			})
			d := net.Dialer{Timeout: 2 * time.Second}
			d.SetMultipathTCP(false)
			d.Control = func(_, _ string, c syscall.RawConn) error { return controlMD5(c, netipLoopback, tt.password) }
			c, err := d.Dial("tcp", netip.AddrPortFrom(netipLoopback, uint16(port)).String())
			if errors.Is(err, unix.ENOPROTOOPT) && os.Getenv("VLANRAW_TESTENV") != "vm" {
				t.Skipf("kernel %s has no TCP MD5 signatures (CONFIG_TCP_MD5SIG): %v", testenv.KernelRelease(), err)
			}
			switch {
			case !tt.connects && err == nil:
				c.Close()
				t.Fatal("the speaker took a connection signed with another key")
			case !tt.connects && !isTimeout(err):
				t.Fatalf("dial: %v; want a timeout", err)
			case !tt.connects:
			case err != nil:
				t.Fatalf("the speaker took no connection: %v", err)
			default:
				defer c.Close()
				r := &router{t: t, c: c, r: bufio.NewReader(c)}
				if _, ok := r.next().Body.(*gobgp.BGPOpen); !ok {
					t.Error("the speaker's first message is not an OPEN")
				}
			}
		})
	}
}
