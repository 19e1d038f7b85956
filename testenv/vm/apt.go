package vm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Log receives vmtest's progress messages (installing packages, fetching
// kernels). It is os.Stderr unless changed.
var Log io.Writer = os.Stderr

func logf(format string, args ...any) {
	fmt.Fprintf(Log, "vmtest: "+format+"\n", args...)
}

// aptUpdated holds the apt configurations (by aptConfig.Dir) that this
// process has run apt-get update for.
var (
	aptMu      sync.Mutex
	aptUpdated = map[string]bool{}
)

// aptLock serialises apt-get runs of concurrent vmtest processes.
func aptLock() (func(), error) {
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	return lockFile(filepath.Join(dir, "vmtest-apt.lock"))
}

// runApt runs an apt command and returns its standard output; its
// diagnostics are returned in the error.
func runApt(dir string, name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// aptConfig is an apt configuration: the host's (Dir "") or a private one
// below Dir, with its own sources.list, package lists, cache and an empty
// dpkg status, so that suites of other Debian releases can be looked up
// and downloaded from without touching the host's apt.
type aptConfig struct {
	Dir     string
	Sources string // the private sources.list
	Name    string // its suites, for messages
}

// hostApt is the host's own apt configuration.
var hostApt = &aptConfig{}

// options returns the apt options that select a private configuration.
// The host's apt.conf.d still applies (proxies, say); the package
// indices' translations and AppStream metadata are not fetched.
func (a *aptConfig) options() []string {
	if a.Dir == "" {
		return nil
	}
	opt := func(k, v string) []string { return []string{"-o", k + "=" + v} }
	var o []string
	for _, kv := range [][2]string{
		{"Dir::Etc::SourceList", filepath.Join(a.Dir, "sources.list")},
		{"Dir::Etc::SourceParts", filepath.Join(a.Dir, "sources.list.d")},
		{"Dir::State::Lists", filepath.Join(a.Dir, "lists")},
		{"Dir::State::status", filepath.Join(a.Dir, "status")},
		{"Dir::Cache", filepath.Join(a.Dir, "cache")},
		{"Acquire::Languages", "none"},
		{"Acquire::IndexTargets::deb::DEP-11::DefaultEnabled", "false"},
		{"Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled", "false"},
		{"Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled", "false"},
		{"Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled", "false"},
	} {
		o = append(o, opt(kv[0], kv[1])...)
	}
	return o
}

// run runs an apt tool (apt-get, apt-cache) with the configuration, in
// directory dir.
func (a *aptConfig) run(dir, tool string, args ...string) ([]byte, error) {
	return runApt(dir, tool, append(a.options(), args...)...)
}

// prepare creates a private configuration's files and reports whether
// its package lists must be fetched: they are missing, older than
// resolveTTL, or of other sources.
func (a *aptConfig) prepare() (stale bool, err error) {
	if a.Dir == "" {
		return false, nil
	}
	for _, d := range []string{"sources.list.d", "lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(a.Dir, d), 0o755); err != nil {
			return false, fmt.Errorf("apt configuration: %w", err)
		}
	}
	status := filepath.Join(a.Dir, "status")
	if _, err := os.Stat(status); err != nil {
		if err := os.WriteFile(status, nil, 0o644); err != nil {
			return false, fmt.Errorf("apt configuration: %w", err)
		}
	}
	list := filepath.Join(a.Dir, "sources.list")
	if old, err := os.ReadFile(list); err != nil || string(old) != a.Sources {
		if err := os.WriteFile(list, []byte(a.Sources), 0o644); err != nil {
			return false, fmt.Errorf("apt configuration: %w", err)
		}
		return true, nil
	}
	fi, err := os.Stat(filepath.Join(a.Dir, "lists", "updated"))
	return err != nil || time.Since(fi.ModTime()) >= resolveTTL, nil
}

// update runs apt-get update, once per process and configuration.
func (a *aptConfig) update() error {
	aptMu.Lock()
	defer aptMu.Unlock()
	if aptUpdated[a.Dir] {
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("apt-get update needs root")
	}
	if _, err := a.prepare(); err != nil {
		return err
	}
	unlock, err := aptLock()
	if err != nil {
		return err
	}
	defer unlock()
	start := time.Now()
	if a.Dir == "" {
		logf("running apt-get update")
	} else {
		logf("running apt-get update of %s (private lists in %s)", a.Name, a.Dir)
	}
	if _, err := a.run("", "apt-get", "-q", "update"); err != nil {
		return err
	}
	if a.Dir != "" {
		logf("apt-get update took %.1fs", time.Since(start).Seconds())
		if err := os.WriteFile(filepath.Join(a.Dir, "lists", "updated"), nil, 0o644); err != nil {
			return fmt.Errorf("apt configuration: %w", err)
		}
	}
	aptUpdated[a.Dir] = true
	return nil
}

// aptUpdate runs apt-get update of the host's configuration, once per
// process.
func aptUpdate() error { return hostApt.update() }

// aptInstall installs packages, running apt-get update first if the
// install fails on stale or empty package lists.
func aptInstall(pkgs ...string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("installing %s needs root", strings.Join(pkgs, " "))
	}
	install := func() error {
		unlock, err := aptLock()
		if err != nil {
			return err
		}
		defer unlock()
		logf("installing %s", strings.Join(pkgs, " "))
		args := append([]string{"-q", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", "install"}, pkgs...)
		_, err = runApt("", "apt-get", args...)
		return err
	}
	if err := install(); err == nil {
		return nil
	}
	if err := aptUpdate(); err != nil {
		return err
	}
	return install()
}

// lookTool finds a host command, also in the sbin directories that a
// non-root PATH may lack, and installs the Debian package pkg if it is
// missing.
func lookTool(name, pkg string) (string, error) {
	find := func() (string, error) {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
		return "", fmt.Errorf("%s not found", name)
	}
	if p, err := find(); err == nil {
		return p, nil
	}
	if err := aptInstall(pkg); err != nil {
		return "", fmt.Errorf("%s is missing and installing %s failed: %w", name, pkg, err)
	}
	return find()
}
