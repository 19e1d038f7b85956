package modes

import (
	"time"
)

// inspectNetwork is a network as `docker network inspect` shows it.
type inspectNetwork struct {
	Name       string
	ID         string `json:"Id"`
	Created    time.Time
	Scope      string
	Driver     string
	EnableIPv4 bool
	EnableIPv6 bool
	IPAM       inspectIPAM
	Internal   bool
	Attachable bool
	Ingress    bool
	ConfigFrom struct{ Network string }
	ConfigOnly bool
	Containers map[string]inspectContainer
	Options    map[string]string
	Labels     map[string]string
}

type inspectIPAM struct {
	Driver  string
	Options map[string]string
	Config  []inspectIPAMConfig
}

type inspectIPAMConfig struct {
	Subnet             string
	IPRange            string            `json:",omitempty"`
	Gateway            string            `json:",omitempty"`
	AuxiliaryAddresses map[string]string `json:"AuxiliaryAddresses,omitempty"`
}

type inspectContainer struct {
	Name        string
	EndpointID  string
	MacAddress  string
	IPv4Address string
	IPv6Address string
}

// Inspect returns a value that marshals to JSON as `docker network
// inspect` shows one network: Name, Id, Created, Scope "local", Driver,
// EnableIPv4, EnableIPv6, IPAM (driver "default" and one Config per
// subnet), Internal, Containers (by namespace) and Options (as given).
// As in Docker, gateways show only on l2 and macvlan networks with a
// parent, and ipvlan endpoints show no MAC address.
func (n *Network) Inspect() any {
	v := inspectNetwork{
		Name:       n.Name,
		ID:         n.ID,
		Created:    n.Created,
		Scope:      "local",
		Driver:     string(n.Driver),
		EnableIPv4: true,
		EnableIPv6: n.IPv6,
		IPAM:       inspectIPAM{Driver: "default", Options: map[string]string{}, Config: []inspectIPAMConfig{}},
		Internal:   n.Internal,
		Containers: map[string]inspectContainer{},
		Options:    map[string]string{},
		Labels:     map[string]string{},
	}
	for k, val := range n.Options {
		v.Options[k] = val
	}
	showGateway := !n.l3() && n.ParentCreated != ParentDummy
	for _, s := range n.Subnets {
		c := inspectIPAMConfig{Subnet: s.Subnet.String()}
		if s.IPRange.IsValid() {
			c.IPRange = s.IPRange.String()
		}
		if s.Gateway.IsValid() && showGateway {
			c.Gateway = s.Gateway.String()
		}
		for name, a := range s.Aux {
			if c.AuxiliaryAddresses == nil {
				c.AuxiliaryAddresses = map[string]string{}
			}
			c.AuxiliaryAddresses[name] = a.String()
		}
		v.IPAM.Config = append(v.IPAM.Config, c)
	}
	for _, e := range n.Endpoints {
		c := inspectContainer{Name: e.NetNS, EndpointID: e.ID}
		if n.Driver == MACVlan {
			c.MacAddress = e.MAC
		}
		if e.IPv4.IsValid() {
			c.IPv4Address = e.IPv4.String()
		}
		if e.IPv6.IsValid() {
			c.IPv6Address = e.IPv6.String()
		}
		v.Containers[e.NetNS] = c
	}
	return v
}
