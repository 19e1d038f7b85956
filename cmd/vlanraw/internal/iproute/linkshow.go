package iproute

import (
	"fmt"
	"net"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// showRequest is a parsed `link show`.
type showRequest struct {
	dev   string
	kind  string
	up    bool
	group *uint32
}

// showWords are the words `link show` takes besides a link name.
var showWords = []cli.Keyword{
	{Name: "dev", Exact: true},
	{Name: "type"},
	{Name: "up", Exact: true},
	{Name: "group", Exact: true},
	{Name: "help"},
}

// parseLinkShow reads the words after `link show`, once global options
// after them have been taken out.
func parseLinkShow(args []string) (*showRequest, error) {
	r := &showRequest{}
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(showWords, word)
		if ok && kw.Name == "dev" {
			v, err := ws.value("dev", "a link name")
			if err != nil {
				return nil, err
			}
			word, ok = v, false
		}
		if !ok {
			if r.dev != "" {
				return nil, cli.Usagef("two links given, %q and %q: show one, or all", r.dev, word)
			}
			r.dev = word
			continue
		}
		var err error
		switch kw.Name {
		case "type":
			r.kind, err = ws.value("type", "a link kind")
		case "up":
			r.up = true
		case "group":
			var g uint32
			g, err = groupValue(ws)
			r.group = &g
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// runLinkShow lists links as `ip link show` does, as text or JSON.
func runLinkShow(e *cli.Env, args []string) error {
	args, err := e.ParseTrailing(args)
	if err != nil {
		return err
	}
	r, err := parseLinkShow(args)
	if err != nil {
		return err
	}
	h, err := open(e)
	if err != nil {
		return err
	}
	defer h.Close()
	all, err := h.List("")
	if err != nil {
		return err
	}
	byIndex := make(map[int]*links.Link, len(all))
	for i := range all {
		byIndex[all[i].Index] = &all[i]
	}
	var shown []*links.Link
	for i := range all {
		l := &all[i]
		switch {
		case r.dev != "" && l.Name != r.dev,
			r.kind != "" && l.Kind != r.kind,
			r.up && l.Flags&net.FlagUp == 0,
			r.group != nil && l.Group != *r.group:
			continue
		}
		shown = append(shown, l)
	}
	if r.dev != "" && len(shown) == 0 {
		return fmt.Errorf("link %q does not exist%s", r.dev, inNetNS(e))
	}
	p := &linkPrinter{byIndex: byIndex, details: e.Details}
	if e.JSON {
		return cli.WriteJSONList(e.Stdout, len(shown), func(i int) any { return p.json(shown[i]) }, e.Pretty)
	}
	for _, l := range shown {
		if _, err := fmt.Fprint(e.Stdout, p.text(l)); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}
