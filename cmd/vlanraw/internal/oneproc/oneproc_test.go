package oneproc

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// reportEnv makes the test binary print its GOMAXPROCS and exit.
const reportEnv = "ONEPROC_TEST_REPORT"

func TestMain(m *testing.M) {
	if os.Getenv(reportEnv) != "" {
		os.Stdout.WriteString(strconv.Itoa(runtime.GOMAXPROCS(0)))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestOneProc runs this test binary, which imports the package, with
// and without CNI_COMMAND, and reads the GOMAXPROCS each process had
// when its main began: 1 for a CNI plugin, and otherwise what the runtime
// chooses (that of a process without either variable).
func TestOneProc(t *testing.T) {
	procs := func(extra ...string) int {
		t.Helper()
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "CNI_COMMAND=") && !strings.HasPrefix(kv, "GOMAXPROCS=") {
				env = append(env, kv)
			}
		}
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(append(env, reportEnv+"=1"), extra...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(string(out))
		if err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		return n
	}
	cli := procs()
	if want := runtime.NumCPU(); cli > want || cli < 1 {
		t.Errorf("without CNI_COMMAND: GOMAXPROCS %d, want the runtime's choice, 1 to %d", cli, want)
	}
	if got := procs("CNI_COMMAND="); got != cli {
		t.Errorf("CNI_COMMAND empty (the CLI, as main reads it): GOMAXPROCS %d, want %d", got, cli)
	}
	for _, verb := range []string{"ADD", "DEL", "VERSION"} {
		if got := procs("CNI_COMMAND=" + verb); got != 1 {
			t.Errorf("CNI_COMMAND=%q: GOMAXPROCS %d, want 1", verb, got)
		}
	}
	if got := procs("CNI_COMMAND=ADD", "GOMAXPROCS=4"); got != 1 {
		t.Errorf("CNI_COMMAND=ADD with GOMAXPROCS=4: GOMAXPROCS %d, want 1", got)
	}
}
