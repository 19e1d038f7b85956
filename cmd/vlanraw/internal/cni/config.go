package cni

import (
	"encoding/json"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/state"
)

// pluginType is the configuration type that names vlanraw itself; the
// reference plugins' types, ipvlan and macvlan, name their drivers.
const pluginType = "vlanraw"

// config is a plugin configuration, as the runtime hands it over.
type config struct {
	types.PluginConf
	// Driver is ipvlan or macvlan; a configuration of type ipvlan or
	// macvlan may leave it out.
	Driver string `json:"driver,omitempty"`
	// Network names a network made with `vlanraw network create`.
	Network string `json:"network,omitempty"`
	// StateDir is vlanraw's state directory; empty is the CLI's default.
	StateDir string `json:"stateDir,omitempty"`
	// The reference plugins' keys.
	Master          string `json:"master,omitempty"`
	Mode            string `json:"mode,omitempty"`
	MTU             int    `json:"mtu,omitempty"`
	MAC             string `json:"mac,omitempty"`
	LinkInContainer bool   `json:"linkInContainer,omitempty"`
	// IPVlanFlag is bridge, private or vepa, as Docker's ipvlan_flag.
	IPVlanFlag string `json:"ipvlan_flag,omitempty"`
	// The macvlan settings beyond the mode, which become the implicit
	// network's macvlan_* options: BCQueueLen is the reference macvlan
	// plugin's bcqueuelen; SourceMACs (with "mode": "source"), NoPromisc
	// (with passthru) and NoDst (with source) are vlanraw's.
	SourceMACs []string `json:"sourceMacs,omitempty"`
	NoPromisc  bool     `json:"nopromisc,omitempty"`
	NoDst      bool     `json:"nodst,omitempty"`
	BCQueueLen uint32   `json:"bcqueuelen,omitempty"`
	// RuntimeConfig carries the mac and ips capability arguments.
	RuntimeConfig struct {
		MAC string   `json:"mac,omitempty"`
		IPs []string `json:"ips,omitempty"`
	} `json:"runtimeConfig,omitzero"`
}

// specKeys are the keys the specification defines for a plugin's
// configuration, or that libcni adds to it.
var specKeys = []string{"cniVersion", "cniVersions", "name", "type", "args", "ipMasq", "ipam", "dns",
	"capabilities", "runtimeConfig", "prevResult", "cni.dev/valid-attachments", "cni.dev/attachments"}

// ownKeys are vlanraw's keys and the reference plugins'.
var ownKeys = []string{"driver", "network", "stateDir", "master", "mode", "mtu", "mac", "linkInContainer", "ipvlan_flag",
	"sourceMacs", "nopromisc", "nodst", "bcqueuelen"}

// parseConfig decodes and checks a configuration: no unknown keys (in
// vlanraw's own type; a drop-in ignores them as the reference does), a
// known driver, and either a network or driver settings (a master left
// out is the default route's link: see modes.DefaultMaster).
func parseConfig(data []byte) (*config, error) {
	c, ok := plainConfig(data)
	if !ok {
		var err error
		if c, err = decodeConfig(data); err != nil {
			return nil, err
		}
	}
	if err := version.ParsePrevResult(&c.PluginConf); err != nil {
		return nil, errorf(types.ErrDecodingFailure, "prevResult: %v", err)
	}
	switch {
	case c.Type == string(modes.IPVlan) || c.Type == string(modes.MACVlan):
		if c.Driver != "" && c.Driver != c.Type {
			return nil, errorf(codeInvalidConfig, "driver %q contradicts type %q: leave driver out", c.Driver, c.Type)
		}
		c.Driver = c.Type
	case c.Type != pluginType:
		return nil, errorf(codeInvalidConfig, "type %q is not vlanraw's: use \"vlanraw\", or \"ipvlan\" or \"macvlan\" with vlanraw installed under that name", c.Type)
	}
	if c.LinkInContainer && c.Network != "" {
		return nil, errorf(codeInvalidConfig, "network %s has its parent in the host namespace: leave linkInContainer out", c.Network)
	}
	if c.Network != "" {
		if c.Master != "" || c.Mode != "" || c.IPVlanFlag != "" || c.MTU != 0 || c.Driver != "" && c.Type == pluginType || c.macvlanSet() {
			return nil, errorf(codeInvalidConfig, "network %s brings its driver, parent, mode, flags and MTU: leave driver, master, mode, ipvlan_flag, sourceMacs, nopromisc, nodst, bcqueuelen and mtu out", c.Network)
		}
		if c.IPAM.Type != "" {
			return nil, errorf(codeInvalidConfig, "network %s assigns addresses with vlanraw's IPAM: leave ipam out", c.Network)
		}
		return c, nil
	}
	if c.Driver != string(modes.IPVlan) && c.Driver != string(modes.MACVlan) {
		if c.Driver == "" {
			return nil, errorf(codeInvalidConfig, "no driver: give \"driver\": \"ipvlan\" or \"macvlan\", or \"network\" for a vlanraw network")
		}
		return nil, errorf(codeInvalidConfig, "unknown driver %q: vlanraw has ipvlan and macvlan", c.Driver)
	}
	if c.MTU < 0 {
		return nil, errorf(codeInvalidConfig, "invalid mtu %d", c.MTU)
	}
	if c.Driver == string(modes.IPVlan) && c.MAC != "" {
		return nil, errorf(codeInvalidConfig, "mac %s: ipvlan links take their master's MAC address; leave mac out", c.MAC)
	}
	if c.Driver == string(modes.MACVlan) && c.IPVlanFlag != "" {
		return nil, errorf(codeInvalidConfig, "ipvlan_flag is for ipvlan; a macvlan's mode is \"mode\"")
	}
	if c.Driver == string(modes.IPVlan) && c.macvlanSet() {
		return nil, errorf(codeInvalidConfig, "sourceMacs, nopromisc, nodst and bcqueuelen are for macvlan: leave them out of an ipvlan configuration")
	}
	if c.NoPromisc && c.NoDst {
		return nil, errorf(codeInvalidConfig, "nopromisc (mode passthru) and nodst (mode source) exclude each other: give one")
	}
	return c, nil
}

