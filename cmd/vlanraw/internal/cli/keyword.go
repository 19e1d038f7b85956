package cli

import "strings"

// Keyword is one word of a command's grammar, such as a command of an
// object or a keyword of iproute2's.
type Keyword struct {
	// Name is the word as iproute2 spells it.
	Name string
	// Exact says iproute2 compares the word with strcmp; otherwise any
	// non-empty prefix matches, as iproute2's matches() does.
	Exact bool
	// Unsupported marks an iproute2 word vlanraw does not implement. It
	// is listed so that prefixes resolve to the same word as in
	// iproute2, and so that the error can name it.
	Unsupported bool
}

// Matches reports whether word selects k: equal to it, or for a
// prefix-matched keyword, a non-empty prefix of it.
func (k Keyword) Matches(word string) bool {
	if k.Exact {
		return word == k.Name
	}
	return word != "" && strings.HasPrefix(k.Name, word)
}

// Lookup returns the first keyword of table that word selects. Order
// matters, as in iproute2: "t" is txqueuelen because iproute2 tests it
// before type.
func Lookup(table []Keyword, word string) (Keyword, bool) {
	for _, k := range table {
		if k.Matches(word) {
			return k, true
		}
	}
	return Keyword{}, false
}
