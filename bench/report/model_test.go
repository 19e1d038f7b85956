package report

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tt := range []struct {
		samples          []float64
		median, min, max float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{3, 1, 2}, 2, 1, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
		{[]float64{1.2, 0.9, 1.1, 1.0, 5}, 1.1, 0.9, 5},
		{nil, 0, 0, 0},
	} {
		m := &Metric{Unit: "x-y"}
		for _, s := range tt.samples {
			m.add(s)
		}
		m.summarize()
		if m.Median != tt.median || m.Min != tt.min || m.Max != tt.max || m.N() != len(tt.samples) {
			t.Errorf("%v: median %v [%v..%v] n=%d, want %v [%v..%v]", tt.samples, m.Median, m.Min, m.Max, m.N(), tt.median, tt.min, tt.max)
		}
	}
	m := &Metric{}
	for _, v := range []float64{math.NaN(), 2, math.Inf(1), math.Inf(-1)} {
		m.add(v)
	}
	if m.N() != 1 {
		t.Errorf("non-finite samples kept: %v", m.Samples)
	}
	for _, tt := range []struct {
		m    Metric
		want string
	}{
		{Metric{Samples: []float64{1.5, 2.25, 3}, Median: 2.25, Min: 1.5, Max: 3}, "2.250 [1.500..3]"},
		{Metric{Samples: []float64{2.5}, Median: 2.5, Min: 2.5, Max: 2.5}, "2.500"},
		{Metric{Samples: []float64{0, 0, 0}}, "0"},
	} {
		if got := formatSpread(&tt.m); got != tt.want {
			t.Errorf("formatSpread(%v) = %q, want %q", tt.m.Samples, got, tt.want)
		}
	}
}
