package state

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Holder is a process that holds the lock a View or Update waits for.
type Holder struct {
	// PID is its process ID, 0 if it could not be found in /proc/locks
	// (a process of another PID namespace, say).
	PID int
	// Command is its command line, arguments separated by spaces, or ""
	// if unknown.
	Command string
}

// lockHolder finds a process holding a flock on the lock file f
// in /proc/locks, by the file's device and inode.
func lockHolder(f *os.File) Holder {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return Holder{}
	}
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return Holder{}
	}
	defer locks.Close()
	pid := flockHolder(locks, unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	if pid == 0 {
		return Holder{}
	}
	return Holder{PID: pid, Command: cmdline(pid)}
}

// flockHolder returns the PID of the first process that holds (rather
// than waits for) a flock on the inode ino of device major:minor, as
// listed in locks in the format of /proc/locks, device numbers in hex:
//
//	1: FLOCK  ADVISORY  WRITE 14606 fe:00:9978403 0 EOF
//	1: -> FLOCK  ADVISORY  WRITE 14711 fe:00:9978403 0 EOF
//
// It returns 0 if there is none.
func flockHolder(locks io.Reader, major, minor uint32, ino uint64) int {
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1] != "FLOCK" {
			continue // a waiter ("->") or another kind of lock
		}
		maj, min, i, ok := parseFileID(f[5])
		if !ok || maj != uint64(major) || min != uint64(minor) || i != ino {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// parseFileID parses a MAJ:MIN:INODE field of /proc/locks.
func parseFileID(s string) (major, minor, ino uint64, ok bool) {
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return 0, 0, 0, false
	}
	major, err1 := strconv.ParseUint(p[0], 16, 32)
	minor, err2 := strconv.ParseUint(p[1], 16, 32)
	ino, err3 := strconv.ParseUint(p[2], 10, 64)
	return major, minor, ino, err1 == nil && err2 == nil && err3 == nil
}

// cmdline returns the command line of process pid with its arguments
// separated by spaces, or "" if it cannot be read.
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '}))
}
