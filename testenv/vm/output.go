package vm

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// consoleState follows the kernel console.
type consoleState struct {
	buf        bytes.Buffer
	crash      string
	result     GuestResult
	haveResult bool
}

// read follows the console until EOF: it keeps every line (without CRs),
// streams it if stream is not nil, passes init's errors to Log otherwise,
// and notes crash signatures and a result line.
func (c *consoleState) read(r io.Reader, stream io.Writer) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			clean := strings.TrimRight(line, "\r\n") + "\n"
			c.buf.WriteString(clean)
			if stream != nil {
				io.WriteString(stream, clean)
			} else if strings.HasPrefix(clean, initLogPrefix+"error:") {
				io.WriteString(Log, clean)
			}
			if sig := crashSignature(clean); sig != "" && c.crash == "" {
				c.crash = sig
			}
			if r, ok := parseResult(clean); ok {
				c.result, c.haveResult = r, true
			}
		}
		if err != nil {
			return
		}
	}
}

// outputState follows the program's output channel.
type outputState struct {
	result     GuestResult
	haveResult bool
}

// read copies the program's output to w, byte for byte except for the
// result line, which it takes out.
func (o *outputState) read(r io.Reader, w io.Writer) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if res, ok := parseResult(string(line)); ok && err == nil {
				o.result, o.haveResult = res, true
			} else {
				w.Write(line)
			}
		}
		if err != nil {
			return
		}
	}
}
