package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteMarkdown writes the report in Markdown: the findings, the
// environment of each input, then one section per benchmark group with
// its chart (the file ChartFile names, next to the report) and a table
// per input of each metric's median [min..max] per benchmark.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# vlanraw benchmarks: %s, %s\n\n", r.Kernel, r.Date)
	b.WriteString(`Each figure is the median of the runs (go test -count), followed, when
there were several, by the lowest and the highest in brackets. A ratio
(a unit with "-vs-" or "ratio" in it, or starting "x-") compares with
the peer it names, measured in the same run, alternately; whether above
1 is better is in each benchmark's documentation, and the findings give
the goal's direction.
`)
	r.writeFindings(&b)
	r.writeEnv(&b)
	for _, g := range r.Groups() {
		r.writeGroup(&b, g)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeFindings writes the findings table.
func (r *Report) writeFindings(b *bytes.Buffer) {
	if len(r.Findings) == 0 {
		return
	}
	b.WriteString("\n## Findings\n\n| question | answer | goal |\n|---|---|---|\n")
	for _, a := range r.Findings {
		var lines []string
		for i, res := range a.Results {
			s := fmt.Sprintf("%s %s", mdCode(shortName(res.Benchmark)), formatValue(res.Median))
			if res.N > 1 && res.Min != res.Max {
				s += fmt.Sprintf(" [%s..%s]", formatValue(res.Min), formatValue(res.Max))
			}
			if res.Met != nil && *res.Met {
				s += " (met)"
			} else if res.Met != nil {
				s += " (**not met**)"
			}
			if i == 0 || a.Results[i-1].Input != res.Input {
				lines = append(lines, res.Input+": "+s)
			} else {
				lines[len(lines)-1] += ", " + s
			}
		}
		answer := strings.Join(lines, "<br>")
		if answer == "" {
			answer = "not measured in this run"
		}
		goal := strings.NewReplacer(">=", "≥", "<=", "≤").Replace(a.Goal)
		fmt.Fprintf(b, "| %s (%s) | %s | %s |\n", mdCell(a.Question), mdCode(a.Metric), answer, goal)
	}
}

// shortName is a benchmark's sub-benchmark name, or its group for one
// without sub-benchmarks: what a finding's answer names.
func shortName(name string) string {
	b := Benchmark{Name: name}
	if s := b.Sub(); s != "" {
		return s
	}
	return b.Group()
}

// writeEnv writes where each input ran, what it says about QEMU/TCG,
// and what skipped or failed.
func (r *Report) writeEnv(b *bytes.Buffer) {
	b.WriteString("\n## Environment\n\n| input | where | kernel | CPU | Go | started | benchmarks | runs |\n|---|---|---|---|---|---|---|---|\n")
	for _, in := range r.Inputs {
		e := in.Env
		cpu := e.CPU
		if e.CPUs > 0 {
			cpu = fmt.Sprintf("%s (%d CPUs)", cpu, e.CPUs)
		}
		started := ""
		if !e.Date.IsZero() {
			started = e.Date.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %d | %s |\n",
			mdCell(in.Label), e.Virt.Describe(), mdCell(e.Kernel), mdCell(cpu), mdCell(e.Go), started, len(in.Benchmarks), runsRange(in))
	}
	for _, in := range r.Inputs {
		switch {
		case len(in.Benchmarks) == 0:
			fmt.Fprintf(b, "\n**%s** has no benchmark results: its run failed or was not done.\n", in.Label)
		case in.Env.Virt == QEMUTCG:
			fmt.Fprintf(b, "\n**%s** ran under QEMU with TCG, which emulates the CPU in software: its absolute figures (times, rates) mean nothing and are left out. Only its same-boot ratios and its counts are shown.\n", in.Label)
		}
	}
	var notes []string
	for _, in := range r.Inputs {
		for _, n := range in.Failed {
			notes = append(notes, fmt.Sprintf("- %s: %s **failed**: %s", in.Label, mdCode(n.Name), mdCell(n.Reason)))
		}
		for _, n := range in.Skipped {
			notes = append(notes, fmt.Sprintf("- %s: %s skipped: %s", in.Label, mdCode(n.Name), mdCell(n.Reason)))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nFailed and skipped:\n\n" + strings.Join(notes, "\n") + "\n")
	}
}

// runsRange is the number of runs of in's benchmarks: "3", or "1..3"
// when they differ.
func runsRange(in *Input) string {
	lo, hi := 0, 0
	for i, bm := range in.Benchmarks {
		n := bm.Runs()
		if i == 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d..%d", lo, hi)
}

// writeGroup writes a group's section: its chart and a table per input.
func (r *Report) writeGroup(b *bytes.Buffer, g *Group) {
	fmt.Fprintf(b, "\n## %s\n\n%s in %s.\n", g.Name, mdCode("Benchmark"+g.Name), mdCode(g.Pkg))
	if c := r.chartFor(g); c != nil {
		fmt.Fprintf(b, "\n![%s: %s](%s)\n", g.Name, c.caption(), r.ChartFile(g))
	}
	for _, p := range g.Parts {
		fmt.Fprintf(b, "\n### %s (%s)\n\n", p.Input.Label, p.Input.Env.Virt.Describe())
		writeTable(b, p)
	}
}

// writeTable writes a part's table: a row per metric (ratios, then
// counts, then absolute figures, each in the order they first appear),
// a column per benchmark, and the number of runs.
func writeTable(b *bytes.Buffer, p Part) {
	cols := make([]string, len(p.Benchmarks))
	for i, bm := range p.Benchmarks {
		cols[i] = bm.Sub()
		if cols[i] == "" {
			cols[i] = "value"
		}
	}
	var units []string
	hidden := false
	for _, k := range []Kind{Ratio, Count, Absolute} {
		seen := map[string]bool{}
		for _, bm := range p.Benchmarks {
			for _, m := range bm.Metrics {
				if m.Kind() != k || seen[m.Unit] {
					continue
				}
				seen[m.Unit] = true
				if p.Input.Shows(k) {
					units = append(units, m.Unit)
				} else {
					hidden = true
				}
			}
		}
	}
	b.WriteString("| metric |")
	for _, c := range cols {
		fmt.Fprintf(b, " %s |", mdCell(c))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(cols)) + "\n")
	for _, u := range units {
		fmt.Fprintf(b, "| %s |", mdCode(u))
		for _, bm := range p.Benchmarks {
			cell := "–"
			if m := bm.Metric(u); m != nil && m.N() > 0 {
				cell = formatSpread(m)
			}
			fmt.Fprintf(b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("| runs |")
	for _, bm := range p.Benchmarks {
		fmt.Fprintf(b, " %d |", bm.Runs())
	}
	b.WriteString("\n")
	if hidden {
		b.WriteString("\nAbsolute figures are left out: QEMU/TCG.\n")
	}
}

// mdCell escapes s for a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// mdCode formats s as inline code in a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + mdCell(s) + "`"
}
