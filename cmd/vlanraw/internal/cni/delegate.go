package cni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
)

// delegate runs the IPAM plugin of c with command (ADD, DEL, CHECK,
// STATUS or GC) on the same configuration, found in CNI_PATH, and
// returns what it printed. Its error JSON comes back as a *types.Error.
func (p *plugin) delegate(in *invocation, c *config, command string) ([]byte, error) {
	plugin := c.IPAM.Type
	if strings.ContainsRune(plugin, '/') {
		return nil, errorf(codeInvalidConfig, "IPAM plugin %q: give a plugin name, not a path", plugin)
	}
	var path string
	for _, dir := range filepath.SplitList(in.Path) {
		if fi, err := os.Stat(filepath.Join(dir, plugin)); err == nil && fi.Mode().IsRegular() {
			path = filepath.Join(dir, plugin)
			break
		}
	}
	if path == "" {
		return nil, errorf(types.ErrInvalidNetworkConfig, "IPAM plugin %s not found in CNI_PATH %q", plugin, in.Path)
	}
	cmd := exec.CommandContext(p.ctx, path)
	cmd.Env = append(os.Environ(), "CNI_COMMAND="+command)
	cmd.Stdin = bytes.NewReader(in.StdinData)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	var e types.Error
	if json.Unmarshal(stdout.Bytes(), &e) == nil && e.Msg != "" {
		e.Msg = fmt.Sprintf("IPAM plugin %s %s: %s", plugin, command, e.Msg)
		return nil, &e
	}
	return nil, fmt.Errorf("IPAM plugin %s %s: %w%s", plugin, command, err, stderrNote(stderr.String()))
}

func stderrNote(s string) string {
	if s = strings.TrimSpace(s); s != "" {
		return ": " + s
	}
	return ""
}

// ipamAdd runs the IPAM plugin's ADD and returns its result.
func (p *plugin) ipamAdd(in *invocation, c *config) (*current.Result, error) {
	out, err := p.delegate(in, c, "ADD")
	if err != nil {
		return nil, err
	}
	var dec version.ConfigDecoder
	v, err := dec.Decode(out)
	if err == nil {
		var r types.Result
		if r, err = version.NewResult(v, out); err == nil {
			var res *current.Result
			if res, err = current.NewResultFromResult(r); err == nil {
				return res, nil
			}
		}
	}
	return nil, errors.Join(fmt.Errorf("the result of IPAM plugin %s: %w", c.IPAM.Type, err), p.ipamDel(in, c))
}

// ipamDel undoes the IPAM plugin's allocation, if the configuration has
// one.
func (p *plugin) ipamDel(in *invocation, c *config) error {
	if c.IPAM.Type == "" {
		return nil
	}
	_, err := p.delegate(in, c, "DEL")
	return err
}

// ipamDo runs the IPAM plugin's CHECK, STATUS or GC, if the
// configuration has one.
func (p *plugin) ipamDo(in *invocation, c *config, command string) error {
	if c.IPAM.Type == "" {
		return nil
	}
	_, err := p.delegate(in, c, command)
	return err
}
