package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNormalizeOptions checks iproute2's one-dash spellings.
func TestNormalizeOptions(t *testing.T) {
	got := normalizeOptions([]string{"-details", "-j", "-net", "blue", "-pretty", "-dj", "link", "-1"})
	want := []string{"--details", "-j", "--netns", "blue", "--pretty", "-dj", "link", "-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
