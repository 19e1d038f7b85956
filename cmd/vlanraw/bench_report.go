package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bench/report"
)

// runBenchReport runs `vlanraw bench report [--out DIR] [--follow LABEL
// [--plan FILE]] FILE[=LABEL]...`: it builds the report from saved go
// test -bench outputs, each labelled with where it ran (by default the
// file's name without its extension). With --follow, standard input is
// one more run, still running, read as it comes (see report.Live): its
// progress goes to stderr and the report is rewritten after each of its
// results.
func runBenchReport(e *env, args []string) error {
	var out, follow, planFile string
	var help bool
	fs := pflag.NewFlagSet("bench report", pflag.ContinueOnError)
	fs.StringVar(&out, "out", defaultBenchOut, "write the report into DIR")
	fs.StringVar(&follow, "follow", "", "also read a run still running from standard input, labelled LABEL")
	fs.StringVar(&planFile, "plan", "", "the benchmarks the followed run will start, as go test -list prints them")
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := parseFlags(fs, "bench", &help, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) == 0 && follow == "":
		return usagef("bench report needs the output of at least one benchmark run: FILE[=LABEL], or --follow LABEL")
	case out == "":
		return usagef("--out needs a directory")
	case planFile != "" && follow == "":
		return usagef("bench report: --plan is for the run that --follow reads")
	case fs.Changed("follow") && follow == "":
		return usagef("--follow needs a label, such as host")
	}
	type source struct{ file, label string }
	var sources []source
	seen := map[string]bool{follow: follow != ""}
	for _, a := range rest {
		file, label := a, ""
		if i := strings.LastIndexByte(a, '='); i >= 0 {
			file, label = a[:i], a[i+1:]
		}
		if label == "" {
			label = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		if file == "" {
			return usagef("bench report: %q names no file", a)
		}
		if seen[label] {
			return usagef("bench report: two inputs labelled %q: give each its own with FILE=LABEL", label)
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
	if follow == "" {
		return writeBenchReport(e, inputs, out)
	}
	var plan []string
	if planFile != "" {
		f, err := os.Open(planFile)
		if err != nil {
			return fmt.Errorf("bench report: --plan: %w", err)
		}
		plan, err = report.ReadPlan(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("bench report: --plan: %s: %w", planFile, err)
		}
	}
	l := &report.Live{Label: follow, Earlier: inputs, Plan: plan, Dir: out, Progress: e.stderr}
	return followBench(e, l, os.Stdin)
}

// followBench follows a run with l and prints the paths of the report it
// left.
func followBench(e *env, l *report.Live, r io.Reader) error {
	_, paths, err := l.Follow(r)
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	if err != nil {
		return fmt.Errorf("report of %s: %w", l.Label, err)
	}
	return nil
}
