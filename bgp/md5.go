package bgp

import (
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// setMD5 gives the TCP socket fd the MD5 signature key (RFC 2385) of the
// neighbour at addr (TCP_MD5SIG): segments to and from it are signed
// with key and unsigned ones dropped. On a listening socket it applies
// to the connections it accepts from addr.
func setMD5(fd int, addr netip.Addr, key string) error {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fmt.Errorf("TCP MD5 key for %s: %w", addr, err)
	}
	sig := unix.TCPMD5Sig{Keylen: uint16(len(key))}
	copy(sig.Key[:], key)
	// The kernel reads an address of the socket's family: an IPv4
	// neighbour of an IPv6 socket is v4-mapped.
	if _, ok := sa.(*unix.SockaddrInet4); ok {
		raw := (*unix.RawSockaddrInet4)(unsafe.Pointer(&sig.Addr))
		raw.Family = unix.AF_INET
		raw.Addr = addr.Unmap().As4()
	} else {
		raw := (*unix.RawSockaddrInet6)(unsafe.Pointer(&sig.Addr))
		raw.Family = unix.AF_INET6
		raw.Addr = addr.As16()
	}
	if err := unix.SetsockoptTCPMD5Sig(fd, unix.IPPROTO_TCP, unix.TCP_MD5SIG, &sig); err != nil {
		return fmt.Errorf("TCP MD5 key for %s (TCP_MD5SIG): %w", addr, err)
	}
	return nil
}

// controlMD5 runs setMD5 on a socket through its syscall.RawConn.
func controlMD5(c syscall.RawConn, addr netip.Addr, key string) error {
	var err error
	if cerr := c.Control(func(fd uintptr) { err = setMD5(int(fd), addr, key) }); cerr != nil {
		return cerr
	}
	return err
}
