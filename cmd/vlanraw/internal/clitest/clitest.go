// Package clitest runs vlanraw's commands in-process, for the tests of
// the front-end packages, and checks their help, as net/http/httptest
// serves the tests of handlers. Only tests import it.
package clitest

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// Run runs vlanraw in-process with commands and cli.Help as its dispatch
// table, and returns its exit code and output.
func Run(commands []cli.Command, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = cli.Run(context.Background(), append(commands[:len(commands):len(commands)], cli.Help), args, &o, &e)
	return code, o.String(), e.String()
}

// Mentions reports whether text has word as a whole word.
func Mentions(text, word string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}

// CheckHelp checks that "vlanraw help TOPIC", run with runCLI, exits 0,
// mentions every one of words, and prints what each command line of
// forms (such as TOPIC help, and TOPIC -h) prints.
func CheckHelp(t *testing.T, runCLI func(args ...string) (int, string, string), topic string, words []string, forms [][]string) {
	t.Helper()
	code, help, stderr := runCLI("help", topic)
	if code != cli.ExitOK || stderr != "" {
		t.Fatalf("help %s: exit %d, stderr %q", topic, code, stderr)
	}
	for _, w := range words {
		if !Mentions(help, w) {
			t.Errorf("vlanraw help %s does not mention %q", topic, w)
		}
	}
	// The object's own "help" word, and -h after it, print the same.
	for _, args := range forms {
		if code, out, _ := runCLI(args...); code != cli.ExitOK || out != help {
			t.Errorf("vlanraw %s: exit %d and a different text; want the help of %s", strings.Join(args, " "), code, topic)
		}
	}
}
