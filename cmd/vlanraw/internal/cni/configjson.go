package cni

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/containernetworking/cni/pkg/version"

	"github.com/vlanraw/vlanraw/internal/jsonio"
)

// A configuration is read twice per command: for its cniVersion, then
// whole. encoding/json builds its decoders by reflection, once per
// process, for the version, a map of the keys and the config type (whose
// PluginConf brings the IPAM, DNS and capability types): more than the
// rest of reading and checking a configuration costs. plainConfig reads
// what runtimes hand over, vlanraw's keys and the specification's, spelt
// as the specification spells them and each given once, and leaves
// anything else (another spelling, a repeated key, a key it does not
// take, a prevResult, GC's attachments, a value of a type it does not
// expect) to encoding/json, whose result it would have to copy: the two
// never differ (TestPlainConfig).

// errNotPlain stops plainConfig: encoding/json reads the configuration.
var errNotPlain = errors.New("not a plain configuration")

// plainConfig decodes data as json.Unmarshal into a config would, or
// reports that it does not.
func plainConfig(data []byte) (*config, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	c := &config{}
	r := jsonio.NewReader(data)
	seen := map[string]bool{}
	err := r.Object(func(key string) error {
		if seen[key] {
			return errNotPlain
		}
		seen[key] = true
		return c.readKey(r, key)
	})
	if err != nil || r.End() != nil {
		return nil, false
	}
	return c, true
}

// readKey reads the value of the top-level key.
func (c *config) readKey(r *jsonio.Reader, key string) error {
	var err error
	switch key {
	case "cniVersion":
		c.CNIVersion, err = plainString(r)
	case "name":
		c.Name, err = plainString(r)
	case "type":
		c.Type, err = plainString(r)
	case "args", "ipMasq", "cni.dev/attachments":
		err = r.Skip() // in no field of config
	case "capabilities":
		c.Capabilities = map[string]bool{}
		err = plainObject(r, nil, func(k string) error {
			b, err := plainBool(r)
			c.Capabilities[k] = b
			return err
		})
	case "ipam":
		err = plainObject(r, []string{"type"}, func(k string) error {
			if k != "type" {
				return r.Skip()
			}
			c.IPAM.Type, err = plainString(r)
			return err
		})
	case "dns":
		err = plainObject(r, []string{"nameservers", "domain", "search", "options"}, func(k string) error {
			var err error
			switch k {
			case "nameservers":
				c.DNS.Nameservers, err = plainStrings(r)
			case "domain":
				c.DNS.Domain, err = plainString(r)
			case "search":
				c.DNS.Search, err = plainStrings(r)
			case "options":
				c.DNS.Options, err = plainStrings(r)
			default:
				err = r.Skip()
			}
			return err
		})
	case "runtimeConfig":
		err = plainObject(r, []string{"mac", "ips"}, func(k string) error {
			var err error
			switch k {
			case "mac":
				c.RuntimeConfig.MAC, err = plainString(r)
			case "ips":
				c.RuntimeConfig.IPs, err = plainStrings(r)
			default:
				err = r.Skip() // another capability's argument
			}
			return err
		})
	case "driver":
		c.Driver, err = plainString(r)
	case "network":
		c.Network, err = plainString(r)
	case "stateDir":
		c.StateDir, err = plainString(r)
	case "master":
		c.Master, err = plainString(r)
	case "mode":
		c.Mode, err = plainString(r)
	case "mac":
		c.MAC, err = plainString(r)
	case "ipvlan_flag":
		c.IPVlanFlag, err = plainString(r)
	case "mtu":
		if r.Null() {
			return errNotPlain
		}
		c.MTU, err = r.Int()
	case "bcqueuelen":
		if r.Null() {
			return errNotPlain
		}
		var u uint64
		u, err = r.Uint(32)
		c.BCQueueLen = uint32(u)
	case "linkInContainer":
		c.LinkInContainer, err = plainBool(r)
	case "nopromisc":
		c.NoPromisc, err = plainBool(r)
	case "nodst":
		c.NoDst, err = plainBool(r)
	case "sourceMacs":
		c.SourceMACs, err = plainStrings(r)
	default:
		return errNotPlain
	}
	return err
}

// plainObject reads an object whose keys are all distinct and none a
// respelling of one of known (which encoding/json would take for it).
func plainObject(r *jsonio.Reader, known []string, field func(key string) error) error {
	if r.Null() {
		return errNotPlain
	}
	seen := map[string]bool{}
	return r.Object(func(k string) error {
		if seen[k] {
			return errNotPlain
		}
		seen[k] = true
		for _, kk := range known {
			if k != kk && strings.EqualFold(k, kk) {
				return errNotPlain
			}
		}
		return field(k)
	})
}

// plainString reads a string; a null is left to encoding/json.
func plainString(r *jsonio.Reader) (string, error) {
	if r.Null() {
		return "", errNotPlain
	}
	return r.String()
}

// plainBool reads true or false.
func plainBool(r *jsonio.Reader) (bool, error) {
	if r.Null() {
		return false, errNotPlain
	}
	return r.Bool()
}

// plainStrings reads an array of strings: [] is an empty slice, not nil,
// as encoding/json makes it.
func plainStrings(r *jsonio.Reader) ([]string, error) {
	if r.Null() {
		return nil, errNotPlain
	}
	l := []string{}
	_, err := r.Array(func() error {
		s, err := plainString(r)
		l = append(l, s)
		return err
	})
	return l, err
}

// configVersion returns the configuration's cniVersion as the CNI
// library's ConfigDecoder does: 0.1.0 when it has none.
func configVersion(data []byte) (string, error) {
	if c, ok := plainConfig(data); ok {
		if c.CNIVersion == "" {
			return "0.1.0", nil
		}
		return c.CNIVersion, nil
	}
	var dec version.ConfigDecoder
	return dec.Decode(data)
}
