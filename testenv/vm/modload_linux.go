package vm

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// moduleInitCompressedFile is finit_module's MODULE_INIT_COMPRESSED_FILE
// flag (Linux 5.17): the kernel decompresses the file itself.
const moduleInitCompressedFile = 4

// kernelDecompresses reports whether the running kernel can decompress
// modules in finit_module (CONFIG_MODULE_DECOMPRESS).
func kernelDecompresses() bool {
	_, err := os.Stat("/sys/module/compression")
	return err == nil
}

// loadModule loads one module. A module that is already loaded counts as
// loaded.
func loadModule(m GuestModule, decompress bool) error {
	var err error
	switch {
	case !m.Compressed:
		err = finitModule(m.File, m.Params, 0)
	case decompress:
		err = finitModule(m.File, m.Params, moduleInitCompressedFile)
		if err != nil && !errors.Is(err, unix.EEXIST) && m.Plain != "" {
			err = initModule(m.Plain, m.Params)
		}
	case m.Plain != "":
		err = initModule(m.Plain, m.Params)
	default:
		err = errors.New("compressed, and neither the kernel nor the image can decompress it")
	}
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("module %s: %w", m.Name, err)
	}
	return nil
}

// finitModule loads a module file with finit_module(2).
func finitModule(path, params string, flags int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), params, flags); err != nil {
		return fmt.Errorf("finit_module %s: %w", path, err)
	}
	return nil
}

// initModule loads an uncompressed module image with init_module(2).
func initModule(path, params string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := unix.InitModule(data, params); err != nil {
		return fmt.Errorf("init_module %s: %w", path, err)
	}
	return nil
}
