package iproute

import (
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// dummyKind is dummy, which has no options: iproute2 has no file for it.
var dummyKind = &linkKind{
	names: []string{"dummy"},
	add: func(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
		s := &links.Dummy{Attrs: attrs}
		if err := checkParent(a, s); err != nil {
			return nil, err
		}
		if len(a.kindWords) > 0 {
			return nil, cli.Usagef("dummy: unknown option %q: dummy links take no options", a.kindWords[0])
		}
		return &addRequest{spec: s}, nil
	},
	help: `TYPE dummy: no words.
`,
}
