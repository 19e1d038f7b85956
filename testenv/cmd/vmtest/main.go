// Command vmtest runs a program, typically a Go test binary, inside a QEMU
// virtual machine booting one of Debian's cloud kernels, and exits with the
// program's exit status.
//
// It is meant for go test's -exec flag:
//
//	go test -exec "$PWD/bin/vmtest -kernel 6.12" ./links/...
//
// and runs any other program (static, or dynamic with its libraries taken
// from the host) with
//
//	vmtest -kernel 6.1 -- /path/to/program args...
//
// The kernel is a series, or the path of a vmlinuz, with -modules naming
// its /lib/modules/<release> directory if that is not next to it. A series
// is the newest Debian cloud kernel of that series that the archive
// serves, fetched with apt into .cache/kernels at the module root (or
// $VLANRAW_CACHE/kernels), cached by version and looked up again every 6
// hours:
//
//	5.10   bullseye-security, linux-image-5.10.0-N-cloud-amd64-unsigned
//	6.1    bookworm, linux-image-6.1.0-N-cloud-amd64-unsigned
//	6.12   bookworm-security, linux-image-6.12.N+deb12-cloud-amd64-unsigned
//	7      trixie-backports, the newest 7.x: linux-binary-7.M.N+deb13-cloud-amd64
//	       with its linux-modules-* and linux-base-* (the config)
//
// 6.1 and 6.12 come from the host's own apt sources (Debian 12); 5.10 and
// 7 from a private apt configuration (sources, lists and cache in
// .cache/kernels/apt-SERIES, on deb.debian.org or $VLANRAW_VMTEST_MIRROR),
// so the host's apt is left alone. When the newest listed package cannot
// be downloaded (bullseye-security's index named 5.10.0-44 to -46 while
// its pool answered 404), the next older one is tried.
//
// The guest runs the program in the same working directory, with the
// directory's testdata copied in; the files listed in VLANRAW_VMTEST_EXTRA
// (colon-separated) and -extra are added at their host paths. The program
// sees VLANRAW_TESTENV=vm, VLANRAW_TESTENV_KERNEL (uname -r),
// VLANRAW_TESTENV_KINDS (the link kinds whose modules loaded), HOME=/tmp,
// the host's VLANRAW_*, GOTRACEBACK and GODEBUG variables, and -env ones.
//
// vmtest prints the guest kernel's release with every result. It exits
// with 125 when it cannot tell the program's status: the kernel crashed
// (the console is printed), the guest never reported, or the -timeout
// watchdog killed QEMU. TCG runs the guest's vCPUs in one host thread
// (see vm.Machine.MTTCG for why). Other variables: VLANRAW_KVM=1 uses KVM
// instead of TCG; VLANRAW_VMTEST_MTTCG=1 uses multi-threaded TCG;
// VLANRAW_VMTEST_REFRESH=1 asks apt for the newest kernel even if it
// asked recently; VLANRAW_VMTEST_BZIMAGE=1 boots the bzImage rather than
// the extracted vmlinux.
//
// The vmtest binary must be built with CGO_ENABLED=0: it is also the
// guest's /init.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vlanraw/vlanraw/testenv/vm"
)

func main() {
	if os.Getpid() == 1 {
		vm.Init() // never returns
	}
	os.Exit(run())
}

// listFlag collects a repeatable flag.
type listFlag []string

