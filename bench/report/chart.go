package report

// chart is a group's chart.
type chart interface {
	// caption describes the chart in a line, for the image's alt text.
	caption() string
	svg() []byte
}

// Chart returns the SVG chart of a group, or nil if it has nothing to
// plot: a line chart of time per item against size for a group whose
// sub-benchmarks are sizes (n=10, n=100, ...), else a bar chart of its
// ratios.
func (r *Report) Chart(g *Group) []byte {
	c := r.chartFor(g)
	if c == nil {
		return nil
	}
	return c.svg()
}

func (r *Report) chartFor(g *Group) chart {
	if c := newLineChart(g); c != nil {
		return c
	}
	if c := newBarChart(g); c != nil {
		return c
	}
	return nil
}
