package modes

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// isHexID reports whether s can be a network's or an endpoint's ID: 12
// to 64 lower-case hex digits.
func isHexID(s string) bool {
	if len(s) < 12 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validate refuses records no vlanraw could have written: a null,
// nameless or duplicated network or endpoint, an unknown driver or mode,
// an endpoint without a namespace, two endpoints with one address. The
// state package reports the error with the file's name and what to do.
func (r *records) validate() error {
	names, ids := map[string]bool{}, map[string]bool{}
	addrs := map[netip.Addr]string{}
	for i, n := range r.Networks {
		if n == nil {
			return fmt.Errorf("network #%d is null", i+1)
		}
		where := fmt.Sprintf("network #%d (%q)", i+1, n.Name)
		switch {
		case !ValidNetworkName(n.Name):
			return fmt.Errorf("%s: invalid name", where)
		case names[n.Name]:
			return fmt.Errorf("%s: a network of that name is recorded twice", where)
		case !isHexID(n.ID):
			return fmt.Errorf("%s: invalid id %q", where, n.ID)
		case ids[short(n.ID)]:
			return fmt.Errorf("%s: its id %s is recorded twice", where, short(n.ID))
		case n.Driver != IPVlan && n.Driver != MACVlan:
			return fmt.Errorf("%s: unknown driver %q (vlanraw knows ipvlan and macvlan)", where, n.Driver)
		case n.Parent == "":
			return fmt.Errorf("%s: no parent link", where)
		case n.ParentCreated != "" && n.ParentCreated != ParentDummy && n.ParentCreated != ParentVLAN:
			return fmt.Errorf("%s: unknown parent_created %q", where, n.ParentCreated)
		}
		if _, err := parseOptions(n.Driver, modeOptions(n)); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		names[n.Name], ids[short(n.ID)] = true, true
		for _, s := range n.Subnets {
			if !s.Subnet.IsValid() {
				return fmt.Errorf("%s: a subnet is missing or invalid", where)
			}
		}
		eps := map[string]bool{}
		for j, e := range n.Endpoints {
			ewhere := fmt.Sprintf("%s, endpoint #%d (%q)", where, j+1, e.NetNS)
			switch {
			case !isHexID(e.ID):
				return fmt.Errorf("%s: invalid id %q", ewhere, e.ID)
			case eps[short(e.ID)]:
				return fmt.Errorf("%s: its id %s is recorded twice", ewhere, short(e.ID))
			case e.NetNSPath == "" || e.NetNSInode == 0:
				return fmt.Errorf("%s: no network namespace path or inode", ewhere)
			case links.CheckName(e.IfName) != nil:
				return fmt.Errorf("%s: invalid interface name %q", ewhere, e.IfName)
			}
			eps[short(e.ID)] = true
			if e.CNI != nil && e.CNI.Delegated {
				continue // an IPAM plugin's addresses, not vlanraw's to check
			}
			for _, a := range []netip.Prefix{e.IPv4, e.IPv6} {
				if !a.IsValid() {
					continue
				}
				if other, ok := addrs[a.Addr()]; ok {
					return fmt.Errorf("%s: address %s is recorded for %s too", ewhere, a.Addr(), other)
				}
				addrs[a.Addr()] = ewhere
			}
		}
	}
	return nil
}

// modeOptions returns the -o options that carry n's mode, flags and
// macvlan settings, to check them as network create would.
func modeOptions(n *Network) map[string]string {
	o := map[string]string{}
	if n.Driver == IPVlan {
		if n.IPVlanMode != "" {
			o[OptIPVlanMode] = n.IPVlanMode
		}
		if n.IPVlanFlag != "" {
			o[OptIPVlanFlag] = n.IPVlanFlag
		}
		return o
	}
	if n.MACVlanMode != "" {
		o[OptMACVlanMode] = n.MACVlanMode
	}
	if n.MACVlanFlag != "" {
		o[OptMACVlanFlag] = n.MACVlanFlag
	}
	if len(n.SourceMACs) > 0 {
		o[OptMACVlanSourceMACs] = strings.Join(n.SourceMACs, ",")
	}
	if n.BCQueueLen > 0 {
		o[OptMACVlanBCQueueLen] = strconv.FormatUint(uint64(n.BCQueueLen), 10)
	}
	return o
}

// migrate turns the records of an older schema into the current one.
//
// Schema 1 (vlanraw before the kernel marks) knew a namespace by path and
// inode only, and its links carry no mark. Its endpoints get the device of
// the nsfs file system (one per host, so the one of this process's
// namespace) and are flagged Unmarked, for the next command to mark
// their links (see adopt). The state package keeps the old file beside
// the new one.
func migrate(from int, data json.RawMessage) (json.RawMessage, error) {
	switch from {
	case 1:
	case 2:
		// Schema 2 kept the endpoints in the file, where schema 3 reads
		// them until its first write moves them to the volatile file; 3
		// only keeps a vlanraw that knows no volatile file from reading a
		// state file without its endpoints.
		return data, nil
	default:
		return nil, fmt.Errorf("no migration from schema %d", from)
	}
	var r records
	if len(data) > 0 {
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, err
		}
	}
	var dev uint64
	if id, err := netns.IDAt("/proc/self/ns/net"); err == nil {
		dev = id.Dev
	}
	for _, n := range r.Networks {
		if n == nil {
			continue // validate refuses it, with the file's name
		}
		for i := range n.Endpoints {
			e := &n.Endpoints[i]
			e.Unmarked = true
			if e.NetNSDev == 0 {
				e.NetNSDev = dev
			}
		}
	}
	return json.Marshal(&r)
}
