package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	writeIndented(bw, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "")
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// writeIndented writes the compact JSON in src as json.Indent(dst, src,
// prefix, jsonIndent) would, to bw.
func writeIndented(bw *bufio.Writer, src []byte, prefix string) {
	depth := 0
	newline := func() {
		bw.WriteByte('\n')
		bw.WriteString(prefix)
		for range depth {
			bw.WriteString(jsonIndent)
		}
	}
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			bw.WriteByte(c)
			switch c {
			case '\\':
				i++
				if i < len(src) {
					bw.WriteByte(src[i])
				}
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			bw.WriteByte(c)
		case '{', '[':
			bw.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				bw.WriteByte(src[i+1]) // empty: {} and [] stay on their line
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			bw.WriteByte(c)
		case ',':
			bw.WriteByte(c)
			newline()
		case ':':
			bw.WriteString(": ")
		default:
			bw.WriteByte(c)
		}
	}
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
		writeIndented(bw, v, jsonIndent)
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
