package vm

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vlanraw/vlanraw/rtnl"
)

// KindModules maps each link kind that vmtest reports in
// VLANRAW_TESTENV_KINDS to the module that provides it: every kind of
// rtnl's table.
var KindModules = kindModules(rtnl.Kinds())

func kindModules(kinds []rtnl.Kind) map[string]string {
	m := make(map[string]string, len(kinds))
	for _, k := range kinds {
		m[k.Name] = k.Module
	}
	return m
}

// DefaultModules are the modules loaded in every guest, when the kernel
// ships them: those of every link kind in rtnl's table, in its order,
// then helpers. Their dependencies are added automatically.
var DefaultModules = append(kindModuleList(rtnl.Kinds()),
	"tap", "garp", "mrp", "stp", "llc",
	"sch_ingress", "cls_bpf",
)

// kindModuleList returns the modules of kinds, each once.
func kindModuleList(kinds []rtnl.Kind) []string {
	var mods []string
	for _, k := range kinds {
		if !slices.Contains(mods, k.Module) {
			mods = append(mods, k.Module)
		}
	}
	return mods
}

// moduleParams are the parameters vmtest loads some modules with: dummy
// would otherwise create a dummy0 in every guest.
var moduleParams = map[string]string{
	"dummy": "numdummies=0",
}

// moduleIndex knows the modules of one kernel.
type moduleIndex struct {
	dir     string            // /lib/modules/<release>
	files   map[string]string // module name -> absolute file
	builtin map[string]bool   // from modules.builtin
}

// indexModules lists the module files below dir (a /lib/modules/<release>
// directory) and reads its modules.builtin, if present.
func indexModules(dir string) (*moduleIndex, error) {
	idx := &moduleIndex{dir: dir, files: make(map[string]string), builtin: make(map[string]bool)}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if name, ok := moduleFileName(p); ok {
			if _, dup := idx.files[name]; !dup {
				idx.files[name] = p
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index modules: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, "modules.builtin"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return idx, nil
	case err != nil:
		return nil, fmt.Errorf("index modules: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, ok := moduleFileName(strings.TrimSpace(sc.Text())); ok {
			idx.builtin[name] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("index modules: %w", err)
	}
	return idx, nil
}

// depends returns the dependencies of a module and whether the kernel
// ships it as a file.
func (idx *moduleIndex) depends(name string) ([]string, bool, error) {
	path, ok := idx.files[name]
	if !ok {
		return nil, false, nil
	}
	mi, err := readModinfo(path)
	if err != nil {
		return nil, true, err
	}
	return mi.Depends, true, nil
}

// orderModules returns the modules among wanted that deps finds, plus all
// their dependencies, ordered so that every module comes after the ones it
// depends on; and, sorted, the wanted modules that deps did not find (built
// in, or not configured). A missing dependency or a cycle is an error.
func orderModules(wanted []string, deps func(name string) ([]string, bool, error)) (order, absent []string, err error) {
	const (
		visiting = 1
		done     = 2
	)
	type result struct {
		deps  []string
		found bool
	}
	memo := make(map[string]result)
	lookup := func(name string) ([]string, bool, error) {
		if r, ok := memo[name]; ok {
			return r.deps, r.found, nil
		}
		ds, found, err := deps(name)
		if err != nil {
			return nil, false, err
		}
		memo[name] = result{ds, found}
		return ds, found, nil
	}
	state := make(map[string]int)
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("module dependency cycle: %s -> %s", strings.Join(chain, " -> "), name)
		}
		state[name] = visiting
		ds, found, err := lookup(name)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("module %s: not found (needed by %s)", name, chain[len(chain)-1])
		}
		for _, d := range ds {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = done
		order = append(order, name)
		return nil
	}
	for _, name := range wanted {
		name = moduleName(name)
		if state[name] == done {
			continue
		}
		if _, found, err := lookup(name); err != nil {
			return nil, nil, err
		} else if !found {
			absent = append(absent, name)
			state[name] = done
			continue
		}
		if err := visit(name, nil); err != nil {
			return nil, nil, err
		}
	}
	sort.Strings(absent)
	return order, absent, nil
}