// decodeConfig decodes a configuration with encoding/json, refusing
// unknown keys in vlanraw's own type.
func decodeConfig(data []byte) (*config, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, errorf(types.ErrDecodingFailure, "the network configuration does not parse: %v", err)
	}
	// A reference plugin's configuration may carry keys its plugin
	// ignores (a generator's, an older plugin's): a drop-in takes it
	// unchanged, as the reference does. vlanraw's own type refuses them,
	// so that a misspelt key is not silently ignored.
	var typ string
	json.Unmarshal(keys["type"], &typ)
	dropIn := typ == string(modes.IPVlan) || typ == string(modes.MACVlan)
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !dropIn && !slices.Contains(specKeys, k) && !slices.Contains(ownKeys, k) {
			return nil, errorf(codeUnsupportedField, "unknown configuration key %q: vlanraw takes %s besides the specification's keys", k, strings.Join(ownKeys, ", "))
		}
	}
	c := &config{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, errorf(types.ErrDecodingFailure, "the network configuration does not parse: %v", err)
	}
	return c, nil
}

// macvlanSet reports whether c has any of the macvlan settings beyond
// the mode.
func (c *config) macvlanSet() bool {
	return c.SourceMACs != nil || c.NoPromisc || c.NoDst || c.BCQueueLen != 0
}

// options returns the driver options of c's implicit network, in
// vlanraw network create's words.
func (c *config) options() map[string]string {
	o := map[string]string{modes.OptParent: c.Master}
	switch modes.Driver(c.Driver) {
	case modes.IPVlan:
		if c.Mode != "" {
			o[modes.OptIPVlanMode] = c.Mode
		}
		if c.IPVlanFlag != "" {
			o[modes.OptIPVlanFlag] = c.IPVlanFlag
		}
	case modes.MACVlan:
		if c.Mode != "" {
			o[modes.OptMACVlanMode] = c.Mode
		}
		switch {
		case c.NoPromisc:
			o[modes.OptMACVlanFlag] = modes.FlagNoPromisc
		case c.NoDst:
			o[modes.OptMACVlanFlag] = modes.FlagNoDst
		}
		if c.SourceMACs != nil {
			o[modes.OptMACVlanSourceMACs] = strings.Join(c.SourceMACs, ",")
		}
		if c.BCQueueLen != 0 {
			o[modes.OptMACVlanBCQueueLen] = strconv.FormatUint(uint64(c.BCQueueLen), 10)
		}
	}
	if c.MTU > 0 {
		o[modes.OptMTU] = strconv.Itoa(c.MTU)
	}
	return o
}

// networkName returns the vlanraw network c attaches to.
func (c *config) networkName() string {
	if c.Network != "" {
		return c.Network
	}
	return modes.CNINetworkName(c.Name)
}

// dropIn reports whether c is a reference plugin's configuration (type
// ipvlan or macvlan): the endpoint then gets the reference plugin's
// kernel state (see modes.Attachment.DropIn).
func (c *config) dropIn() bool { return c.Type != pluginType }

// stateDir returns the state directory c names, or the CLI's.
func (c *config) stateDir() string { return state.Dir(c.StateDir) }

// prevResult returns c's prevResult at version 1.0.0, or nil.
func (c *config) prevResult() (*current.Result, error) {
	if c.PrevResult == nil {
		return nil, nil
	}
	r, err := current.NewResultFromResult(c.PrevResult)
	if err != nil {
		return nil, errorf(types.ErrDecodingFailure, "prevResult: %v", err)
	}
	return r, nil
}

// mac returns the MAC the attachment asks for: the mac capability
// argument, else CNI_ARGS' MAC, else the configuration's.
func (c *config) mac(a *args) (string, error) {
	mac := c.MAC
	if a.MAC != "" {
		mac = a.MAC
	}
	if c.RuntimeConfig.MAC != "" {
		mac = c.RuntimeConfig.MAC
	}
	if mac != "" && c.Driver == string(modes.IPVlan) {
		return "", errorf(codeInvalidConfig, "mac %s: ipvlan links take their master's MAC address", mac)
	}
	if mac != "" {
		if _, err := net.ParseMAC(mac); err != nil {
			return "", errorf(codeInvalidConfig, "invalid mac %q: give six bytes, such as 02:42:ac:11:00:02", mac)
		}
	}
	return mac, nil
}
