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
)

// Log receives vmtest's progress messages (installing packages, fetching
// kernels). It is os.Stderr unless changed.
var Log io.Writer = os.Stderr

func logf(format string, args ...any) {
	fmt.Fprintf(Log, "vmtest: "+format+"\n", args...)
}

// aptUpdated is true once this process has run apt-get update.
var (
	aptMu      sync.Mutex
	aptUpdated bool
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

// aptUpdate runs apt-get update, once per process.
func aptUpdate() error {
	aptMu.Lock()
	defer aptMu.Unlock()
	if aptUpdated {
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("apt-get update needs root")
	}
	unlock, err := aptLock()
	if err != nil {
		return err
	}
	defer unlock()
	logf("running apt-get update")
	if _, err := runApt("", "apt-get", "-q", "update"); err != nil {
		return err
	}
	aptUpdated = true
	return nil
}

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
