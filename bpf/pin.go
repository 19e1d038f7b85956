package bpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// tempPrefix starts the name of a hook directory that Attach is still
// making; PID, a dash and a random number follow. (The BPF file system
// refuses names with dots.)
const tempPrefix = "attach-"

// makeHookDir creates the pinned hook's directory with its record in
// one step: it is made under a temporary name and renamed into place, so
// that the directory never exists without a record, and two processes
// cannot both own it.
func makeHookDir(ino uint64, ifname string, d Direction, r record) (string, error) {
	if err := ensureBPFFS(); err != nil {
		return "", err
	}
	final := hookDir(ino, ifname, d)
	parentDir := filepath.Dir(final)
	if err := os.MkdirAll(parentDir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", parentDir, err)
	}
	attachStep("nsdir")
	removeStaleTemps(parentDir)
	tmp, err := os.MkdirTemp(parentDir, tempPrefix+strconv.Itoa(os.Getpid())+"-")
	if errors.Is(err, os.ErrNotExist) {
		// A detach removed the directory while it was empty.
		if err = os.MkdirAll(parentDir, 0o700); err == nil {
			tmp, err = os.MkdirTemp(parentDir, tempPrefix+strconv.Itoa(os.Getpid())+"-")
		}
	}
	if err != nil {
		os.Remove(parentDir) // if empty
		return "", fmt.Errorf("create a directory in %s: %w", parentDir, err)
	}
	if err := writeRecord(tmp, r); err != nil {
		removePins(tmp)
		return "", err
	}
	attachStep("temp")
	err = os.Rename(tmp, final)
	if exists(err) && removeIfStale(final, r.Cookie) {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		removePins(tmp)
		if exists(err) && r.Cookie == 0 {
			// Without namespace cookies the pins cannot be told from
			// those of a namespace that is gone: say so.
			return "", fmt.Errorf("%w (pinned at %s): detach them first (kernel %s has no SO_NETNS_COOKIE, of Linux 5.14, "+
				"to tell them from pins left by a namespace that is gone and had the same inode number)", ErrAttached, final, kernelRelease())
		}
		if exists(err) {
			return "", fmt.Errorf("%w (pinned at %s): detach them first", ErrAttached, final)
		}
		return "", fmt.Errorf("pin at %s: %w", final, err)
	}
	return final, nil
}

// exists reports whether err from a rename means that the target is
// there.
func exists(err error) bool { return errors.Is(err, unix.ENOTEMPTY) || errors.Is(err, unix.EEXIST) }

// removeIfStale removes the hook directory dir, and reports true, when
// its record names a namespace other than the one with cookie: it is
// left over from a namespace that is gone and had the same inode number,
// and with it the device its counters were on.
func removeIfStale(dir string, cookie uint64) bool {
	r, err := readRecord(dir)
	if err != nil || sameNetNS(r.Cookie, cookie) {
		return false
	}
	removeStaleMarks(filepath.Dir(dir), cookie)
	return removePins(dir) == nil
}

// removeStaleTemps removes the temporary directories of attaches whose
// process is gone: nothing was attached from them yet.
func removeStaleTemps(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		pid, ok := tempPID(e.Name())
		if ok && unix.Kill(pid, 0) == unix.ESRCH {
			removePins(filepath.Join(dir, e.Name()))
		}
	}
}

// tempPID returns the process id in the name of a temporary hook
// directory, "attach-PID-NUMBER"; hook directories end in a direction,
// never in a number.
func tempPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, tempPrefix)
	if !ok {
		return 0, false
	}
	pidStr, num, ok := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidStr)
	if _, nerr := strconv.ParseUint(num, 10, 64); !ok || err != nil || nerr != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// OpenPinned opens the pinned counters on the hook of ifname, direction
// dir, in namespace ns (nil: the caller's), as an earlier Attach with
// Pin left them, in this process or another. The hook can be read, then
// closed (it stays attached) or detached. What an attach that was killed
// half-way left opens too, for Detach to clean up. Nothing pinned there
// gives an error matching ErrNotAttached.
func OpenPinned(ns *netns.NS, ifname string, dir Direction) (*Hook, error) {
	h, err := openPinned(ns, ifname, dir)
	if err != nil {
		return nil, &HookError{Op: "open counters of", Ifname: ifname, Direction: dir, Err: err}
	}
	return h, nil
}

