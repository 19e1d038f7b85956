package bench

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/vlanraw/vlanraw/bench/report"
)

// TestMain prints, when benchmarks are asked for, the line that says
// where they run (see report.Env.Line): the kernel, the host or QEMU
// with TCG or KVM, the CPU, Go and the time. `vlanraw bench report`
// reads it from the saved output; inside the QEMU harness it is how the
// report learns the guest's kernel.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		fmt.Println(report.CurrentEnv().Line())
	}
	code := m.Run()
	if cliDir != "" {
		os.RemoveAll(cliDir)
	}
	os.Exit(code)
}
