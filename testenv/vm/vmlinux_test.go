package vm

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// fakeBzImage wraps payload in just enough of a bzImage header.
func fakeBzImage(payload []byte) []byte {
	const setupSects = 1
	img := make([]byte, (setupSects+1)*512)
	img[0x1f1] = setupSects
	copy(img[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x20f)
	binary.LittleEndian.PutUint32(img[0x248:], 16) // payload_offset
	binary.LittleEndian.PutUint32(img[0x24c:], uint32(len(payload)))
	img = append(img, make([]byte, 16)...)
	return append(append(img, payload...), "trailing"...)
}

func TestBzImagePayload(t *testing.T) {
	withSize := append([]byte{0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3}, 0x10, 0, 0, 0)
	payload, size, err := bzImagePayload(fakeBzImage(withSize))
	if err != nil || size != 16 || !bytes.Equal(payload, withSize[:7]) {
		t.Errorf("zstd payload = % x, %d, %v", payload, size, err)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("vmlinux"))
	zw.Close()
	payload, size, err = bzImagePayload(fakeBzImage(gz.Bytes()))
	if err != nil || size != 0 || !bytes.Equal(payload, gz.Bytes()) {
		t.Fatalf("gzip payload: %d, %v", size, err)
	}
	out, err := decompressPayload(payload)
	if err != nil || string(out) != "vmlinux" {
		t.Errorf("decompress gzip = %q, %v", out, err)
	}

	for _, bad := range [][]byte{nil, make([]byte, 1024), fakeBzImage(nil)[:600]} {
		if _, _, err := bzImagePayload(bad); err == nil {
			t.Errorf("bzImagePayload accepted a %d-byte non-bzImage", len(bad))
		}
	}
	if _, err := decompressPayload([]byte("BZh91AY")); err == nil {
		t.Error("unknown compression accepted")
	}
}

func TestHasPVHNote(t *testing.T) {
	// The fake module has no notes at all.
	if pvh, err := hasPVHNote(fakeModule(t, "name=x\x00")); err != nil || pvh {
		t.Errorf("hasPVHNote(no notes) = %v, %v", pvh, err)
	}
	if _, err := hasPVHNote([]byte("not ELF")); err == nil {
		t.Error("hasPVHNote accepted a non-ELF file")
	}
}

// TestExtractCachedVmlinux extracts the vmlinux of each cached kernel.
func TestExtractCachedVmlinux(t *testing.T) {
	cache, err := CacheDir()
	if err != nil {
		t.Skip(err)
	}
	metas, _ := filepath.Glob(filepath.Join(cache, "kernels", "*", kernelMeta))
	if len(metas) == 0 {
		t.Skip("no kernel in the cache")
	}
	for _, meta := range metas {
		k, err := loadKernelDir(filepath.Dir(meta))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(k.Release, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "vmlinux")
			if err := extractVmlinux(k.Vmlinuz, dst); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(dst)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d MB vmlinux", k.Release, fi.Size()>>20)
		})
	}
}
