package cli

import (
	"bufio"
	"bytes"
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

// jsonIndent is the indentation of WriteJSON's pretty output.
const jsonIndent = "    "

// WriteJSONList writes the n values item returns as WriteJSON writes a
// slice of them, byte for byte, but one value at a time, so that a long
// listing (ip link show of thousands of links) is never held in memory
// whole, as iproute2 prints as it goes.
func WriteJSONList(w io.Writer, n int, item func(i int) any, pretty bool) error {
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	bw.WriteByte('[')
	for i := range n {
		buf.Reset()
		if err := enc.Encode(item(i)); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		v := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if i > 0 {
			bw.WriteByte(',')
		}
		if !pretty {
			bw.Write(v)
			continue
		}
		bw.WriteString("\n" + jsonIndent)
		var ind bytes.Buffer
		if err := json.Indent(&ind, v, jsonIndent, jsonIndent); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		bw.Write(ind.Bytes())
	}
	if pretty && n > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString("]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
