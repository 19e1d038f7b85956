package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vlanraw/vlanraw/internal/jsonio"
)

// WriteJSON writes v as iproute2 does: on one line, or indented with
// pretty, followed by a newline. The indented form is written as it is
// made from the compact one, never held whole: a network inspect of
// thousands of endpoints would otherwise hold both.
func WriteJSON(w io.Writer, v any, pretty bool) error {
	if !pretty {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	bw := bufio.NewWriter(w)
	jsonio.Indent(bw, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "", jsonIndent)
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
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
		jsonio.Indent(bw, v, jsonIndent, jsonIndent)
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
