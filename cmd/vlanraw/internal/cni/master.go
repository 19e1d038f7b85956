package cni

import (
	"github.com/vlanraw/vlanraw/links"
)

// defaultMaster returns the link of the first default route (IPv4,
// then IPv6) of the main table in the namespace netns names, the
// plugin's own when it is "": the master the reference plugins take
// when none is given.
func defaultMaster(netns string) (string, error) {
	where := "the host namespace"
	if netns != "" {
		where = "network namespace " + netns
	}
	h, err := links.OpenName(netns)
	if err != nil {
		return "", errorf(codeInvalidConfig, "no master given, and %s cannot be read for its default route: %v", where, err)
	}
	defer h.Close()
	rs, err := h.Routes(0)
	if err != nil {
		return "", errorf(codeInvalidConfig, "no master given, and the routes of %s cannot be read: %v", where, err)
	}
	for _, r := range rs {
		if r.Dst.IsValid() && r.Dst.Bits() != 0 || r.Index == 0 {
			continue
		}
		ls, err := h.List("")
		if err != nil {
			return "", errorf(codeInvalidConfig, "no master given, and the links of %s cannot be read: %v", where, err)
		}
		for _, l := range ls {
			if l.Index == r.Index {
				return l.Name, nil
			}
		}
	}
	return "", errorf(codeInvalidConfig, "no master given, and %s has no default route whose link could serve: name the parent link, such as \"master\": \"eth0\"", where)
}
