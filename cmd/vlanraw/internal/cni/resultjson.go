package cni

import (
	"bytes"
	"io"
	"net"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/vlanraw/vlanraw/internal/jsonio"
)

// printResult prints r on stdout, converted to the configuration's
// version, as types.PrintResult does. A result of version 1.0.0 or 1.1.0 (what the
// runtimes of today ask for) is written here, byte for byte as
// types.PrintResult writes it (TestPrintResult), without encoding/json,
// through which the library passes it three times (out, into a map, out
// again): its reflection cost, once per process, more than the rest of
// an ADD's user-space work after the kernel's. Older versions are
// converted and printed by the CNI library.
func printResult(stdout io.Writer, r *current.Result, version string) error {
	if version != "1.0.0" && version != "1.1.0" {
		conv, err := r.GetAsVersion(version)
		if err != nil {
			return err
		}
		return conv.PrintTo(stdout)
	}
	var w jsonio.Writer
	writeResult(&w, r, version)
	compact, err := w.Bytes()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	jsonio.Indent(&b, compact, "", "    ")
	_, err = b.WriteTo(stdout)
	return err
}

// writeResult writes r at version as types100.Result's MarshalJSON
// does: its struct tags' keys and omissions, dns left out when empty, and
// then, since it passes its encoding through a map, every object's keys
// in sorted order.
func writeResult(w *jsonio.Writer, r *current.Result, version string) {
	w.OpenObject()
	w.Key("cniVersion")
	w.String(version)
	if !r.DNS.IsEmpty() {
		w.Key("dns")
		w.OpenObject()
		w.OptString("domain", r.DNS.Domain)
		w.OptStrings("nameservers", r.DNS.Nameservers)
		w.OptStrings("options", r.DNS.Options)
		w.OptStrings("search", r.DNS.Search)
		w.CloseObject()
	}
	if len(r.Interfaces) > 0 {
		w.Key("interfaces")
		w.OpenArray()
		for _, i := range r.Interfaces {
			writeInterface(w, i)
		}
		w.CloseArray()
	}
	if len(r.IPs) > 0 {
		w.Key("ips")
		w.OpenArray()
		for _, ip := range r.IPs {
			writeIPConfig(w, ip)
		}
		w.CloseArray()
	}
	if len(r.Routes) > 0 {
		w.Key("routes")
		w.OpenArray()
		for _, rt := range r.Routes {
			writeRoute(w, rt)
		}
		w.CloseArray()
	}
	w.CloseObject()
}

func writeInterface(w *jsonio.Writer, i *current.Interface) {
	if i == nil {
		w.Null()
		return
	}
	w.OpenObject()
	w.OptString("mac", i.Mac)
	w.OptInt("mtu", i.Mtu)
	w.Key("name")
	w.String(i.Name)
	w.OptString("pciID", i.PciID)
	w.OptString("sandbox", i.Sandbox)
	w.OptString("socketPath", i.SocketPath)
	w.CloseObject()
}

func writeIPConfig(w *jsonio.Writer, c *current.IPConfig) {
	if c == nil {
		w.Null()
		return
	}
	w.OpenObject()
	w.Key("address")
	w.String((&c.Address).String())
	optIP(w, "gateway", c.Gateway)
	if c.Interface != nil {
		w.Key("interface")
		w.Int(*c.Interface)
	}
	w.CloseObject()
}

func writeRoute(w *jsonio.Writer, r *types.Route) {
	if r == nil {
		w.Null()
		return
	}
	w.OpenObject()
	w.OptInt("advmss", r.AdvMSS)
	w.Key("dst")
	w.String((&r.Dst).String())
	optIP(w, "gw", r.GW)
	w.OptInt("mtu", r.MTU)
	w.OptInt("priority", r.Priority)
	if r.Scope != nil {
		w.Key("scope")
		w.Int(*r.Scope)
	}
	if r.Table != nil {
		w.Key("table")
		w.Int(*r.Table)
	}
	w.CloseObject()
}

// optIP writes an address under key unless it is empty, as net.IP's
// MarshalText and omitempty do.
func optIP(w *jsonio.Writer, key string, ip net.IP) {
	if len(ip) == 0 {
		return
	}
	w.Key(key)
	b, err := ip.MarshalText()
	if err != nil {
		w.Raw(nil, err)
		return
	}
	w.String(string(b))
}
