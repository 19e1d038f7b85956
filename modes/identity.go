package modes

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// Every link vlanraw makes (endpoint links, dummy parents, 802.1Q
// parents) carries who made it, so that the kernel itself witnesses which
// record a link belongs to, or that it belongs to none:
//
//   - its link group, set in the RTM_NEWLINK that creates it, is the
//     state directory's group (see linkGroup), so that no moment exists
//     in which a link vlanraw made is not marked as vlanraw's;
//   - its alias (IFLA_IFALIAS, which the kernel ignores when creating a
//     link) is set by the next request that changes the link:
//     "vlanraw:DIR:NETWORK:ENDPOINT" with the first 8 hex digits of the
//     state directory's ID and the first 12 of the network's and the
//     endpoint's IDs ("parent" for a parent link). The intent the
//     command recorded before creating the link covers the moment between
//     the two.
//
// ip link shows both ("group 1987654321", "alias vlanraw:..."), and
// neither changes how the link works.

// markPrefix starts the alias of every link vlanraw makes.
const markPrefix = "vlanraw:"

// markParent is the endpoint part of the mark of a parent link.
const markParent = "parent"

// mark is who made a link: the state directory, the network and the
// endpoint (or markParent).
type mark struct {
	dir, network, endpoint string
}

// String returns the alias that carries m.
func (m mark) String() string {
	return markPrefix + m.dir + ":" + m.network + ":" + m.endpoint
}

// parseMark reads a link's alias; ok is false for an alias vlanraw did
// not set.
func parseMark(alias string) (m mark, ok bool) {
	rest, ok := strings.CutPrefix(alias, markPrefix)
	if !ok {
		return mark{}, false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || len(parts[0]) != 8 || len(parts[1]) != 12 || parts[2] == "" {
		return mark{}, false
	}
	return mark{dir: parts[0], network: parts[1], endpoint: parts[2]}, true
}

// dirID returns the ID of a state directory: the first 8 hex digits of
// the SHA-256 of its absolute, cleaned path. It is a function of the
// path, not of the state file, so that the links of a state file that was
// deleted are still recognised as this directory's (vlanraw gc), and
// those of another directory (another user's, a test's) never are.
func dirID(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return hex.EncodeToString(sum[:4])
}

// linkGroupBase is the high byte of the link groups vlanraw gives the
// links it makes: 0x76, 'v'.
const linkGroupBase = 0x76 << 24

// linkGroup returns the link group of the links made for the state
// directory with ID id: linkGroupBase and the ID's last 24 bits.
func linkGroup(id string) uint32 {
	b, _ := hex.DecodeString(id)
	var v [4]byte
	copy(v[:], b)
	return linkGroupBase | binary.BigEndian.Uint32(v[:])&0xffffff
}

// short returns the first 12 hex digits of an ID, as marks use them.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// endpointMark returns the mark of the link of endpoint e of n.
func (m *Manager) endpointMark(n *Network, e *Endpoint) mark {
	return mark{dir: m.id, network: short(n.ID), endpoint: short(e.ID)}
}

// parentMark returns the mark of a parent link vlanraw made for n.
func (m *Manager) parentMark(n *Network) mark {
	return mark{dir: m.id, network: short(n.ID), endpoint: markParent}
}
