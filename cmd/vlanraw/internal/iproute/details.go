package iproute

import (
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"
)

// detail is one item of a kind's details, rendered as iproute2's
// print_opt functions do: text for `-d`, key and value for `-j -d`.
type detail struct {
	key  string // JSON key
	text string // text, with iproute2's spacing
	val  any    // JSON value
}

// kindDetails returns the details of a link's kind data. ok is false for
// kinds vlanraw cannot print; for the others iproute2 always prints an
// info_data object, empty when the kernel sent no data.
func kindDetails(kind string, data rtnetlink.LinkDriver) (d []detail, ok bool) {
	k := lookupKind(kind)
	if k == nil || k.details == nil {
		return nil, false
	}
	return k.details(data), true
}

// detailsText renders details as text.
func detailsText(d []detail) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteString(x.text)
	}
	return b.String()
}

// detailsJSON renders details as a JSON object.
func detailsJSON(d []detail) *jsonObject {
	o := &jsonObject{}
	for _, x := range d {
		o.set(x.key, x.val)
	}
	return o
}
