package bpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// A clsact qdisc that vlanraw created is marked, so that the last
// vlanraw hook to leave it, even one that found it there, removes it;
// one that was there before vlanraw is never marked and never removed.
// Pinned hooks mark it in the BPF file system (a later process detaches
// them); others mark it in this process.

// qdiscKey names a device: its namespace's inode and cookie, and its
// ifindex.
type qdiscKey struct {
	ino     uint64
	cookie  uint64
	ifindex int32
}

// markText is the target of a pinned mark; it names the namespace by
// cookie, since inode numbers are reused.
func markText(k qdiscKey) string {
	return "clsact qdisc created by vlanraw netns-cookie=" + strconv.FormatUint(k.cookie, 10)
}

// markCookie reads the cookie back from a mark's target.
func markCookie(s string) uint64 {
	_, v, _ := strings.Cut(s, "netns-cookie=")
	n, _ := strconv.ParseUint(v, 10, 64)
	return n
}

var (
	marksMu sync.Mutex
	marks   = map[qdiscKey]bool{}
)

// markPath is the pinned mark of k.
func markPath(k qdiscKey) string {
	return filepath.Join(pinRoot, strconv.FormatUint(k.ino, 10), "clsact-"+strconv.Itoa(int(k.ifindex)))
}

// markClsact records that vlanraw creates k's clsact qdisc, before it
// does: a crash in between leaves a mark and no qdisc, which Detach
// handles, rather than a qdisc nobody knows about.
func markClsact(k qdiscKey, pinned bool) error {
	marksMu.Lock()
	marks[k] = true
	marksMu.Unlock()
	if !pinned {
		return nil
	}
	p := markPath(k)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("mark the clsact qdisc as vlanraw's: %w", err)
	}
	err := os.Symlink(markText(k), p)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("mark the clsact qdisc as vlanraw's: %w", err)
	}
	return nil
}

// clsactMarked reports whether k's clsact qdisc is vlanraw's. A pinned
// mark of a namespace that is gone (another cookie under the same inode
// number) is removed.
func clsactMarked(k qdiscKey) bool {
	marksMu.Lock()
	m := marks[k]
	marksMu.Unlock()
	if m {
		return true
	}
	s, err := os.Readlink(markPath(k))
	if err != nil {
		return false
	}
	if !sameNetNS(markCookie(s), k.cookie) {
		os.Remove(markPath(k))
		return false
	}
	return true
}

// removeStaleMarks removes the pinned marks in the namespace directory
// dir that a namespace other than the one with cookie left.
func removeStaleMarks(dir string, cookie uint64) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "clsact-") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if s, err := os.Readlink(p); err == nil && !sameNetNS(markCookie(s), cookie) {
			os.Remove(p)
		}
	}
}

// unmarkClsact forgets k's mark.
func unmarkClsact(k qdiscKey) error {
	marksMu.Lock()
	delete(marks, k)
	marksMu.Unlock()
	if err := os.Remove(markPath(k)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the clsact qdisc's mark: %w", err)
	}
	return nil
}
