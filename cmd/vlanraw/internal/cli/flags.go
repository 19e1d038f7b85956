package cli

import (
	"io"

	"github.com/spf13/pflag"
)

// ParseFlags parses args with fs, a command's own flags, whose
// -h/--help is bound to help; a lone "help" word asks for help too, of
// topic. It returns the other words.
func ParseFlags(fs *pflag.FlagSet, topic string, help *bool, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, Usagef("%s: %v", fs.Name(), err)
	}
	if *help || (fs.NArg() == 1 && fs.Arg(0) == "help") {
		return nil, &HelpRequested{Topic: topic}
	}
	return fs.Args(), nil
}

// OutputFlags adds -j/--json and -p/--pretty bound to e, so that they may
// follow the command as in `vlanraw network ls -j`.
func (e *Env) OutputFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&e.JSON, "json", "j", e.JSON, "print JSON")
	fs.BoolVarP(&e.Pretty, "pretty", "p", e.Pretty, "indent JSON")
}
