package vm

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Booting the uncompressed vmlinux through its PVH entry point skips the
// decompression that a bzImage does first, which costs about a second
// under TCG. Debian's cloud kernels have CONFIG_PVH.

// xenElfnotePhys32Entry is the ELF note (owner "Xen") that marks the PVH
// entry point QEMU's -kernel needs to boot a vmlinux.
const xenElfnotePhys32Entry = 18

// bzImagePayload returns the compressed kernel inside a bzImage (see
// Documentation/arch/x86/boot.rst) and the uncompressed size that the
// build appended to it, or 0 where it appends none (gzip).
func bzImagePayload(image []byte) (payload []byte, size uint32, err error) {
	if len(image) < 0x250 || string(image[0x202:0x206]) != "HdrS" {
		return nil, 0, errors.New("not a bzImage")
	}
	if version := binary.LittleEndian.Uint16(image[0x206:]); version < 0x208 {
		return nil, 0, fmt.Errorf("boot protocol %#x has no payload fields", version)
	}
	setupSects := int(image[0x1f1])
	if setupSects == 0 {
		setupSects = 4
	}
	off := (setupSects+1)*512 + int(binary.LittleEndian.Uint32(image[0x248:]))
	n := int(binary.LittleEndian.Uint32(image[0x24c:]))
	if off < 0 || n < 4 || off+n > len(image) {
		return nil, 0, errors.New("payload out of range")
	}
	payload = image[off : off+n]
	if bytes.HasPrefix(payload, []byte{0x1f, 0x8b}) {
		return payload, 0, nil
	}
	return payload[:n-4], binary.LittleEndian.Uint32(payload[n-4:]), nil
}

// decompressPayload decompresses a bzImage payload: gzip in Go; zstd, lz4
// and xz with the host's tools.
func decompressPayload(payload []byte) ([]byte, error) {
	var tool, pkg string
	switch {
	case bytes.HasPrefix(payload, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case bytes.HasPrefix(payload, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		tool, pkg = "zstd", "zstd"
	case bytes.HasPrefix(payload, []byte{0x02, 0x21, 0x4c, 0x18}):
		tool, pkg = "lz4", "lz4"
	case bytes.HasPrefix(payload, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		tool, pkg = "xz", "xz-utils"
	default:
		return nil, fmt.Errorf("unknown compression % x", payload[:min(6, len(payload))])
	}
	path, err := lookTool(tool, pkg)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, "-dc")
	cmd.Stdin = bytes.NewReader(payload)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s -dc: %w: %s", tool, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// hasPVHNote reports whether an ELF image has the PVH entry note.
func hasPVHNote(data []byte) (bool, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return false, err
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		notes, err := io.ReadAll(p.Open())
		if err != nil {
			return false, err
		}
		for len(notes) >= 12 {
			namesz := binary.LittleEndian.Uint32(notes[0:])
			descsz := binary.LittleEndian.Uint32(notes[4:])
			typ := binary.LittleEndian.Uint32(notes[8:])
			nameEnd := 12 + (int(namesz)+3)&^3
			next := nameEnd + (int(descsz)+3)&^3
			if next > len(notes) || nameEnd > len(notes) {
				break
			}
			if typ == xenElfnotePhys32Entry && string(bytes.TrimRight(notes[12:12+namesz], "\x00")) == "Xen" {
				return true, nil
			}
			notes = notes[next:]
		}
	}
	return false, nil
}

// extractVmlinux writes the uncompressed, PVH-bootable kernel inside the
// bzImage src to dst.
func extractVmlinux(src, dst string) error {
	image, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	payload, size, err := bzImagePayload(image)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	vmlinux, err := decompressPayload(payload)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if size != 0 && uint32(len(vmlinux)) != size {
		return fmt.Errorf("%s: decompressed %d bytes, want %d", src, len(vmlinux), size)
	}
	pvh, err := hasPVHNote(vmlinux)
	if err != nil {
		return fmt.Errorf("%s: vmlinux: %w", src, err)
	}
	if !pvh {
		return fmt.Errorf("%s: vmlinux has no PVH entry point (CONFIG_PVH)", src)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, vmlinux, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
