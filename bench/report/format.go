package report

import (
	"math"
	"strconv"
)

// formatValue formats a figure with about four significant digits and
// no exponent: 227882, 2354, 16.50, 1.266, 0.6442, 0.007612; whole
// numbers, such as counts, without decimals.
func formatValue(v float64) string {
	a := math.Abs(v)
	if v == math.Trunc(v) && a < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	var prec int
	switch {
	case a == 0 || a >= 1000:
		prec = 0
	case a >= 100:
		prec = 1
	case a >= 10:
		prec = 2
	case a >= 1:
		prec = 3
	default:
		// Four significant digits, as go test prints them.
		prec = 3 - int(math.Floor(math.Log10(a)))
		if prec > 9 {
			prec = 9
		}
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// formatSpread is "median [min..max]", or the median alone when every
// run gave the same figure.
func formatSpread(m *Metric) string {
	if m.N() < 2 || m.Min == m.Max {
		return formatValue(m.Median)
	}
	return formatValue(m.Median) + " [" + formatValue(m.Min) + ".." + formatValue(m.Max) + "]"
}
