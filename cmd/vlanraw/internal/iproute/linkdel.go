package iproute

import (
	"github.com/vlanraw/vlanraw/links"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// parseLinkDel reads the words after `link del`: one or more link names,
// each optionally after "dev".
func parseLinkDel(args []string) ([]string, error) {
	var names []string
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		switch word {
		case "dev":
			v, err := ws.value("dev", "a link name")
			if err != nil {
				return nil, err
			}
			word = v
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
		if err := links.CheckName(word); err != nil {
			return nil, err
		}
		names = append(names, word)
	}
	if len(names) == 0 {
		return nil, cli.Usagef("no link given: add the name of the link to delete")
	}
	return names, nil
}

// runLinkDel deletes links: one RTM_DELLINK for a single name, one
// batched group delete for several.
func runLinkDel(e *cli.Env, args []string) error {
	names, err := parseLinkDel(args)
	if err != nil {
		return err
	}
	h, err := open(e)
	if err != nil {
		return err
	}
	defer h.Close()
	return h.DeleteAll(names)
}
