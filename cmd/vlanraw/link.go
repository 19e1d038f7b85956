package main

// linkCommands are the commands of the link object, in iproute2's order
// so that prefixes select the same command ("s" is set, "d" delete).
var linkCommands = []struct {
	kw  keyword
	run func(e *env, args []string) error
}{
	{keyword{name: "add"}, runLinkAdd},
	{keyword{name: "set"}, runLinkSet},
	{keyword{name: "change"}, runLinkSet},
	{keyword{name: "replace", unsupported: true}, nil},
	{keyword{name: "delete"}, runLinkDel},
	{keyword{name: "show"}, runLinkShow},
	{keyword{name: "lst"}, runLinkShow},
	{keyword{name: "list"}, runLinkShow},
	{keyword{name: "help"}, func(*env, []string) error { return &helpRequested{topic: "link"} }},
}

// runLink runs `vlanraw link COMMAND ...`; with no command it lists links.
func runLink(e *env, args []string) error {
	if len(args) == 0 {
		return runLinkShow(e, nil)
	}
	for _, c := range linkCommands {
		if !c.kw.matches(args[0]) {
			continue
		}
		if c.kw.unsupported {
			return usagef("vlanraw does not support \"link %s\" yet: delete the link and add it again", c.kw.name)
		}
		return c.run(e, args[1:])
	}
	return usagef("unknown link command %q: use add, set, del, show or help", args[0])
}
