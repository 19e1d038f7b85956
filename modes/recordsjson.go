package modes

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/vlanraw/vlanraw/internal/jsonio"
)

// The records are encoded and decoded by hand (see package jsonio for
// why), in exactly the layout encoding/json gives the types' struct tags:
// the tags stay the documentation of the file, and TestRecordsJSON
// checks, on generated records, that both write the same bytes and read
// back the same values. A field added to Network, Subnet, Endpoint, Route
// or Attachment must be added here too; TestRecordsJSONFields fails until
// it is.

// MarshalJSON implements json.Marshaler.
func (r *records) MarshalJSON() ([]byte, error) {
	var w jsonio.Writer
	w.OpenObject()
	w.Key("networks")
	writeNetworks(&w, r.Networks)
	if r.Swept {
		w.Key("swept")
		w.Bool(true)
	}
	w.CloseObject()
	return w.Bytes()
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *records) UnmarshalJSON(data []byte) error {
	rd := jsonio.NewReader(data)
	err := rd.Object(func(key string) (err error) {
		switch key {
		case "networks":
			r.Networks, err = readNetworks(rd)
		case "swept":
			r.Swept, err = rd.Bool()
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
	if err != nil {
		return err
	}
	return rd.End()
}

// MarshalJSON implements json.Marshaler.
func (v *volatileRecords) MarshalJSON() ([]byte, error) {
	var w jsonio.Writer
	w.OpenObject()
	if len(v.Endpoints) > 0 {
		w.Key("endpoints")
		w.OpenObject()
		for _, id := range slices.Sorted(maps.Keys(v.Endpoints)) {
			w.Key(id)
			writeEndpoints(&w, v.Endpoints[id])
		}
		w.CloseObject()
	}
	if len(v.Implicit) > 0 {
		w.Key("implicit")
		writeNetworks(&w, v.Implicit)
	}
	w.CloseObject()
	return w.Bytes()
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *volatileRecords) UnmarshalJSON(data []byte) error {
	rd := jsonio.NewReader(data)
	err := rd.Object(func(key string) (err error) {
		switch key {
		case "endpoints":
			if rd.Null() {
				v.Endpoints = nil
				return nil
			}
			if v.Endpoints == nil {
				v.Endpoints = map[string][]Endpoint{}
			}
			err = rd.Object(func(id string) error {
				eps, err := readEndpoints(rd)
				v.Endpoints[id] = eps
				return fieldError(id, err)
			})
		case "implicit":
			v.Implicit, err = readNetworks(rd)
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
	if err != nil {
		return err
	}
	return rd.End()
}

// fieldError says in which field err happened.
func fieldError(key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", key, err)
}

func writeNetworks(w *jsonio.Writer, ns []*Network) {
	if ns == nil {
		w.Null()
		return
	}
	w.OpenArray()
	for _, n := range ns {
		writeNetwork(w, n)
	}
	w.CloseArray()
}

func readNetworks(rd *jsonio.Reader) ([]*Network, error) {
	var ns []*Network
	ok, err := rd.Array(func() error {
		if rd.Null() {
			ns = append(ns, nil)
			return nil
		}
		n := new(Network)
		ns = append(ns, n)
		return readNetwork(rd, n)
	})
	if ok && ns == nil {
		ns = []*Network{}
	}
	return ns, err
}

func writeNetwork(w *jsonio.Writer, n *Network) {
	if n == nil {
		w.Null()
		return
	}
	w.OpenObject()
	w.Key("name")
	w.String(n.Name)
	w.Key("id")
	w.String(n.ID)
	w.Key("driver")
	w.String(string(n.Driver))
	w.Key("parent")
	w.String(n.Parent)
	if n.ParentInContainer {
		w.Key("parent_in_container")
		w.Bool(true)
	}
	w.OptString("parent_created", n.ParentCreated)
	w.OptString("ipvlan_mode", n.IPVlanMode)
	w.OptString("ipvlan_flag", n.IPVlanFlag)
	w.OptString("macvlan_mode", n.MACVlanMode)
	w.OptString("macvlan_flag", n.MACVlanFlag)
	if len(n.SourceMACs) > 0 {
		w.Key("macvlan_source_macs")
		w.Strings(n.SourceMACs)
	}
	w.OptUint("macvlan_bcqueuelen", uint64(n.BCQueueLen))
	w.Key("internal")
	w.Bool(n.Internal)
	w.Key("ipv6")
	w.Bool(n.IPv6)
	w.OptUint("mtu", uint64(n.MTU))
	if len(n.Options) > 0 {
		w.Key("options")
		w.OpenObject()
		for _, k := range slices.Sorted(maps.Keys(n.Options)) {
			w.Key(k)
			w.String(n.Options[k])
		}
		w.CloseObject()
	}
	w.OptString("host_link", n.HostLink)
	w.OptString("cni", n.CNI)
	w.Key("subnets")
	if n.Subnets == nil {
		w.Null()
	} else {
		w.OpenArray()
		for i := range n.Subnets {
			writeSubnet(w, &n.Subnets[i])
		}
		w.CloseArray()
	}
	w.Key("endpoints")
	writeEndpoints(w, n.Endpoints)
	w.Key("created")
	w.Raw(n.Created.MarshalJSON())
	w.CloseObject()
}

func readNetwork(rd *jsonio.Reader, n *Network) error {
	return rd.Object(func(key string) (err error) {
		switch key {
		case "name":
			n.Name, err = rd.String()
		case "id":
			n.ID, err = rd.String()
		case "driver":
			var s string
			s, err = rd.String()
			n.Driver = Driver(s)
		case "parent":
			n.Parent, err = rd.String()
		case "parent_in_container":
			n.ParentInContainer, err = rd.Bool()
		case "parent_created":
			n.ParentCreated, err = rd.String()
		case "ipvlan_mode":
			n.IPVlanMode, err = rd.String()
		case "ipvlan_flag":
			n.IPVlanFlag, err = rd.String()
		case "macvlan_mode":
			n.MACVlanMode, err = rd.String()
		case "macvlan_flag":
			n.MACVlanFlag, err = rd.String()
		case "macvlan_source_macs":
			n.SourceMACs, err = readStrings(rd)
		case "macvlan_bcqueuelen":
			n.BCQueueLen, err = readUint32(rd)
		case "internal":
			n.Internal, err = rd.Bool()
		case "ipv6":
			n.IPv6, err = rd.Bool()
		case "mtu":
			n.MTU, err = readUint32(rd)
		case "options":
			n.Options, err = readStringMap(rd)
		case "host_link":
			n.HostLink, err = rd.String()
		case "cni":
			n.CNI, err = rd.String()
		case "subnets":
			n.Subnets = nil
			var ok bool
			ok, err = rd.Array(func() error {
				n.Subnets = append(n.Subnets, Subnet{})
				return readSubnet(rd, &n.Subnets[len(n.Subnets)-1])
			})
			if ok && n.Subnets == nil {
				n.Subnets = []Subnet{}
			}
		case "endpoints":
			n.Endpoints, err = readEndpoints(rd)
		case "created":
			err = readTime(rd, &n.Created)
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
}

func writeSubnet(w *jsonio.Writer, s *Subnet) {
	w.OpenObject()
	w.Key("subnet")
	writeText(w, s.Subnet)
	if s.IPRange.IsValid() {
		w.Key("ip_range")
		writeText(w, s.IPRange)
	}
	if s.Gateway.IsValid() {
		w.Key("gateway")
		writeText(w, s.Gateway)
	}
	if len(s.Aux) > 0 {
		w.Key("aux")
		w.OpenObject()
		for _, k := range slices.Sorted(maps.Keys(s.Aux)) {
			w.Key(k)
			writeText(w, s.Aux[k])
		}
		w.CloseObject()
	}
	if s.HostAccess.IsValid() {
		w.Key("host_access")
		writeText(w, s.HostAccess)
	}
	if s.HostRoutes {
		w.Key("host_routes")
		w.Bool(true)
	}
	w.CloseObject()
}

func readSubnet(rd *jsonio.Reader, s *Subnet) error {
	return rd.Object(func(key string) (err error) {
		switch key {
		case "subnet":
			err = readText(rd, &s.Subnet)
		case "ip_range":
			err = readText(rd, &s.IPRange)
		case "gateway":
			err = readText(rd, &s.Gateway)
		case "aux":
			if rd.Null() {
				s.Aux = nil
				return nil
			}
			if s.Aux == nil {
				s.Aux = map[string]netip.Addr{}
			}
			err = rd.Object(func(name string) error {
				var a netip.Addr
				err := readText(rd, &a)
				s.Aux[name] = a
				return fieldError(name, err)
			})
		case "host_access":
			err = readText(rd, &s.HostAccess)
		case "host_routes":
			s.HostRoutes, err = rd.Bool()
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
}

func writeEndpoints(w *jsonio.Writer, eps []Endpoint) {
	if eps == nil {
		w.Null()
		return
	}
	w.OpenArray()
	for i := range eps {
		writeEndpoint(w, &eps[i])
	}
	w.CloseArray()
}

func readEndpoints(rd *jsonio.Reader) ([]Endpoint, error) {
	var eps []Endpoint
	ok, err := rd.Array(func() error {
		eps = append(eps, Endpoint{})
		return readEndpoint(rd, &eps[len(eps)-1])
	})
	if ok && eps == nil {
		eps = []Endpoint{}
	}
	return eps, err
}

func writeEndpoint(w *jsonio.Writer, e *Endpoint) {
	w.OpenObject()
	w.Key("id")
	w.String(e.ID)
	w.Key("network")
	w.String(e.Network)
	w.Key("netns")
	w.String(e.NetNS)
	w.Key("netns_path")
	w.String(e.NetNSPath)
	w.OptUint("netns_dev", e.NetNSDev)
	w.Key("netns_inode")
	w.Uint(e.NetNSInode)
	if e.Unmarked {
		w.Key("unmarked")
		w.Bool(true)
	}
	w.Key("ifname")
	w.String(e.IfName)
	w.Key("mac")
	w.String(e.MAC)
	if e.IPv4.IsValid() {
		w.Key("ipv4")
		writeText(w, e.IPv4)
	}
	if e.IPv6.IsValid() {
		w.Key("ipv6")
		writeText(w, e.IPv6)
	}
	if len(e.Routes) > 0 {
		w.Key("routes")
		writeRoutes(w, e.Routes)
	}
	if len(e.Notes) > 0 {
		w.Key("notes")
		w.Strings(e.Notes)
	}
	if e.CNI != nil {
		w.Key("cni")
		writeAttachment(w, e.CNI)
	}
	w.Key("created")
	w.Raw(e.Created.MarshalJSON())
	w.CloseObject()
}

func readEndpoint(rd *jsonio.Reader, e *Endpoint) error {
	return rd.Object(func(key string) (err error) {
		switch key {
		case "id":
			e.ID, err = rd.String()
		case "network":
			e.Network, err = rd.String()
		case "netns":
			e.NetNS, err = rd.String()
		case "netns_path":
			e.NetNSPath, err = rd.String()
		case "netns_dev":
			e.NetNSDev, err = rd.Uint(64)
		case "netns_inode":
			e.NetNSInode, err = rd.Uint(64)
		case "unmarked":
			e.Unmarked, err = rd.Bool()
		case "ifname":
			e.IfName, err = rd.String()
		case "mac":
			e.MAC, err = rd.String()
		case "ipv4":
			err = readText(rd, &e.IPv4)
		case "ipv6":
			err = readText(rd, &e.IPv6)
		case "routes":
			e.Routes, err = readRoutes(rd)
		case "notes":
			e.Notes, err = readStrings(rd)
		case "cni":
			if rd.Null() {
				e.CNI = nil
				return nil
			}
			if e.CNI == nil {
				e.CNI = new(Attachment)
			}
			err = readAttachment(rd, e.CNI)
		case "created":
			err = readTime(rd, &e.Created)
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
}

func writeRoutes(w *jsonio.Writer, rs []Route) {
	w.OpenArray()
	for _, r := range rs {
		w.OpenObject()
		w.Key("dst")
		writeText(w, r.Dst)
		if r.Gateway.IsValid() {
			w.Key("gateway")
			writeText(w, r.Gateway)
		}
		w.Key("dev")
		w.String(r.Dev)
		w.CloseObject()
	}
	w.CloseArray()
}

func readRoutes(rd *jsonio.Reader) ([]Route, error) {
	var rs []Route
	ok, err := rd.Array(func() error {
		rs = append(rs, Route{})
		r := &rs[len(rs)-1]
		return rd.Object(func(key string) (err error) {
			switch key {
			case "dst":
				err = readText(rd, &r.Dst)
			case "gateway":
				err = readText(rd, &r.Gateway)
			case "dev":
				r.Dev, err = rd.String()
			default:
				err = rd.Skip()
			}
			return fieldError(key, err)
		})
	})
	if ok && rs == nil {
		rs = []Route{}
	}
	return rs, err
}

func writeAttachment(w *jsonio.Writer, a *Attachment) {
	w.OpenObject()
	w.Key("container_id")
	w.String(a.ContainerID)
	if a.Delegated {
		w.Key("delegated")
		w.Bool(true)
	}
	if len(a.Gateways) > 0 {
		w.Key("gateways")
		w.OpenArray()
		for _, g := range a.Gateways {
			writeText(w, g)
		}
		w.CloseArray()
	}
	if len(a.Routes) > 0 {
		w.Key("routes")
		writeRoutes(w, a.Routes)
	}
	if a.DropIn {
		w.Key("drop_in")
		w.Bool(true)
	}
	w.CloseObject()
}

func readAttachment(rd *jsonio.Reader, a *Attachment) error {
	return rd.Object(func(key string) (err error) {
		switch key {
		case "container_id":
			a.ContainerID, err = rd.String()
		case "delegated":
			a.Delegated, err = rd.Bool()
		case "gateways":
			a.Gateways = nil
			var ok bool
			ok, err = rd.Array(func() error {
				var g netip.Addr
				err := readText(rd, &g)
				a.Gateways = append(a.Gateways, g)
				return err
			})
			if ok && a.Gateways == nil {
				a.Gateways = []netip.Addr{}
			}
		case "routes":
			a.Routes, err = readRoutes(rd)
		case "drop_in":
			a.DropIn, err = rd.Bool()
		default:
			err = rd.Skip()
		}
		return fieldError(key, err)
	})
}

func readStrings(rd *jsonio.Reader) ([]string, error) {
	var ss []string
	ok, err := rd.Array(func() error {
		s, err := rd.String()
		ss = append(ss, s)
		return err
	})
	if ok && ss == nil {
		ss = []string{}
	}
	return ss, err
}

func readStringMap(rd *jsonio.Reader) (map[string]string, error) {
	if rd.Null() {
		return nil, nil
	}
	m := map[string]string{}
	err := rd.Object(func(k string) error {
		v, err := rd.String()
		m[k] = v
		return fieldError(k, err)
	})
	return m, err
}

func readUint32(rd *jsonio.Reader) (uint32, error) {
	u, err := rd.Uint(32)
	return uint32(u), err
}

// textCodec is what netip.Addr and netip.Prefix are to encoding/json.
type textCodec interface {
	MarshalText() ([]byte, error)
}

// writeText writes v's text as a string, as encoding/json does.
func writeText(w *jsonio.Writer, v textCodec) {
	b, err := v.MarshalText()
	if err != nil {
		w.Raw(nil, err)
		return
	}
	w.String(string(b))
}

// readText reads a string into v with its UnmarshalText; a null leaves v
// as it is, as encoding/json does.
func readText(rd *jsonio.Reader, v interface{ UnmarshalText([]byte) error }) error {
	if rd.Null() {
		return nil
	}
	s, err := rd.String()
	if err != nil {
		return err
	}
	return v.UnmarshalText([]byte(s))
}

// readTime reads a time as encoding/json does: with its UnmarshalJSON.
func readTime(rd *jsonio.Reader, t *time.Time) error {
	raw, err := rd.RawString()
	if err != nil {
		return err
	}
	return t.UnmarshalJSON(raw)
}

// MarshalJSON implements json.Marshaler: every command that changes
// anything records an intent. It is read back (by reflection) only after
// a command was stopped.
func (in intent) MarshalJSON() ([]byte, error) {
	var w jsonio.Writer
	w.OpenObject()
	w.Key("pid")
	w.Int(in.PID)
	w.Key("op")
	w.String(in.Op)
	w.OptString("network", in.Network)
	w.OptString("parent", in.Parent)
	w.OptString("host_link", in.HostLink)
	if len(in.Endpoints) > 0 {
		w.Key("endpoints")
		w.OpenArray()
		for _, e := range in.Endpoints {
			w.OpenObject()
			w.Key("network")
			w.String(e.Network)
			w.Key("id")
			w.String(e.ID)
			w.Key("path")
			w.String(e.Path)
			w.OptUint("dev", e.Dev)
			w.Key("ino")
			w.Uint(e.Ino)
			if len(e.Names) > 0 {
				w.Key("names")
				w.Strings(e.Names)
			}
			w.CloseObject()
		}
		w.CloseArray()
	}
	w.CloseObject()
	return w.Bytes()
}
