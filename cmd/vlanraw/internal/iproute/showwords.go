package iproute

import (
	"fmt"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// showCommands are the words that select `show` in the addr, route and
// neigh objects, as in iproute2.
var showCommands = []cli.Keyword{{Name: "show"}, {Name: "list"}, {Name: "lst"}}

// parseShowObject reads `OBJECT [show [[dev] DEV]]` for the read-only
// objects addr, route and neigh, with global options anywhere after the
// object, and returns the link name to show, or "" for all.
func parseShowObject(e *cli.Env, object string, args []string) (string, error) {
	args, err := e.ParseTrailing(args)
	if err != nil {
		return "", err
	}
	if e.Help {
		return "", &cli.HelpRequested{Topic: object}
	}
	ws := &words{w: args}
	if !ws.more() {
		return "", nil
	}
	switch word := ws.next(); {
	case word == "help":
		return "", &cli.HelpRequested{Topic: object}
	case !anyMatches(showCommands, word):
		return "", cli.Usagef("unknown %s command %q: vlanraw only shows (%s show [dev DEV])", object, word, object)
	}
	dev := ""
	for ws.more() {
		word := ws.next()
		switch {
		case word == "help":
			return "", &cli.HelpRequested{Topic: object}
		case word == "dev":
			v, err := ws.value("dev", "a link name")
			if err != nil {
				return "", err
			}
			word = v
		}
		if dev != "" {
			return "", cli.Usagef("two links given, %q and %q: show one, or all", dev, word)
		}
		dev = word
	}
	return dev, nil
}

// anyMatches reports whether word selects one of table's keywords.
func anyMatches(table []cli.Keyword, word string) bool {
	_, ok := cli.Lookup(table, word)
	return ok
}

// linkIndexes returns the namespace's links by index, and the index of dev
// (0 when dev is ""), or an error when dev does not exist.
func linkIndexes(e *cli.Env, h *links.Handle, dev string) (map[int]*links.Link, int, error) {
	all, err := h.List("")
	if err != nil {
		return nil, 0, err
	}
	byIndex := make(map[int]*links.Link, len(all))
	index := 0
	for i := range all {
		byIndex[all[i].Index] = &all[i]
		if dev != "" && all[i].Name == dev {
			index = all[i].Index
		}
	}
	if dev != "" && index == 0 {
		return nil, 0, fmt.Errorf("link %q does not exist%s", dev, inNetNS(e))
	}
	return byIndex, index, nil
}

// openShow parses `OBJECT show [[dev] DEV]`, opens the namespace and maps
// link indexes to links, for the show commands of addr, route and neigh.
// index is the index of DEV, or 0 for every link. The caller closes h.
func openShow(e *cli.Env, object string, args []string) (h *links.Handle, byIndex map[int]*links.Link, index int, err error) {
	dev, err := parseShowObject(e, object, args)
	if err != nil {
		return nil, nil, 0, err
	}
	if h, err = open(e); err != nil {
		return nil, nil, 0, err
	}
	if byIndex, index, err = linkIndexes(e, h, dev); err != nil {
		h.Close()
		return nil, nil, 0, err
	}
	return h, byIndex, index, nil
}
