package bpf

import "testing"

func TestChargesMemlock(t *testing.T) {
	for _, tt := range []struct {
		rel  string
		want bool
	}{
		{"5.10.0-43-cloud-amd64", true},
		{"4.19.0-27-amd64", true},
		{"5.11.0", false},
		{"6.1.0-57-cloud-amd64", false},
		{"6.18.44-fc-v1045", false},
		{"7.3.4+deb13-cloud-amd64", false},
		{"garbage", true},
	} {
		if got := chargesMemlock(tt.rel); got != tt.want {
			t.Errorf("chargesMemlock(%q) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}
