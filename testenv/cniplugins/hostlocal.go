package cniplugins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Reserved returns the addresses host-local holds for network in its
// dataDir: one file per address, beside its lock and last_reserved_ip.N.
func Reserved(tb testing.TB, dataDir, network string) []string {
	tb.Helper()
	ents, err := os.ReadDir(filepath.Join(dataDir, network))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); n != "lock" && !strings.HasPrefix(n, "last_reserved_ip.") {
			out = append(out, n)
		}
	}
	return out
}
