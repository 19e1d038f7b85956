package cnispec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
)

// Versions are the cniVersions whose results Decode reads.
var Versions = []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// Result is an ADD result in any of Versions, with every field the
// spec names for some version; Decode checks that only the result's own
// version's fields are present.
type Result struct {
	CNIVersion string      `json:"cniVersion"`
	Interfaces []Interface `json:"interfaces,omitempty"`
	IPs        []IPConfig  `json:"ips,omitempty"`
	Routes     []Route     `json:"routes,omitempty"`
	DNS        *DNS        `json:"dns,omitempty"`
}

// Interface is one entry of a result's interfaces.
type Interface struct {
	Name    string `json:"name"`
	MAC     string `json:"mac,omitempty"`
	Sandbox string `json:"sandbox,omitempty"`
	// From 1.1.0.
	MTU        *uint  `json:"mtu,omitempty"`
	SocketPath string `json:"socketPath,omitempty"`
	PCIID      string `json:"pciID,omitempty"`
}

// IPConfig is one entry of a result's ips.
type IPConfig struct {
	// Version is "4" or "6"; only in 0.3.x and 0.4.0, where it is required.
	Version string `json:"version,omitempty"`
	Address string `json:"address"`
	Gateway string `json:"gateway,omitempty"`
	// Interface indexes Result.Interfaces.
	Interface *int `json:"interface,omitempty"`
}

// Route is one entry of a result's routes.
type Route struct {
	Dst string `json:"dst"`
	GW  string `json:"gw,omitempty"`
	// From 1.1.0.
	MTU      *uint `json:"mtu,omitempty"`
	AdvMSS   *uint `json:"advmss,omitempty"`
	Priority *uint `json:"priority,omitempty"`
	Table    *int  `json:"table,omitempty"`
	Scope    *int  `json:"scope,omitempty"`
}

// DNS is a result's dns.
type DNS struct {
	Nameservers []string `json:"nameservers,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Search      []string `json:"search,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// ErrInvalid matches every error Decode and DecodeError return for a
// document that breaks the spec.
var ErrInvalid = errors.New("not a CNI result the spec allows")

// Decode reads one ADD result from b: strictly (no field the spec does
// not name, each of its JSON type), then checks it against its own
// cniVersion's fields and the spec's rules on their values. Errors match
// ErrInvalid and say which field is wrong.
func Decode(b []byte) (*Result, error) {
	var r Result
	if err := strict(b, &r); err != nil {
		return nil, err
	}
	if err := r.check(b); err != nil {
		return nil, err
	}
	return &r, nil
}

// strict decodes b into v with unknown fields refused and nothing after
// the document.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v in %s", ErrInvalid, err, b)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: more than one JSON value in %s", ErrInvalid, b)
	}
	return nil
}

// check applies the rules Go's decoder cannot: the fields of the
// result's version, the required ones, and the values' forms.
func (r *Result) check(raw []byte) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: cniVersion %s: %s", ErrInvalid, r.CNIVersion, fmt.Sprintf(format, a...))
	}
	if !slices.Contains(Versions, r.CNIVersion) {
		return bad("cniVersion must be one of %v", Versions)
	}
	old := r.CNIVersion < "1.0.0"
	v11 := r.CNIVersion >= "1.1.0"
	// Required keys are checked on the raw document: an empty string
	// and a missing key decode alike.
	var keys struct {
		Interfaces []map[string]json.RawMessage `json:"interfaces"`
		IPs        []map[string]json.RawMessage `json:"ips"`
		Routes     []map[string]json.RawMessage `json:"routes"`
	}
	if err := json.Unmarshal(raw, &keys); err != nil {
		return bad("%v", err)
	}
	for i, itf := range r.Interfaces {
		if _, ok := keys.Interfaces[i]["name"]; !ok || itf.Name == "" {
			return bad("interfaces[%d] has no name", i)
		}
		if itf.MAC != "" {
			if _, err := net.ParseMAC(itf.MAC); err != nil {
				return bad("interfaces[%d].mac %q: %v", i, itf.MAC, err)
			}
		}
		if !v11 && (itf.MTU != nil || itf.SocketPath != "" || itf.PCIID != "") {
			return bad("interfaces[%d] has mtu, socketPath or pciID, which only 1.1.0 names", i)
		}
	}
	for i, ip := range r.IPs {
		p, err := netip.ParsePrefix(ip.Address)
		if _, ok := keys.IPs[i]["address"]; !ok || err != nil {
			return bad("ips[%d].address %q is not an address with its prefix length", i, ip.Address)
		}
		if ip.Gateway != "" {
			gw, err := netip.ParseAddr(ip.Gateway)
			if err != nil || gw.Is4() != p.Addr().Is4() {
				return bad("ips[%d].gateway %q is not an address of the family of %s", i, ip.Gateway, ip.Address)
			}
		}
		if ip.Interface != nil && (*ip.Interface < 0 || *ip.Interface >= len(r.Interfaces)) {
			return bad("ips[%d].interface %d indexes no entry of interfaces (%d)", i, *ip.Interface, len(r.Interfaces))
		}
		want := "4"
		if p.Addr().Is6() {
			want = "6"
		}
		switch {
		case old && ip.Version != want:
			return bad("ips[%d].version is %q, want %q", i, ip.Version, want)
		case !old && ip.Version != "":
			return bad("ips[%d] has version, which 1.0.0 removed", i)
		}
	}
	for i, rt := range r.Routes {
		if _, ok := keys.Routes[i]["dst"]; !ok {
			return bad("routes[%d] has no dst", i)
		}
		if _, err := netip.ParsePrefix(rt.Dst); err != nil {
			return bad("routes[%d].dst %q: %v", i, rt.Dst, err)
		}
		if rt.GW != "" {
			if _, err := netip.ParseAddr(rt.GW); err != nil {
				return bad("routes[%d].gw %q: %v", i, rt.GW, err)
			}
		}
		if !v11 && (rt.MTU != nil || rt.AdvMSS != nil || rt.Priority != nil || rt.Table != nil || rt.Scope != nil) {
			return bad("routes[%d] has mtu, advmss, priority, table or scope, which only 1.1.0 names", i)
		}
	}
	if r.DNS != nil {
		for _, ns := range r.DNS.Nameservers {
			if _, err := netip.ParseAddr(ns); err != nil {
				return bad("dns.nameservers %q: %v", ns, err)
			}
		}
	}
	return nil
}
