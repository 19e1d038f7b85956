package vm

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// resolveTTL is how long a resolved package version is reused without
// asking apt again.
const resolveTTL = 6 * time.Hour

// fetchSeries returns the newest kernel of a series, from the cache when
// it holds that version, else downloaded and unpacked into it.
func fetchSeries(series string) (*Kernel, error) {
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	kdir := filepath.Join(cache, "kernels")
	unlock, err := lockFile(filepath.Join(kdir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	memo := filepath.Join(kdir, "resolved-"+series)
	if os.Getenv("VLANRAW_VMTEST_REFRESH") == "" {
		if fi, err := os.Stat(memo); err == nil && time.Since(fi.ModTime()) < resolveTTL {
			if k, err := loadResolved(kdir, memo); err == nil && k.Boot != "" {
				return k, nil
			}
		}
	}

	pkg, version, err := newestPackage(series)
	if err != nil {
		// Offline or apt broken: fall back to the newest cached kernel.
		if k, cerr := newestCached(kdir, series); cerr == nil {
			logf("cannot resolve kernel %s (%v); using cached %s", series, err, k)
			return k, nil
		}
		return nil, err
	}
	k, err := loadKernelDir(filepath.Join(kdir, sanitizeName(version)))
	if err != nil {
		k, err = downloadKernel(kdir, series, pkg, version)
		if err != nil {
			return nil, err
		}
	}
	if err := addBootImage(k); err != nil {
		return nil, err
	}
	if err := os.WriteFile(memo, []byte(sanitizeName(version)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	return k, nil
}

// loadResolved loads the kernel that a memo file names.
func loadResolved(kdir, memo string) (*Kernel, error) {
	name, err := os.ReadFile(memo)
	if err != nil {
		return nil, err
	}
	return loadKernelDir(filepath.Join(kdir, strings.TrimSpace(string(name))))
}

// newestCached returns the cached kernel of a series with the highest ABI
// number.
func newestCached(kdir, series string) (*Kernel, error) {
	entries, err := os.ReadDir(kdir)
	if err != nil {
		return nil, err
	}
	var best *Kernel
	bestN := -1
	for _, e := range entries {
		k, err := loadKernelDir(filepath.Join(kdir, e.Name()))
		if err != nil || k.Series != series {
			continue
		}
		if n := abiNumber(series, k.Package); n > bestN {
			best, bestN = k, n
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no cached kernel of series %s", series)
	}
	return best, nil
}

// abiNumber returns the growing number in a package name of the series, or
// -1 if the name is not of the series.
func abiNumber(series, pkg string) int {
	m := seriesPackage[series].re.FindStringSubmatch(pkg)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return -1
	}
	return n
}

// newestPackage asks apt for the newest package of a series and its
// candidate version, running apt-get update if the lists lack it.
func newestPackage(series string) (pkg, version string, err error) {
	pkg, version, err = aptNewest(series)
	if err == nil {
		return pkg, version, nil
	}
	if uerr := aptUpdate(); uerr != nil {
		return "", "", fmt.Errorf("%w (and %w)", err, uerr)
	}
	return aptNewest(series)
}

// aptNewest looks the newest package of a series up in the apt lists.
func aptNewest(series string) (pkg, version string, err error) {
	sp := seriesPackage[series]
	out, err := runApt("", "apt-cache", "pkgnames", sp.prefix)
	if err != nil {
		return "", "", err
	}
	best := -1
	for _, name := range strings.Fields(string(out)) {
		if n := abiNumber(series, name); n > best {
			pkg, best = name, n
		}
	}
	if pkg == "" {
		return "", "", fmt.Errorf("apt knows no package matching %s", sp.re)
	}
	out, err = runApt("", "apt-cache", "policy", pkg)
	if err != nil {
		return "", "", err
	}
	version = candidateVersion(out)
	if version == "" {
		return "", "", fmt.Errorf("apt has no installable version of %s", pkg)
	}
	return pkg, version, nil
}

// candidateVersion extracts the "Candidate:" version from apt-cache policy
// output.
func candidateVersion(policy []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(policy))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Candidate:"); ok {
			v = strings.TrimSpace(v)
			if v == "(none)" {
				return ""
			}
			return v
		}
	}
	return ""
}

// downloadKernel fetches a kernel package with apt-get download and unpacks
// it with dpkg-deb into kdir/<version>. A download that fails on stale
// lists is retried once after apt-get update, with the version apt then
// names.
func downloadKernel(kdir, series, pkg, version string) (*Kernel, error) {
	if _, err := lookTool("dpkg-deb", "dpkg"); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(kdir, ".fetch-")
	if err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	logf("downloading %s %s", pkg, version)
	if _, err := runApt(tmp, "apt-get", "-q", "download", pkg+"="+version); err != nil {
		if uerr := aptUpdate(); uerr != nil {
			return nil, fmt.Errorf("%w (and %w)", err, uerr)
		}
		if pkg, version, err = aptNewest(series); err != nil {
			return nil, err
		}
		if k, err := loadKernelDir(filepath.Join(kdir, sanitizeName(version))); err == nil {
			return k, nil
		}
		logf("downloading %s %s", pkg, version)
		if _, err := runApt(tmp, "apt-get", "-q", "download", pkg+"="+version); err != nil {
			return nil, err
		}
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return nil, fmt.Errorf("apt-get download %s: found %d .deb files", pkg, len(debs))
	}
	root := filepath.Join(tmp, "root")
	if _, err := runApt("", "dpkg-deb", "-x", debs[0], root); err != nil {
		return nil, err
	}
	k, err := describeUnpacked(root)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", pkg, version, err)
	}
	k.Series, k.Package, k.Version = series, pkg, version
	if err := writeKernelMeta(root, k); err != nil {
		return nil, err
	}
	final := filepath.Join(kdir, sanitizeName(version))
	if err := os.RemoveAll(final); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	if err := os.Rename(root, final); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	logf("fetched %s %s (%s) in %.1fs", pkg, version, k.Release, time.Since(start).Seconds())
	return loadKernelDir(final)
}
