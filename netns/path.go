package netns

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Path returns the file that the word names a network namespace by: a
// name gives Dir/NAME, an absolute path itself (cleaned), a process id
// /proc/PID/ns/net (see the package documentation). A word of none of
// these forms gives an error matching errdefs.ErrInvalid that says which forms are
// accepted. Path does not look whether the file exists.
func Path(word string) (string, error) {
	switch {
	case word == "":
		return "", badWord("no network namespace given")
	case isDecimal(word):
		pid, err := strconv.Atoi(word)
		if err != nil || pid <= 0 {
			return "", badWord("invalid process id %s: a process id is a whole number from 1", word)
		}
		return "/proc/" + strconv.Itoa(pid) + "/ns/net", nil
	case filepath.IsAbs(word):
		return filepath.Clean(word), nil
	case strings.Contains(word, "/"):
		return "", badWord("invalid namespace name %q: a name has no \"/\", and a path starts with \"/\"", word)
	}
	if word == "." || word == ".." {
		return "", badWord("invalid namespace name %q", word)
	}
	return filepath.Join(Dir, word), nil
}

// isDecimal reports whether s is all ASCII digits.
func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
