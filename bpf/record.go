package bpf

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files in a pinned hook's directory.
const (
	pinRecord  = "record"  // symlink whose target is the record
	pinProgram = "program" // the classifier
	pinClasses = "classes" // per-class counters
	pinVLANs   = "vlans"   // per-VLAN-id counters
	pinLink    = "link"    // the TCX bpf_link, in ModeTCX

	pinRecordNew = "record-new" // the next record, before its rename
)

// recordMagic starts every record; the version follows it.
const recordMagic = "vlanraw-counters v1"

// record says what a pinned hook is, for a later process. The BPF file
// system holds no regular files, so it is kept as the target of the
// hook directory's "record" symlink and replaced by rename.
type record struct {
	// Attached is false while Attach is still at work: the hook may be
	// partly attached, and only Detach makes sense.
	Attached bool
	// Mode is the path used (ModeAuto until it is known).
	Mode    Mode
	Ifindex int32
	// Cookie is the namespace's cookie (see netnsCookie): pins found
	// under the inode of a namespace with another cookie are left over
	// from a namespace that is gone.
	Cookie uint64
}

func (r record) String() string {
	state := "attaching"
	if r.Attached {
		state = "attached"
	}
	return fmt.Sprintf("%s state=%s mode=%s ifindex=%d netns-cookie=%d", recordMagic, state, r.Mode, r.Ifindex, r.Cookie)
}

func parseRecord(s string) (record, error) {
	var r record
	rest, ok := strings.CutPrefix(s, recordMagic+" ")
	if !ok {
		return r, fmt.Errorf("not a vlanraw record: %q", s)
	}
	for _, kv := range strings.Fields(rest) {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "state":
			r.Attached = v == "attached"
		case "mode":
			r.Mode, err = ParseMode(v)
		case "ifindex":
			var n int64
			n, err = strconv.ParseInt(v, 10, 32)
			r.Ifindex = int32(n)
		case "netns-cookie":
			r.Cookie, err = strconv.ParseUint(v, 10, 64)
		}
		if err != nil {
			return r, fmt.Errorf("vlanraw record %q: %w", s, err)
		}
	}
	return r, nil
}

// writeRecord sets dir's record, atomically.
func writeRecord(dir string, r record) error {
	tmp := filepath.Join(dir, pinRecordNew)
	os.Remove(tmp)
	if err := os.Symlink(r.String(), tmp); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, pinRecord), err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, pinRecord)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, pinRecord), err)
	}
	return nil
}

// readRecord reads dir's record; a missing one matches os.ErrNotExist.
func readRecord(dir string) (record, error) {
	s, err := os.Readlink(filepath.Join(dir, pinRecord))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return record{}, err
		}
		return record{}, fmt.Errorf("read %s: %w", filepath.Join(dir, pinRecord), err)
	}
	return parseRecord(s)
}

// hookDir is the directory of the pinned hook on ifname, direction d, in
// the namespace with inode ino.
func hookDir(ino uint64, ifname string, d Direction) string {
	return filepath.Join(pinRoot, strconv.FormatUint(ino, 10), escapeIfname(ifname)+"-"+d.String())
}

// parseHookDir splits a hook directory's name into interface and
// direction.
func parseHookDir(name string) (string, Direction, bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 {
		return "", 0, false
	}
	d, err := ParseDirection(name[i+1:])
	if err != nil {
		return "", 0, false
	}
	ifname, err := url.PathUnescape(name[:i])
	if err != nil {
		return "", 0, false
	}
	return ifname, d, true
}

// escapeIfname makes an interface name fit the BPF file system, which
// refuses names with dots (such as eth0.50): "%" becomes "%25" and "."
// becomes "%2E". Interface names hold no "/" and no white space.
func escapeIfname(s string) string {
	return strings.NewReplacer("%", "%25", ".", "%2E").Replace(s)
}
