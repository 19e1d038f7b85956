package cniplugins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Verb is a cnitool command.
type Verb string

// The cnitool commands.
const (
	Add    Verb = "add"
	Check  Verb = "check"
	Del    Verb = "del"
	GC     Verb = "gc"
	Status Verb = "status"
)

// String returns the command's word.
func (v Verb) String() string { return string(v) }

// Tool runs cnitool over the plugins of one directory and the network
// configurations of another.
type Tool struct {
	// Plugins is CNI_PATH; it holds cnitool too.
	Plugins string
	// ConfDir is NETCONFPATH.
	ConfDir string
}

// NewTool returns a Tool over plugins with a new, empty configuration
// directory.
func NewTool(tb testing.TB, plugins string) *Tool {
	tb.Helper()
	return &Tool{Plugins: plugins, ConfDir: tb.TempDir()}
}

// WriteConf writes the configuration (a conflist when it has "plugins")
// named by its "name" into the configuration directory.
func (t *Tool) WriteConf(tb testing.TB, conf map[string]any) {
	tb.Helper()
	name, _ := conf["name"].(string)
	ext := ".conf"
	if _, ok := conf["plugins"]; ok {
		ext = ".conflist"
	}
	b, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ConfDir, name+ext), b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// Run runs `cnitool VERB NETWORK NETNS` with env (such as CNI_IFNAME=,
// CAP_ARGS=, CNI_ARGS=) added and returns its standard output. A failure
// is an *Error holding both outputs.
func (t *Tool) Run(verb Verb, network, netnsPath string, env ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(t.Plugins, "cnitool"), string(verb), network, netnsPath)
	cmd.Env = append(os.Environ(), "CNI_PATH="+t.Plugins, "NETCONFPATH="+t.ConfDir)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), &Error{Verb: verb, Network: network, NetNS: netnsPath, Err: err, Stdout: stdout.String(), Stderr: stderr.String()}
	}
	return stdout.Bytes(), nil
}

// Error is a cnitool run that failed.
type Error struct {
	Verb           Verb
	Network, NetNS string
	Err            error
	Stdout, Stderr string
}

func (e *Error) Error() string {
	return fmt.Sprintf("cnitool %s %s %s: %v\nstdout: %s\nstderr: %s", e.Verb, e.Network, e.NetNS, e.Err,
		strings.TrimSpace(e.Stdout), strings.TrimSpace(e.Stderr))
}

// Unwrap returns the process's error.
func (e *Error) Unwrap() error { return e.Err }
