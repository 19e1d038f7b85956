package iproute

import (
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// linkKind is the CLI's one home for a link kind, as iproute2's struct
// link_util is: how `link add` and `link set` read the kind's words, how
// `link show -d` prints its data, and its section of `vlanraw help link`.
// Each kind is a file kind_<kind>.go; kindTable lists them. The rest of
// the link commands never name a kind. Adding a kind to the CLI is its
// file and its entry in kindTable (package rtnl's documentation lists the
// files of the other layers).
type linkKind struct {
	// names are the kinds (IFLA_INFO_KIND) the file handles, such as
	// ipvlan and ipvtap.
	names []string
	// add builds the request of `link add` from the common words (a.kind
	// is one of names, a.kindWords the kind's own words) and attrs.
	add func(a *linkArgs, attrs links.Attrs) (*addRequest, error)
	// set reads the kind's own words of `link set`, of which there is at
	// least one, into the options to change (links.Change.Options). Nil
	// when the kind has no options to change.
	set func(kind string, args []string) (links.Spec, error)
	// details renders the kind's data as iproute2's print_opt does; data
	// is nil when the kernel sent none. Nil when iproute2 prints no
	// details for the kind.
	details func(data rtnetlink.LinkDriver) []detail
	// help is the kind's section of `vlanraw help link`.
	help string
	// words returns every word the kind's grammar takes, keywords and
	// values alike: `vlanraw help link` must mention each (a test checks).
	// A function, so that no process builds the list but that test.
	words func() []string
}

// kindTable are the link kinds of `link add`, `link set` and `link show`,
// in the order the help and messages list them.
var kindTable = []*linkKind{ipvlanKind, macvlanKind, vlanKind, dummyKind, vethKind, netkitKind}

// kindNames returns the names of the kinds of kindTable.
func kindNames() []string {
	var names []string
	for _, k := range kindTable {
		names = append(names, k.names...)
	}
	return names
}

// lookupKind returns the linkKind of the kind called name, or nil.
func lookupKind(name string) *linkKind {
	for _, k := range kindTable {
		for _, n := range k.names {
			if n == name {
				return k
			}
		}
	}
	return nil
}

// kindList names the kinds for messages: "a, b or c".
func kindList() string {
	s := ""
	kinds := kindNames()
	for i, k := range kinds {
		switch {
		case i == len(kinds)-1:
			s += " or "
		case i > 0:
			s += ", "
		}
		s += k
	}
	return s
}

// checkParent checks `link DEV` against what the kind of s needs.
func checkParent(a *linkArgs, s links.Spec) error {
	switch {
	case s.NeedsParent() && a.parent == "":
		return cli.Usagef("%s needs a parent link: add \"link DEV\"", a.kind)
	case !s.NeedsParent() && a.parent != "":
		return cli.Usagef("%s links have no parent: remove \"link %s\"", a.kind, a.parent)
	}
	return nil
}

// peerArgs reads the words that describe the other end of a pair, such
// as a veth's after `peer`: `[name] NAME [mtu N] [address MAC] [netns NS]
// [up|down]`. It returns the peer's attributes and its netns word.
func peerArgs(kind string, args []string) (links.Attrs, string, error) {
	p, err := parseLinkArgs(&words{w: args})
	if err != nil {
		return links.Attrs{}, "", err
	}
	switch {
	case p.hasType:
		return links.Attrs{}, "", cli.Usagef("%s: \"type\" is given twice: the peer is always a %s", kind, kind)
	case p.parent != "":
		return links.Attrs{}, "", cli.Usagef("%s: a peer has no parent: remove \"link %s\"", kind, p.parent)
	case p.name != p.dev:
		return links.Attrs{}, "", cli.Usagef("%s: both \"name\" (%q) and a device name (%q) given for the peer: give its name once", kind, p.name, p.dev)
	case p.txqlen != nil, p.group != nil:
		// package links does not send them for a peer yet.
		return links.Attrs{}, "", cli.Usagef("%s: vlanraw cannot set a peer's txqueuelen or group yet: set them with \"link set\" after creating it", kind)
	}
	a := links.Attrs{Name: p.name, MTU: p.mtu, MAC: p.mac}
	if p.up != nil {
		a.Up = *p.up
	}
	return a, p.netns, nil
}

// keywordNames returns the names of the keywords vlanraw implements, for
// linkKind.words.
func keywordNames(keywords []cli.Keyword) []string {
	var ws []string
	for _, k := range keywords {
		if !k.Unsupported {
			ws = append(ws, k.Name)
		}
	}
	return ws
}

// fill wraps text into lines of at most width bytes, the first starting
// after first, the others indented by indent.
func fill(first, indent, text string, width int) string {
	var b strings.Builder
	b.WriteString(first)
	n := len(first)
	for i, w := range strings.Fields(text) {
		switch {
		case i > 0 && n+1+len(w) > width:
			b.WriteString("\n" + indent)
			n = len(indent)
		case i > 0:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String() + "\n"
}

// wordValue is one word of a closed set, such as a mode's name, and the
// value it stands for. Tables of them are static data: unlike a map, they
// cost a process nothing until they are read.
type wordValue[T any] struct {
	word  string
	value T
}

// lookupWord returns the value of word in table, matched exactly.
func lookupWord[T any](table []wordValue[T], word string) (T, bool) {
	for _, w := range table {
		if w.word == word {
			return w.value, true
		}
	}
	var zero T
	return zero, false
}

// wordsOf returns the words of table, in its order.
func wordsOf[T any](table []wordValue[T]) []string {
	ws := make([]string, len(table))
	for i, w := range table {
		ws[i] = w.word
	}
	return ws
}
