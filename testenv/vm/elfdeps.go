package vm

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// isDynamicELF reports whether path is an ELF file with a program
// interpreter, that is a dynamically linked executable. Files that are not
// ELF are not dynamic.
func isDynamicELF(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("elf: %w", err)
	}
	defer f.Close()
	magic := make([]byte, len(elf.ELFMAG))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != elf.ELFMAG {
		return false, nil
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return false, fmt.Errorf("elf: %s: %w", path, err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return true, nil
		}
	}
	return false, nil
}

// sharedLibs returns the shared libraries and the dynamic loader that the
// host's ldd finds for a dynamically linked executable, as absolute paths;
// nil for anything else.
func sharedLibs(path string) ([]string, error) {
	dyn, err := isDynamicELF(path)
	if err != nil || !dyn {
		return nil, err
	}
	ldd, err := lookTool("ldd", "libc-bin")
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(ldd, path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w: %s", path, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return parseLdd(out)
}

// parseLdd extracts the library paths from ldd output such as
//
//	linux-vdso.so.1 (0x00007ffd...)
//	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f...)
//	/lib64/ld-linux-x86-64.so.2 (0x00007f...)
func parseLdd(out []byte) ([]string, error) {
	var libs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line == "statically linked" {
			continue
		}
		if name, target, ok := strings.Cut(line, "=>"); ok {
			target = strings.TrimSpace(target)
			if strings.HasPrefix(target, "not found") {
				return nil, fmt.Errorf("ldd: %s not found", strings.TrimSpace(name))
			}
			line = target
		}
		if p, _, _ := strings.Cut(line, " ("); strings.HasPrefix(p, "/") {
			libs = append(libs, p)
		}
	}
	return libs, sc.Err()
}
