package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bench/report"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

// runBenchReport runs `vlanraw bench report [--out DIR] FILE[=LABEL]...`:
// it builds the report from saved go test -bench outputs, each labelled
// with where it ran (by default the file's name without its extension).
func runBenchReport(e *cli.Env, args []string) error {
	var out string
	var help bool
	fs := pflag.NewFlagSet("bench report", pflag.ContinueOnError)
	fs.StringVar(&out, "out", defaultBenchOut, "write the report into DIR")
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "bench", &help, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return cli.Usagef("bench report needs the output of at least one benchmark run: FILE[=LABEL]")
	}
	if out == "" {
		return cli.Usagef("--out needs a directory")
	}
	type source struct{ file, label string }
	var sources []source
	seen := map[string]bool{}
	for _, a := range rest {
		file, label := a, ""
		if i := strings.LastIndexByte(a, '='); i >= 0 {
			file, label = a[:i], a[i+1:]
		}
		if label == "" {
			label = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		if file == "" {
			return cli.Usagef("bench report: %q names no file", a)
		}
		if seen[label] {
			return cli.Usagef("bench report: two inputs labelled %q: give each its own with FILE=LABEL", label)
		}
		seen[label] = true
		sources = append(sources, source{file, label})
	}
	var inputs []*report.Input
	for _, s := range sources {
		f, err := os.Open(s.file)
		if err != nil {
			return fmt.Errorf("bench report: %w", err)
		}
		in, err := report.Parse(f, s.label)
		f.Close()
		if err != nil {
			return fmt.Errorf("bench report: %s: %w", s.file, err)
		}
		in.Source = s.file
		inputs = append(inputs, in)
	}
	return writeBenchReport(e, inputs, out)
}
