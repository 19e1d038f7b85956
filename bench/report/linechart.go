package report

import (
	"math"
	"slices"
	"strings"
)

// lineChart draws a scale benchmark: time per item against the size its
// sub-benchmarks name (n=10 ... n=4000), on a log x axis, one line per
// input and metric.
type lineChart struct {
	group  string
	unit   string // the y axis, when every series has it, such as ms/endpoint
	series []lineSeries
	// omitted are the inputs left out because their timings mean
	// nothing (QEMU/TCG).
	omitted []string
}

// lineSeries is one input's metric over the sizes.
type lineSeries struct {
	name   string
	sizes  []int
	points []*Metric
}

// perItem reports whether unit is a figure per item, such as
// connect-ms/endpoint (per-op figures such as ns/op are not).
func perItem(unit string) bool {
	_, per, ok := strings.Cut(unit, "/")
	return ok && per != "op" && per != "s" && KindOf(unit) == Absolute
}

// newLineChart returns the line chart of a group whose sub-benchmarks
// are all sizes, from the inputs whose timings mean something, or nil.
func newLineChart(g *Group) *lineChart {
	c := &lineChart{group: g.Name}
	for _, p := range g.Parts {
		for _, b := range p.Benchmarks {
			if _, ok := b.Size(); !ok {
				return nil
			}
		}
	}
	units := map[string]bool{}
	for _, p := range g.Parts {
		if !p.Input.Shows(Absolute) {
			c.omitted = append(c.omitted, p.Input.Label)
			continue
		}
		var own []*lineSeries
		for _, b := range p.Benchmarks {
			n, _ := b.Size()
			for _, m := range b.Metrics {
				if !perItem(m.Unit) || m.N() == 0 || n <= 0 {
					continue
				}
				name := p.Input.Label + ": " + m.Unit
				i := slices.IndexFunc(own, func(s *lineSeries) bool { return s.name == name })
				if i < 0 {
					i = len(own)
					own = append(own, &lineSeries{name: name})
				}
				own[i].sizes = append(own[i].sizes, n)
				own[i].points = append(own[i].points, m)
				units[m.Unit[strings.LastIndexByte(m.Unit, '-')+1:]] = true
			}
		}
		for _, s := range own {
			c.series = append(c.series, *s)
		}
	}
	if len(c.series) == 0 {
		return nil
	}
	if len(units) == 1 {
		for u := range units {
			c.unit = u
		}
	}
	return c
}

func (c *lineChart) caption() string {
	return "time per item against the number of items (log x axis)"
}

func (c *lineChart) svg() []byte {
	const h = 460.0
	x0, x1 := 80.0, float64(chartWidth)-30
	names := make([]string, len(c.series))
	var sizes []int
	yMax := 0.0
	for i, s := range c.series {
		names[i] = s.name
		for j, n := range s.sizes {
			if !slices.Contains(sizes, n) {
				sizes = append(sizes, n)
			}
			yMax = max(yMax, s.points[j].Max)
		}
	}
	slices.Sort(sizes)
	lo, hi := float64(sizes[0])/1.4, float64(sizes[len(sizes)-1])*1.4
	xOf := func(n int) float64 {
		return x0 + (x1-x0)*(math.Log10(float64(n))-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	step := niceStep(yMax, 5)
	yTop := math.Ceil(yMax/step) * step
	if yTop == 0 {
		yTop = 1
	}

	s := newSVG(chartWidth, h)
	title := c.group + ": time per item against the number of items"
	if c.unit != "" {
		title = c.group + ": time per item (" + c.unit + ") against the number of items"
	}
	s.text(10, 22, "start", 15, title)
	sub := "Log x axis; a flat line is a constant cost per item. Whiskers: lowest..highest run."
	if len(c.omitted) > 0 {
		sub += " Not drawn (QEMU/TCG): " + strings.Join(c.omitted, ", ") + "."
	}
	s.text(10, 42, "start", 11, sub)
	top := s.legend(x0, x1, 62, names) + 4
	bottom := h - 60
	yOf := func(v float64) float64 { return bottom - (bottom-top)*v/yTop }

	for v := 0.0; v <= yTop+step/2; v += step {
		s.line(x0, yOf(v), x1, yOf(v), "#cccccc", 1)
		s.text(x0-6, yOf(v)+4, "end", 11, tickLabel(v))
	}
	for _, n := range sizes {
		s.line(xOf(n), top, xOf(n), bottom, "#e5e5e5", 1)
		s.text(xOf(n), bottom+16, "middle", 11, tickLabel(float64(n)))
	}
	s.line(x0, bottom, x1, bottom, "#333333", 1)
	s.text((x0+x1)/2, bottom+36, "middle", 11, "number of items (the sub-benchmark's n), log scale")

	for i, ser := range c.series {
		xs := make([]float64, len(ser.sizes))
		ys := make([]float64, len(ser.sizes))
		for j, n := range ser.sizes {
			xs[j], ys[j] = xOf(n), yOf(ser.points[j].Median)
		}
		if len(xs) > 1 {
			s.polyline(xs, ys, colour(i))
		}
		for j, m := range ser.points {
			if m.N() > 1 && m.Max > m.Min {
				s.line(xs[j], yOf(m.Min), xs[j], yOf(m.Max), colour(i), 1)
			}
			s.circle(xs[j], ys[j], 3.5, colour(i))
		}
	}
	return s.bytes()
}
