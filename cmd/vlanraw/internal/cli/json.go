package cli

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes v as iproute2 does: on one line, or indented with
// pretty, followed by a newline.
func WriteJSON(w io.Writer, v any, pretty bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "    ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