// String implements flag.Value.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value.
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func run() int {
	fs := flag.NewFlagSet("vmtest", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: vmtest [flags] [--] program [args...]\n       vmtest -fetch -kernel SERIES\n\nflags:\n")
		fs.PrintDefaults()
	}
	m := vm.DefaultMachine()
	var (
		kernel   = fs.String("kernel", "6.12", "kernel: a series ("+strings.Join(vm.Series(), ", ")+") or the path of a vmlinuz")
		modules  = fs.String("modules", "", "modules directory (/lib/modules/<release>) for a kernel given by path")
		watchdog = fs.Duration("timeout", vm.DefaultWatchdog, "kill the VM after this long; the program gets 30s less")
		verbose  = fs.Bool("v", false, "stream the kernel console to standard error")
		fetch    = fs.Bool("fetch", false, "only fetch the kernel into the cache and describe it")
		env      listFlag
		extra    listFlag
	)
	fs.StringVar(&m.Memory, "mem", m.Memory, "guest memory (QEMU -m)")
	fs.IntVar(&m.CPUs, "smp", m.CPUs, "guest CPUs (QEMU -smp)")
	fs.StringVar(&m.Append, "append", "", "extra kernel command line")
	fs.Var(&env, "env", "`KEY=VALUE` for the program (repeatable)")
	fs.Var(&extra, "extra", "host `path` to add at the same path in the guest (repeatable)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}

	k, err := vm.ResolveKernel(*kernel, *modules)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vmtest: %v\n", err)
		return vm.ExitInfra
	}
	if *fetch {
		fmt.Printf("kernel %s\nrelease %s\nvmlinuz %s\nboot %s\nmodules %s\n", k, k.Release, k.Vmlinuz, k.BootImage(), k.Modules)
		return 0
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}

	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "timeout" })
	if d, ok := testTimeout(fs.Args()[1:]); ok && !explicit && d+vmMargin > *watchdog {
		// go test -timeout 30m: let the test binary's own timeout fire
		// first, with its goroutine dump.
		*watchdog = d + vmMargin
	}

	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vmtest: %v\n", err)
		return vm.ExitInfra
	}
	opts := &vm.Options{
		Spec: vm.Spec{
			Kernel:  k,
			Args:    fs.Args(),
			Dir:     wd,
			Env:     append(forwardedEnv(os.Environ()), env...),
			Files:   append(splitList(os.Getenv("VLANRAW_VMTEST_EXTRA")), extra...),
			Timeout: programTimeout(*watchdog),
		},
		Machine:  m,
		Watchdog: *watchdog,
		Stdout:   os.Stdout,
	}
	if *verbose {
		opts.Console = os.Stderr
	}

	// A reader that goes away (go test killed, | head) must not kill
	// vmtest before it has stopped QEMU and removed its files.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	defer stop()
	res, err := vm.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vmtest: %s: %v\n", k, err)
		if res != nil && len(res.Console) > 0 {
			printConsole(res)
		}
		return vm.ExitInfra
	}
	prog := filepath.Base(opts.Args[0])
	if err := res.Err(); err != nil {
		if !*verbose {
			printConsole(res)
		}
		if errors.Is(err, vm.ErrKernelCrash) {
			fmt.Fprintf(os.Stderr, "vmtest: *** KERNEL CRASH *** (console above)\n")
		}
		fmt.Fprintf(os.Stderr, "vmtest: kernel %s%s: %s: %v after %.1fs\n", release(res, k), debianVersion(k), prog, err, res.Elapsed.Seconds())
		return res.Status()
	}
	fmt.Fprintf(os.Stderr, "vmtest: kernel %s%s: %s exit %d in %.1fs\n", res.Release, debianVersion(k), prog, res.ExitCode, res.Elapsed.Seconds())
	return res.Status()
}

// debianVersion names the Debian package version of a fetched kernel,
// " (Debian 5.10.251-5)", or returns "" for a kernel given by path.
func debianVersion(k *vm.Kernel) string {
	if k.Version == "" {
		return ""
	}
	return " (Debian " + k.Version + ")"
}

// release names the kernel of a run, from the guest if it said.
func release(res *vm.Result, k *vm.Kernel) string {
	if res.HaveResult {
		return res.Release
	}
	if k.Release != "" {
		return k.Release
	}
	return k.String()
}

// printConsole prints the whole kernel console of a failed run.
func printConsole(res *vm.Result) {
	fmt.Fprintf(os.Stderr, "vmtest: ---- kernel console ----\n%s", res.Console)
	if len(res.QEMU) > 0 {
		fmt.Fprintf(os.Stderr, "vmtest: ---- qemu ----\n%s\n", res.QEMU)
	}
	fmt.Fprintf(os.Stderr, "vmtest: ---- end of console ----\n")
}

// vmMargin is the time the watchdog grants beyond a test binary's
// -test.timeout: for booting, and for the test's own timeout report.
const vmMargin = 2 * time.Minute

// testTimeout finds a Go test binary's -test.timeout among its arguments.
func testTimeout(args []string) (time.Duration, bool) {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "test.timeout" || !strings.HasPrefix(a, "-") {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		if d, err := time.ParseDuration(value); err == nil && d > 0 {
			return d, true
		}
	}
	return 0, false
}

// programTimeout leaves the guest time to boot and report before the
// watchdog fires.
func programTimeout(watchdog time.Duration) time.Duration {
	if watchdog > 2*time.Minute {
		return watchdog - 30*time.Second
	}
	return watchdog * 3 / 4
}

// forwardedEnv picks the host variables that the program sees.
func forwardedEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		switch {
		case key == "VLANRAW_TESTENV" || strings.HasPrefix(key, "VLANRAW_TESTENV_"):
			// set by the guest
		case strings.HasPrefix(key, "VLANRAW_"), key == "GOTRACEBACK", key == "GODEBUG":
			env = append(env, kv)
		}
	}
	return env
}

// splitList splits a colon-separated list, dropping empty elements.
func splitList(s string) []string {
	var l []string
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			l = append(l, p)
		}
	}
	return l
}
