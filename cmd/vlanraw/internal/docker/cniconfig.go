package docker

import (
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes/state"
)

// cniVersion is the version of the conflists network cni-config prints.
const cniVersion = "1.1.0"

// runNetworkCNIConfig prints a CNI conflist that attaches containers to
// the named network through vlanraw's CNI plugin, with vlanraw's IPAM
// and this state directory: a file for /etc/cni/net.d.
func runNetworkCNIConfig(e *cli.Env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("network cni-config", pflag.ContinueOnError)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	names, err := cli.ParseFlags(fs, "network", &help, args)
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return cli.Usagef("network cni-config takes one network name")
	}
	m, err := manager(e)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.Network(names[0])
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(state.Dir(e.StateDir))
	if err != nil {
		return err
	}
	// The capabilities ask the runtime for a pod's own MAC and
	// addresses (Kubernetes' and podman's --mac-address and --ip), which
	// it then passes as runtimeConfig.
	type plugin struct {
		Type         string          `json:"type"`
		Network      string          `json:"network"`
		StateDir     string          `json:"stateDir"`
		Capabilities map[string]bool `json:"capabilities"`
	}
	conflist := struct {
		CNIVersion string   `json:"cniVersion"`
		Name       string   `json:"name"`
		Plugins    []plugin `json:"plugins"`
	}{cniVersion, n.Name, []plugin{{Type: "vlanraw", Network: n.Name, StateDir: dir,
		Capabilities: map[string]bool{"mac": true, "ips": true}}}}
	return cli.WriteJSON(e.Stdout, conflist, true)
}
