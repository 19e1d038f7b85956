package rtnl_test

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdlayher/netlink/nlenc"
)

// capture is one file written by testdata/capture.sh: a netlink message
// that iproute2 sent (golden/) or received (replies/), with the command
// that produced it.
type capture struct {
	// Name is the file name without directory and extension.
	Name string
	// Cmd is the iproute2 command line, Setup what ran before it.
	Cmd, Setup string
	// IPRoute2 is the `ip -V` output of the binary used.
	IPRoute2 string
	// Parent is the ifindex of p0, the lower device; Index is the
	// ifindex of the device a set or show was about (0 for add).
	Parent uint32
	Index  int32
	// Answer is iproute2's stderr, or "ok".
	Answer string
	// Type and Flags are nlmsg_type and nlmsg_flags.
	Type, Flags uint16
	// Payload is the message after its 16-byte nlmsghdr.
	Payload []byte
}

// readCaptures reads every testdata/DIR/*.txt file, by name.
func readCaptures(tb testing.TB, dir string) map[string]capture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("no captures in testdata/%s: run testdata/capture.sh as root", dir)
	}
	out := make(map[string]capture, len(paths))
	for _, p := range paths {
		c, err := readCapture(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[c.Name] = c
	}
	return out
}

func readCapture(path string) (capture, error) {
	c := capture{Name: strings.TrimSuffix(filepath.Base(path), ".txt")}
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	kv := map[string]string{}
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return c, fmt.Errorf("%s: malformed line %q", path, line)
		}
		kv[k] = strings.TrimSpace(v)
	}
	if err := s.Err(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	num := func(key string, bits int) uint64 {
		if err != nil {
			return 0
		}
		var n uint64
		n, err = strconv.ParseUint(kv[key], 0, bits)
		if err != nil {
			err = fmt.Errorf("%s: %s: %w", path, key, err)
		}
		return n
	}
	c.Cmd, c.Setup, c.IPRoute2, c.Answer = kv["cmd"], kv["setup"], kv["iproute2"], kv["answer"]
	c.Parent = uint32(num("parent", 32))
	c.Index = int32(num("index", 31))
	c.Type = uint16(num("type", 16))
	c.Flags = uint16(num("flags", 16))
	if err != nil {
		return c, err
	}
	if c.Payload, err = hex.DecodeString(kv["payload"]); err != nil {
		return c, fmt.Errorf("%s: payload: %w", path, err)
	}
	return c, nil
}

// ptr returns a pointer to v, for the optional fields of messages.
func ptr[T any](v T) *T { return &v }

// nests says which attributes hold nested attributes, by path of types
// from the message's top level (IFLA_LINKINFO is 18, IFLA_INFO_DATA 2 in
// it), and for INFO_DATA's children by kind.
var nests = map[string]bool{
	"18":   true,
	"18/2": true,
	// IFLA_MACVLAN_MACADDR_DATA
	"macvlan:18/2/5": true,
	"macvtap:18/2/5": true,
	// IFLA_VLAN_EGRESS_QOS, IFLA_VLAN_INGRESS_QOS
	"vlan:18/2/3": true,
	"vlan:18/2/4": true,
}

// dumpLink renders a link message (ifinfomsg and attributes) one
// attribute a line, nests indented, so that cmp.Diff of two messages is a
// readable diff of lines.
func dumpLink(b []byte) []string {
	if len(b) < 16 {
		return []string{fmt.Sprintf("short ifinfomsg: % x", b)}
	}
	out := []string{fmt.Sprintf("ifinfomsg family=%d type=%d index=%d flags=%#x change=%#x",
		b[0], nlenc.Uint16(b[2:4]), nlenc.Int32(b[4:8]), nlenc.Uint32(b[8:12]), nlenc.Uint32(b[12:16]))}
	kind := ""
	return append(out, dumpAttrs(b[16:], "", "", &kind)...)
}

func dumpAttrs(b []byte, path, indent string, kind *string) []string {
	var out []string
	for len(b) > 0 {
		if len(b) < 4 {
			return append(out, fmt.Sprintf("%strailing % x", indent, b))
		}
		l, t := int(nlenc.Uint16(b[0:2])), nlenc.Uint16(b[2:4])
		if l < 4 || l > len(b) {
			return append(out, fmt.Sprintf("%sbad length %d: % x", indent, l, b))
		}
		data := b[4:l]
		p := strconv.Itoa(int(t & 0x3fff))
		if path != "" {
			p = path + "/" + p
		}
		if p == "18/1" {
			*kind = strings.TrimRight(string(data), "\x00")
		}
		flags := ""
		if t&0xc000 != 0 {
			flags = fmt.Sprintf(" flags=%#x", t&0xc000)
		}
		if nests[p] || nests[*kind+":"+p] {
			out = append(out, fmt.Sprintf("%s[%d]%s len=%d {", indent, t&0x3fff, flags, l))
			out = append(out, dumpAttrs(data, p, indent+"  ", kind)...)
			out = append(out, indent+"}")
		} else {
			out = append(out, fmt.Sprintf("%s[%d]%s len=%d % x", indent, t&0x3fff, flags, l, data))
		}
		pad := (l + 3) &^ 3
		if pad > len(b) {
			pad = len(b)
		}
		b = b[pad:]
	}
	return out
}
