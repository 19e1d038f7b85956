package vm

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// modinfo is what vmtest needs from a module's .modinfo section.
type modinfo struct {
	Name    string   // name=, normalised with underscores
	Depends []string // depends=, normalised
}

// parseModinfo parses the content of a .modinfo section: NUL-terminated
// key=value strings, possibly separated by extra NUL padding.
func parseModinfo(section []byte) modinfo {
	var mi modinfo
	for _, field := range bytes.Split(section, []byte{0}) {
		key, value, ok := strings.Cut(string(field), "=")
		if !ok {
			continue
		}
		switch key {
		case "name":
			mi.Name = moduleName(value)
		case "depends":
			for _, dep := range strings.Split(value, ",") {
				if dep = strings.TrimSpace(dep); dep != "" {
					mi.Depends = append(mi.Depends, moduleName(dep))
				}
			}
		}
	}
	return mi
}

// moduleName normalises a module name the way the kernel does: dashes and
// underscores are the same.
func moduleName(s string) string {
	return strings.ReplaceAll(s, "-", "_")
}

// moduleFileName returns the module name that a file such as
// "kernel/net/8021q/8021q.ko.xz" holds, and whether it is a module at all.
func moduleFileName(path string) (string, bool) {
	base := path[strings.LastIndexByte(path, '/')+1:]
	for _, ext := range []string{".ko", ".ko.xz", ".ko.gz", ".ko.zst"} {
		if name, ok := strings.CutSuffix(base, ext); ok {
			return moduleName(name), true
		}
	}
	return "", false
}

// readModuleFile returns the ELF image of a module file, decompressing a
// .ko.xz with the host's xz and a .ko.gz with compress/gzip.
func readModuleFile(path string) ([]byte, error) {
	switch {
	case strings.HasSuffix(path, ".ko"):
		return os.ReadFile(path)
	case strings.HasSuffix(path, ".ko.gz"):
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("decompress %s: %w", path, err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("decompress %s: %w", path, err)
		}
		return data, nil
	case strings.HasSuffix(path, ".ko.xz"):
		xz, err := lookTool("xz", "xz-utils")
		if err != nil {
			return nil, err
		}
		var stderr bytes.Buffer
		cmd := exec.Command(xz, "-dc", "--", path)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("decompress %s: %w: %s", path, err, bytes.TrimSpace(stderr.Bytes()))
		}
		return out, nil
	default:
		return nil, fmt.Errorf("module %s: unsupported compression", path)
	}
}

// readModinfo reads the .modinfo section of a module file.
func readModinfo(path string) (modinfo, error) {
	data, err := readModuleFile(path)
	if err != nil {
		return modinfo{}, err
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return modinfo{}, fmt.Errorf("module %s: %w", path, err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return modinfo{}, fmt.Errorf("module %s: no .modinfo section", path)
	}
	raw, err := sec.Data()
	if err != nil {
		return modinfo{}, fmt.Errorf("module %s: .modinfo: %w", path, err)
	}
	mi := parseModinfo(raw)
	if mi.Name == "" {
		mi.Name, _ = moduleFileName(path)
	}
	return mi, nil
}
