package vm

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Paths inside the guest.
const (
	guestConfigPath = "/vmtest/config.json"
	guestModuleDir  = "/vmtest/modules"
	guestOutputTTY  = "/dev/ttyS1" // the program's output; ttyS0 is the kernel console
)

// Config tells the guest's init what to do. The host writes it into the
// initramfs as JSON.
type Config struct {
	Args     []string      `json:"args"`     // program and arguments
	Dir      string        `json:"dir"`      // working directory
	Env      []string      `json:"env"`      // environment, without the VLANRAW_TESTENV_KERNEL and _KINDS that init adds
	Timeout  time.Duration `json:"timeout"`  // for the program; 0 means none
	MountTmp bool          `json:"mountTmp"` // mount a tmpfs on /tmp (false when the image has files there)
	Modules  []GuestModule `json:"modules"`  // to load, in order
	Builtin  []string      `json:"builtin"`  // wanted modules that the kernel has built in
}

// GuestModule is one kernel module to load in the guest.
type GuestModule struct {
	Name       string `json:"name"`
	File       string `json:"file"`             // as shipped, possibly compressed
	Compressed bool   `json:"compressed"`       // File is compressed
	Plain      string `json:"plain,omitempty"`  // a decompressed copy, for kernels that cannot decompress
	Params     string `json:"params,omitempty"` // module parameters
}

// readConfig loads the guest configuration.
func readConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(cfg.Args) == 0 {
		return nil, fmt.Errorf("config %s: no program", path)
	}
	return &cfg, nil
}
