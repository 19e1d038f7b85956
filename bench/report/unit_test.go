package report

import "testing"

// TestKindOf checks the naming rule on the units the suites report.
func TestKindOf(t *testing.T) {
	for unit, want := range map[string]Kind{
		"udp-pps-vs-bridge":             Ratio,
		"rr-p99-vs-bridge":              Ratio,
		"ratio-createall-vs-ip-batch":   Ratio,
		"inproc-add-ratio-vs-cni":       Ratio,
		"cni-add-vs-exec-floor":         Ratio,
		"connect-growth-vs-n10":         Ratio,
		"with-vs-without":               Ratio,
		"x-trivial":                     Ratio,
		"ep-bcast-frames":               Count,
		"ep-setup-frames":               Count,
		"cli-floor-MB":                  Count,
		"B/op":                          Count,
		"allocs/op":                     Count,
		"ns/op":                         Absolute,
		"udp-pps":                       Absolute,
		"udp-loss-%":                    Absolute,
		"connect-ms/endpoint":           Absolute,
		"createall-links/s":             Absolute,
		"trivial-ns/pkt":                Absolute,
		"rx-pps":                        Absolute, // "x-" inside a word is no ratio
		"canvas-ms":                     Absolute, // nor "vs" inside a word
		"x":                             Absolute,
		"vlanraw-link-show-MB":          Count,
		"ratio-cli-batch-vs-ip-group":   Ratio,
		"ratio-delete-each-vs-ip-each":  Ratio,
		"ratio-create-each-vs-ip-batch": Ratio,
	} {
		if got := KindOf(unit); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", unit, got, want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 227882: "227882", 2354.4: "2354", 999.95: "1000.0", 123.45: "123.5", 16.5: "16.50",
		1.266: "1.266", 0.6442: "0.6442", 0.007612: "0.007612", -2.5: "-2.500", 1e-12: "0.000000000",
	} {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", v, got, want)
		}
	}
}
