package vm

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// kernelSeries says where in Debian's archive one series of cloud kernels
// is, and how its package names go.
type kernelSeries struct {
	// Name is what -kernel takes: "5.10", "6.1", "6.12" or "7".
	Name string
	// Dist names the suites for messages, such as "bullseye-security".
	Dist string
	// Suites are the suites of a private apt configuration (see
	// privateApt); nil means the host's own apt sources, which carry
	// bookworm and bookworm-security.
	Suites []aptSuite
	// Prefix starts every package name of the series, for apt-cache
	// pkgnames.
	Prefix string
	// Re matches the package holding the kernel image. Its groups are
	// numbers that grow with every new kernel, compared in order.
	Re *regexp.Regexp
	// Companions are the prefixes that replace the image package's
	// "linux-binary-" (or "linux-image-") to name the other packages of
	// the same kernel and version: since Debian 13 (trixie) the image,
	// the modules and the config are packaged apart.
	Companions []string
}

// aptSuite is one line of a private sources.list: an archive below the
// mirror ("debian" or "debian-security") and a suite.
type aptSuite struct {
	Archive, Suite string
}

// kernelSeriesList is every series ResolveKernel fetches by name. The
// bullseye kernels come from bullseye-security (bullseye itself has
// older ABIs of the same 5.10); 7 is the newest 7.x that
// trixie-backports carries (7.3.4 in December 2026), whose
// linux-image-* package is only a metapackage.
var kernelSeriesList = []*kernelSeries{
	{
		Name:   "5.10",
		Dist:   "bullseye, bullseye-security",
		Suites: []aptSuite{{"debian", "bullseye"}, {"debian-security", "bullseye-security"}},
		Prefix: "linux-image-5.10.0-",
		Re:     regexp.MustCompile(`^linux-image-5\.10\.0-(\d+)-cloud-amd64-unsigned$`),
	},
	{
		Name:   "6.1",
		Dist:   "bookworm",
		Prefix: "linux-image-6.1.0-",
		Re:     regexp.MustCompile(`^linux-image-6\.1\.0-(\d+)-cloud-amd64-unsigned$`),
	},
	{
		Name:   "6.12",
		Dist:   "bookworm-security",
		Prefix: "linux-image-6.12.",
		Re:     regexp.MustCompile(`^linux-image-6\.12\.(\d+)\+deb12-cloud-amd64-unsigned$`),
	},
	{
		Name:       "7",
		Dist:       "trixie-backports",
		Suites:     []aptSuite{{"debian", "trixie-backports"}},
		Prefix:     "linux-binary-7.",
		Re:         regexp.MustCompile(`^linux-binary-7\.(\d+)\.(\d+)\+deb13-cloud-amd64$`),
		Companions: []string{"linux-modules-", "linux-base-"},
	},
}

// lookupSeries returns the series named name, or nil.
func lookupSeries(name string) *kernelSeries {
	for _, s := range kernelSeriesList {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Series lists the kernel series that ResolveKernel fetches by name,
// oldest first.
func Series() []string {
	names := make([]string, 0, len(kernelSeriesList))
	for _, s := range kernelSeriesList {
		names = append(names, s.Name)
	}
	return names
}

// rank returns the numbers in a package name of the series that order
// its kernels, or nil if the name is not of the series.
func (s *kernelSeries) rank(pkg string) []int {
	m := s.Re.FindStringSubmatch(pkg)
	if m == nil {
		return nil
	}
	r := make([]int, 0, len(m)-1)
	for _, g := range m[1:] {
		n, err := strconv.Atoi(g)
		if err != nil {
			return nil
		}
		r = append(r, n)
	}
	return r
}

// newer reports whether rank a is above rank b; nil is below everything.
func newer(a, b []int) bool {
	if a == nil || b == nil {
		return b == nil && a != nil
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// newestFirst returns the names among pkgs that are of the series,
// newest first.
func (s *kernelSeries) newestFirst(pkgs []string) []string {
	var out []string
	for _, p := range pkgs {
		if s.rank(p) != nil {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return newer(s.rank(out[i]), s.rank(out[j])) })
	return out
}

// packages returns the packages to download for the kernel whose image
// package is pkg: pkg and its companions.
func (s *kernelSeries) packages(pkg string) []string {
	pkgs := []string{pkg}
	_, rest, ok := strings.Cut(pkg, "linux-binary-")
	if !ok {
		_, rest, _ = strings.Cut(pkg, "linux-image-")
	}
	for _, c := range s.Companions {
		pkgs = append(pkgs, c+rest)
	}
	return pkgs
}

// debianMirror is the mirror of the private apt configurations:
// $VLANRAW_VMTEST_MIRROR, or deb.debian.org, the one Debian's own
// sources name.
func debianMirror() string {
	if m := os.Getenv("VLANRAW_VMTEST_MIRROR"); m != "" {
		return strings.TrimRight(m, "/")
	}
	return "http://deb.debian.org"
}

// sourcesList renders the series' private sources.list.
func (s *kernelSeries) sourcesList() string {
	var b strings.Builder
	for _, su := range s.Suites {
		fmt.Fprintf(&b, "deb [signed-by=%s] %s/%s %s main\n", debianKeyring, debianMirror(), su.Archive, su.Suite)
	}
	return b.String()
}

// debianKeyring is the keyring of Debian's archive, from the
// debian-archive-keyring package; it signs every release's suites.
const debianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
