package report

import (
	"math"
	"slices"
)

// barChart draws each benchmark's ratios as bars from 1 (the peer) on a
// log axis, one colour per metric, with the runs' spread as a whisker.
type barChart struct {
	group  string
	series []string // units, in the legend's order
	cats   []barCat
}

// barCat is one benchmark's bars.
type barCat struct {
	label string
	bars  []bar
}

// bar is one metric of one benchmark.
type bar struct {
	series int
	m      *Metric
}

// newBarChart returns the bar chart of g's ratios, or nil if it has none.
func newBarChart(g *Group) *barChart {
	c := &barChart{group: g.Name}
	for _, p := range g.Parts {
		for _, b := range p.Benchmarks {
			label := p.Input.Label
			if b.Sub() != "" {
				label += ": " + b.Sub()
			}
			cat := barCat{label: label}
			for _, m := range b.Metrics {
				if m.Kind() != Ratio || m.N() == 0 || m.Min <= 0 {
					continue
				}
				i := slices.Index(c.series, m.Unit)
				if i < 0 {
					i = len(c.series)
					c.series = append(c.series, m.Unit)
				}
				cat.bars = append(cat.bars, bar{series: i, m: m})
			}
			if len(cat.bars) > 0 {
				slices.SortStableFunc(cat.bars, func(a, b bar) int { return a.series - b.series })
				c.cats = append(c.cats, cat)
			}
		}
	}
	if len(c.cats) == 0 {
		return nil
	}
	return c
}

func (c *barChart) caption() string {
	return "ratios to the named peer, same run (log scale, 1 = the peer)"
}

// Layout of a bar chart.
const (
	barHeight = 12.0
	barGap    = 2.0
	catPad    = 10.0
)

func (c *barChart) svg() []byte {
	labelW := 80.0
	for _, cat := range c.cats {
		labelW = max(labelW, textWidth(cat.label, 12)+12)
	}
	labelW = min(labelW, 320)
	x0, x1 := labelW+10, float64(chartWidth)-80

	// The axis spans every median and whisker, and 1.
	lo, hi := 1.0, 1.0
	for _, cat := range c.cats {
		for _, b := range cat.bars {
			lo, hi = min(lo, b.m.Min), max(hi, b.m.Max)
		}
	}
	lo, hi = lo/1.25, hi*1.25
	xOf := func(v float64) float64 {
		return x0 + (x1-x0)*(math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}

	// Height: title, legend (measured by drawing it on a scratch
	// document), categories, axis.
	legendEnd := (&svgDoc{}).legend(x0, x1, 62, c.series)
	top := legendEnd + 4
	plotH := 0.0
	for _, cat := range c.cats {
		plotH += float64(len(cat.bars))*(barHeight+barGap) + catPad
	}
	h := top + plotH + 50

	s := newSVG(chartWidth, h)
	s.text(10, 22, "start", 15, c.group+": ratios to the named peer, same run")
	s.text(10, 42, "start", 11, "Log scale; each bar starts at 1, the peer. Whiskers: lowest..highest run.")
	s.legend(x0, x1, 62, c.series)

	// Stripes and labels, then the grid, then the bars over it.
	bottom := top + plotH
	y := top
	for i, cat := range c.cats {
		ch := float64(len(cat.bars))*(barHeight+barGap) + catPad
		if i%2 == 1 {
			s.rect(0, y, chartWidth, ch, "#f3f3f3")
		}
		s.text(labelW, y+ch/2+4, "end", 12, cat.label)
		y += ch
	}
	for _, t := range logTicks(lo, hi) {
		grid := "#cccccc"
		if t == 1 {
			grid = "#333333"
		}
		s.line(xOf(t), top, xOf(t), bottom, grid, 1)
		s.text(xOf(t), bottom+16, "middle", 11, tickLabel(t))
	}
	s.text((x0+x1)/2, bottom+36, "middle", 11, "× the peer (log scale; 1 = the peer)")

	y = top
	for _, cat := range c.cats {
		by := y + catPad/2
		for _, b := range cat.bars {
			a, z := xOf(min(1, b.m.Median)), xOf(max(1, b.m.Median))
			s.rect(a, by, max(z-a, 1), barHeight, colour(b.series))
			mid := by + barHeight/2
			end := z
			if b.m.N() > 1 && b.m.Max > b.m.Min {
				lx, hx := xOf(b.m.Min), xOf(b.m.Max)
				s.line(lx, mid, hx, mid, "#333333", 1)
				s.line(lx, mid-3, lx, mid+3, "#333333", 1)
				s.line(hx, mid-3, hx, mid+3, "#333333", 1)
				end = max(end, hx)
			}
			s.text(end+4, mid+4, "start", 10, formatValue(b.m.Median))
			by += barHeight + barGap
		}
		y += float64(len(cat.bars))*(barHeight+barGap) + catPad
	}
	return s.bytes()
}
