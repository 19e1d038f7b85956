package jsonio

// A Buffer takes indented output: a *bytes.Buffer or a *bufio.Writer.
type Buffer interface {
	WriteByte(c byte) error
	WriteString(s string) (int, error)
}

// Indent writes the compact JSON in src to dst as json.Indent(dst, src,
// prefix, indent) would, without holding the result whole: a large
// listing can go straight to a *bufio.Writer. src must be valid,
// compact JSON, as json.Marshal and a Writer make it.
func Indent(dst Buffer, src []byte, prefix, indent string) {
	depth := 0
	newline := func() {
		dst.WriteByte('\n')
		dst.WriteString(prefix)
		for range depth {
			dst.WriteString(indent)
		}
	}
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			dst.WriteByte(c)
			switch c {
			case '\\':
				i++
				if i < len(src) {
					dst.WriteByte(src[i])
				}
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			dst.WriteByte(c)
		case '{', '[':
			dst.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst.WriteByte(src[i+1]) // empty: {} and [] stay on their line
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst.WriteByte(c)
		case ',':
			dst.WriteByte(c)
			newline()
		case ':':
			dst.WriteString(": ")
		default:
			dst.WriteByte(c)
		}
	}
}
