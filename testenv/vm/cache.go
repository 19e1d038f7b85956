package vm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// CacheDir returns the directory where vmtest keeps kernels: $VLANRAW_CACHE
// if set, else .cache in the root of the enclosing Go module (found by
// walking up from the working directory, then by asking go env GOMOD),
// else vlanraw in the user's cache directory.
func CacheDir() (string, error) {
	if dir := os.Getenv("VLANRAW_CACHE"); dir != "" {
		return filepath.Abs(dir)
	}
	if root, ok := moduleRoot(); ok {
		return filepath.Join(root, ".cache"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache dir: %w", err)
	}
	return filepath.Join(dir, "vlanraw"), nil
}

// moduleRoot finds the directory holding the go.mod of the working
// directory.
func moduleRoot() (string, bool) {
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && fi.Mode().IsRegular() {
				return dir, true
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", false
	}
	gomod := string(bytes.TrimSpace(out))
	if gomod == "" || gomod == os.DevNull {
		return "", false
	}
	return filepath.Dir(gomod), true
}

// lockFile takes an exclusive flock on path, creating it, and returns the
// function that releases it. It serialises concurrent vmtest processes, as
// go test runs several packages at once.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// sanitizeName makes s usable as one path element.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == 0 {
			return '_'
		}
		return r
	}, s)
}
