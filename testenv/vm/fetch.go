package vm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// resolveTTL is how long a resolved package version is reused without
// asking apt again, and how long a private configuration's package lists
// are used before apt-get update fetches them again.
const resolveTTL = 6 * time.Hour

// maxCandidates is how many packages of a series, newest first, a fetch
// tries before giving up: Debian's index can name kernels that its pool
// no longer (or not yet) serves, as bullseye-security did in December
// 2026 with 5.10.0-44 to -46 (404), when 5.10.0-43 downloaded.
const maxCandidates = 6

// candidate is one package of a series, with the version apt would
// download.
type candidate struct {
	pkg, version string
}

// apt returns the apt configuration that knows the series.
func (s *kernelSeries) apt(kdir string) *aptConfig {
	if s.Suites == nil {
		return hostApt
	}
	return &aptConfig{Dir: filepath.Join(kdir, "apt-"+s.Name), Sources: s.sourcesList(), Name: s.Dist}
}

// fetchSeries returns the newest kernel of a series that Debian's archive
// serves, from the cache when it holds that version, else downloaded and
// unpacked into it.
func fetchSeries(s *kernelSeries) (*Kernel, error) {
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

	memo := filepath.Join(kdir, "resolved-"+s.Name)
	if os.Getenv("VLANRAW_VMTEST_REFRESH") == "" {
		if fi, err := os.Stat(memo); err == nil && time.Since(fi.ModTime()) < resolveTTL {
			if k, err := loadResolved(kdir, memo); err == nil && k.Boot != "" {
				return k, nil
			}
		}
	}

	k, err := resolveAndFetch(kdir, s)
	if err != nil {
		// Offline or apt broken: fall back to the newest cached kernel.
		if k, cerr := newestCached(kdir, s); cerr == nil {
			logf("cannot fetch kernel %s (%v); using cached %s", s.Name, err, k)
			return k, nil
		}
		return nil, err
	}
	if err := addBootImage(k); err != nil {
		return nil, err
	}
	if err := os.WriteFile(memo, []byte(sanitizeName(k.Version)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	return k, nil
}

// resolveAndFetch finds the newest package of the series that downloads,
// or is cached. When none does, the package lists may be stale: it runs
// apt-get update and tries again.
func resolveAndFetch(kdir string, s *kernelSeries) (*Kernel, error) {
	a := s.apt(kdir)
	stale, err := a.prepare()
	if err != nil {
		return nil, err
	}
	if stale {
		if err := a.update(); err != nil {
			return nil, err
		}
	}
	cands, err := aptCandidates(a, s)
	if err == nil {
		var k *Kernel
		if k, err = fetchFirst(kdir, s, a, cands); err == nil {
			return k, nil
		}
	}
	if uerr := a.update(); uerr != nil {
		return nil, fmt.Errorf("%w (and %w)", err, uerr)
	}
	if cands, err = aptCandidates(a, s); err != nil {
		return nil, err
	}
	return fetchFirst(kdir, s, a, cands)
}

// fetchFirst returns the first of cands, newest first, that is cached or
// downloads.
func fetchFirst(kdir string, s *kernelSeries, a *aptConfig, cands []candidate) (*Kernel, error) {
	var errs []error
	for i, c := range cands {
		if i == maxCandidates {
			break
		}
		if k, err := loadKernelDir(filepath.Join(kdir, sanitizeName(c.version))); err == nil {
			return k, nil
		}
		k, err := downloadKernel(kdir, s, a, c)
		if err == nil {
			return k, nil
		}
		errs = append(errs, err)
		if i+1 < len(cands) && i+1 < maxCandidates {
			logf("cannot download %s %s (%s); trying %s", c.pkg, c.version, lastLine(err), cands[i+1].pkg)
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("apt knows no package matching %s in %s", s.Re, s.Dist)
	}
	return nil, errors.Join(errs...)
}

// lastLine returns the last non-empty line of err's message, where apt
// says what went wrong.
func lastLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// loadResolved loads the kernel that a memo file names.
func loadResolved(kdir, memo string) (*Kernel, error) {
	name, err := os.ReadFile(memo)
	if err != nil {
		return nil, err
	}
	return loadKernelDir(filepath.Join(kdir, strings.TrimSpace(string(name))))
}

// newestCached returns the newest cached kernel of a series.
func newestCached(kdir string, s *kernelSeries) (*Kernel, error) {
	entries, err := os.ReadDir(kdir)
	if err != nil {
		return nil, err
	}
	var best *Kernel
	for _, e := range entries {
		k, err := loadKernelDir(filepath.Join(kdir, e.Name()))
		if err != nil || k.Series != s.Name || s.rank(k.Package) == nil {
			continue
		}
		if best == nil || newer(s.rank(k.Package), s.rank(best.Package)) {
			best = k
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no cached kernel of series %s", s.Name)
	}
	return best, nil
}

// aptCandidates lists the packages of a series that the apt lists know,
// newest first, with their candidate versions.
func aptCandidates(a *aptConfig, s *kernelSeries) ([]candidate, error) {
	out, err := a.run("", "apt-cache", "pkgnames", s.Prefix)
	if err != nil {
		return nil, err
	}
	pkgs := s.newestFirst(strings.Fields(string(out)))
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("apt knows no package matching %s (suites: %s)", s.Re, s.Dist)
	}
	if len(pkgs) > maxCandidates {
		pkgs = pkgs[:maxCandidates]
	}
	out, err = a.run("", "apt-cache", append([]string{"policy"}, pkgs...)...)
	if err != nil {
		return nil, err
	}
	versions := candidateVersions(out)
	var cands []candidate
	for _, p := range pkgs {
		if v := versions[p]; v != "" {
			cands = append(cands, candidate{p, v})
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("apt has no installable version of %s", strings.Join(pkgs, ", "))
	}
	return cands, nil
}

// candidateVersions extracts each package's "Candidate:" version from
// apt-cache policy output; packages without one are left out.
func candidateVersions(policy []byte) map[string]string {
	versions := make(map[string]string)
	var pkg string
	sc := bufio.NewScanner(bytes.NewReader(policy))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutSuffix(line, ":"); ok && !strings.HasPrefix(line, " ") {
			pkg = name
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate:"); ok && pkg != "" {
			if v = strings.TrimSpace(v); v != "(none)" {
				versions[pkg] = v
			}
		}
	}
	return versions
}

// downloadKernel fetches the packages of one kernel with apt-get download
// and unpacks them with dpkg-deb into kdir/<version>.
func downloadKernel(kdir string, s *kernelSeries, a *aptConfig, c candidate) (*Kernel, error) {
	if _, err := lookTool("dpkg-deb", "dpkg"); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(kdir, ".fetch-")
	if err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	pkgs := s.packages(c.pkg)
	args := []string{"-q", "download"}
	for _, p := range pkgs {
		args = append(args, p+"="+c.version)
	}
	logf("downloading %s %s", strings.Join(pkgs, " "), c.version)
	if _, err := a.run(tmp, "apt-get", args...); err != nil {
		return nil, err
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != len(pkgs) {
		return nil, fmt.Errorf("apt-get download %s: found %d .deb files, want %d", strings.Join(pkgs, " "), len(debs), len(pkgs))
	}
	root := filepath.Join(tmp, "root")
	for _, deb := range debs {
		if _, err := runApt("", "dpkg-deb", "-x", deb, root); err != nil {
			return nil, err
		}
	}
	k, err := describeUnpacked(root)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.pkg, c.version, err)
	}
	k.Series, k.Package, k.Version = s.Name, c.pkg, c.version
	if err := writeKernelMeta(root, k); err != nil {
		return nil, err
	}
	final := filepath.Join(kdir, sanitizeName(c.version))
	if err := os.RemoveAll(final); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	if err := os.Rename(root, final); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	logf("fetched %s %s (%s) in %.1fs", c.pkg, c.version, k.Release, time.Since(start).Seconds())
	return loadKernelDir(final)
}