func openPinned(ns *netns.NS, ifname string, d Direction) (*Hook, error) {
	if ifname == "" || !d.valid() {
		return nil, errors.New("no interface or no valid direction given")
	}
	id, err := ns.ID()
	if err != nil {
		return nil, err
	}
	ino := id.Inode
	dir := hookDir(ino, ifname, d)
	removeStaleTemps(filepath.Dir(dir))
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			// An attach killed before its rename leaves the
			// namespace's directory; remove it if that left it empty.
			os.Remove(filepath.Dir(dir))
			return nil, fmt.Errorf("%w in network namespace %s (nothing pinned at %s)", ErrNotAttached, describeNetNS(ino), dir)
		}
		return nil, err
	}
	cookie := netnsCookie(ns)
	if removeIfStale(dir, cookie) {
		return nil, fmt.Errorf("%w in network namespace %s (removed what a namespace that is gone left at %s)", ErrNotAttached, describeNetNS(ino), dir)
	}
	rec, err := readRecord(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	c, err := rtnl.Dial(ns)
	if err != nil {
		return nil, err
	}
	h := &Hook{ifname: ifname, dir: d, mode: rec.Mode, key: qdiscKey{ino: ino, cookie: cookie, ifindex: rec.Ifindex}, pinDir: dir, c: c}
	if err := h.loadPins(); err != nil {
		h.release()
		return nil, err
	}
	return h, nil
}

// loadPins opens what is pinned in h.pinDir; missing pins are left nil.
func (h *Hook) loadPins() error {
	path := func(name string) string { return filepath.Join(h.pinDir, name) }
	missing := func(err error) bool { return errors.Is(err, os.ErrNotExist) }
	var err error
	if h.prog, err = ebpf.LoadPinnedProgram(path(pinProgram), nil); err != nil {
		if !missing(err) {
			return fmt.Errorf("open the pinned classifier: %w", err)
		}
		h.prog = nil
	}
	if h.classes, err = ebpf.LoadPinnedMap(path(pinClasses), nil); err != nil {
		if !missing(err) {
			return fmt.Errorf("open the pinned counters: %w", err)
		}
		h.classes = nil
	}
	if h.vlans, err = ebpf.LoadPinnedMap(path(pinVLANs), nil); err != nil {
		if !missing(err) {
			return fmt.Errorf("open the pinned counters: %w", err)
		}
		h.vlans = nil
	}
	if h.link, err = link.LoadPinnedLink(path(pinLink), nil); err != nil {
		if !missing(err) {
			return fmt.Errorf("open the pinned TCX link: %w", err)
		}
		h.link = nil
	} else {
		h.mode = ModeTCX
	}
	return nil
}

// PinnedHook describes counters pinned in the BPF file system.
type PinnedHook struct {
	// NetNSInode identifies the interface's network namespace.
	NetNSInode uint64
	// NetNS names it: a name under /run/netns with that inode, "" for
	// the namespace of process 1, else "net:[INODE]".
	NetNS string
	// Ifname and Direction name the hook.
	Ifname    string
	Direction Direction
	// Ifindex is the interface's index when it was attached.
	Ifindex int32
	// Mode is the path used.
	Mode Mode
	// Attached is false when the attach was interrupted: only Detach
	// makes sense then.
	Attached bool
	// Path is the hook's directory.
	Path string
}

// ListPinned returns every pinned hook, sorted by namespace, interface
// and direction. Without a BPF file system, or nothing pinned, it
// returns none.
func ListPinned() ([]PinnedHook, error) {
	nsDirs, err := os.ReadDir(pinRoot)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list pinned counters: %w", err)
	}
	var out []PinnedHook
	for _, nd := range nsDirs {
		ino, err := strconv.ParseUint(nd.Name(), 10, 64)
		if err != nil || !nd.IsDir() {
			continue
		}
		hooks, err := os.ReadDir(filepath.Join(pinRoot, nd.Name()))
		if err != nil {
			return nil, fmt.Errorf("list pinned counters: %w", err)
		}
		name := netnsName(ino)
		for _, hd := range hooks {
			ifname, d, ok := parseHookDir(hd.Name())
			if !ok || !hd.IsDir() {
				continue
			}
			p := PinnedHook{NetNSInode: ino, NetNS: name, Ifname: ifname, Direction: d,
				Path: filepath.Join(pinRoot, nd.Name(), hd.Name())}
			if r, err := readRecord(p.Path); err == nil {
				p.Ifindex, p.Mode, p.Attached = r.Ifindex, r.Mode, r.Attached
			}
			out = append(out, p)
		}
	}
	return out, nil
}
