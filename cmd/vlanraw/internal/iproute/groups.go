package iproute

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

// groupFile is iproute2's table of link group names. vlanraw reads it
// when it is there, so that names and output match iproute2's; group 0
// is "default" either way.
const groupFile = "/etc/iproute2/group"

// groupTable is the group table, read once.
var groupTable = sync.OnceValue(groupNames)

// groupNames reads the group table: id to name.
func groupNames() map[uint32]string {
	names := map[uint32]string{0: "default"}
	f, err := os.Open(groupFile)
	if err != nil {
		return names
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		id, err := parseUint(fields[0], 32)
		if err != nil {
			continue
		}
		if _, dup := names[uint32(id)]; !dup || id == 0 {
			names[uint32(id)] = fields[1]
		}
	}
	return names
}

// groupID returns the id of a named group.
func groupID(name string) (uint32, bool) {
	for id, n := range groupTable() {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// groupName returns a group's name, or its number, as iproute2 prints it.
func groupName(id uint32) string {
	if n, ok := groupTable()[id]; ok {
		return n
	}
	return strconv.FormatUint(uint64(id), 10)
}
