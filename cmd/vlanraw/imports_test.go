package main

import (
	"embed"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sources are this package's Go files and those of the packages under
// internal/, as they were compiled into the test: the import rules are
// read from them rather than from go list, so that the test runs where
// the toolchain is not, inside the QEMU harness too.
//
//go:embed *.go internal
var sources embed.FS

// module is the import path prefix of vlanraw's own packages.
const module = "github.com/vlanraw/vlanraw/"

// frontEnds are the packages under internal/ that each hold a grammar.
var frontEnds = []string{"iproute", "docker", "stats", "bench", "cni", "bgp"}

// layers says which of vlanraw's own packages each package of the
// command may import (a trailing /... takes the packages below too),
// besides the leaves every layer shares (leaves): each front-end its
// layer only, and cli, which they share, none of them. A new front-end,
// such as a CNI plugin, gets its line here.
var layers = map[string][]string{
	// main: the dispatch table, and modes.SetStepHook for the tests'
	// VLANRAW_TEST_STOP.
	".": {"cmd/vlanraw/internal/...", "modes"},
	// cli: the hints name the errors of every layer below the CLI.
	"internal/cli": {"rtnl", "links", "modes", "bpf"},
	// clitest runs cli's dispatcher, for the front-ends' tests only.
	"internal/clitest": {"cmd/vlanraw/internal/cli"},
	// iproute2's grammar works on links, and on rtnl's messages.
	"internal/iproute": {"cmd/vlanraw/internal/cli", "links", "rtnl"},
	// Docker's grammar works on modes; verify's --counters is a bpf.Mode.
	"internal/docker": {"cmd/vlanraw/internal/cli", "modes", "modes/...", "bpf"},
	// stats attaches bpf's counters.
	"internal/stats": {"cmd/vlanraw/internal/cli", "bpf"},
	// cni, the CNI plugin, works on modes and finds the CLI's state
	// directory through modes/state.
	"internal/cni": {"modes", "modes/state"},
	// bench runs the suites and writes bench/report's report.
	"internal/bench": {"cmd/vlanraw/internal/cli", "bench/report"},
	// bgp hands what modes says to announce to bgp's speaker.
	"internal/bgp": {"cmd/vlanraw/internal/cli", "modes", "modes/state", "bgp"},
	// oneproc imports none of vlanraw's packages: its init must run
	// before theirs (see the package).
	"internal/oneproc": {},
}

// leaves are the packages below every layer that any package may
// import: the error vocabulary, network namespaces (every NETNS word
// goes through cli.OpenNetNS, which returns a *netns.NS), the JSON
// reader and writer of the hand-written codecs, and files opened without
// the runtime's poller.
var leaves = []string{"errdefs", "netns", "internal/jsonio", "internal/osfile"}

// allowed reports whether imp, a path under module, matches one of
// rules.
func allowed(rules []string, imp string) bool {
	for _, r := range rules {
		if base, ok := strings.CutSuffix(r, "/..."); ok && strings.HasPrefix(imp, base+"/") || imp == r {
			return true
		}
	}
	return false
}

// packageImports returns, for each package directory of sources ("."
// for this one), the set of vlanraw packages its non-test files import.
func packageImports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := fs.WalkDir(sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		src, err := sources.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := path.Dir(p)
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if rel, ok := strings.CutPrefix(imp, module); ok {
				out[dir][rel] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportLayers checks the layering of the command: each front-end
// imports only its layer (see layers), none imports another front-end,
// cli imports none of them, and every package has its rule.
func TestImportLayers(t *testing.T) {
	pkgs := packageImports(t)
	for dir := range layers {
		if pkgs[dir] == nil {
			t.Errorf("package %s has a rule in layers but no Go files here: update the rules", dir)
		}
	}
	for dir, imports := range pkgs {
		rules, ok := layers[dir]
		if !ok {
			t.Errorf("package cmd/vlanraw/%s has no rule in layers: say which layer it may import", dir)
			continue
		}
		for imp := range imports {
			other, isFrontEnd := strings.CutPrefix(imp, "cmd/vlanraw/internal/")
			switch {
			case isFrontEnd && slices.Contains(frontEnds, other) && dir != ".":
				t.Errorf("cmd/vlanraw/%s imports the front-end %s: front-ends share code through cli only", dir, imp)
			case !allowed(rules, imp) && !slices.Contains(leaves, imp):
				t.Errorf("cmd/vlanraw/%s imports %s, outside its layer %v", dir, imp, rules)
			}
		}
	}
}
