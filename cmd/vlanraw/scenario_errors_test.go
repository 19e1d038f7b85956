package main

import (
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// failure is a command that must fail: its exit status, a part of its
// message, and the command line.
type failure struct {
	code       int
	want, line string
}

// check runs each failure and checks that it changed neither the state
// directory nor the links of the namespaces nss.
func (w *world) check(fails []failure, nss ...string) {
	w.t.Helper()
	for _, f := range fails {
		before := w.snap(nss...)
		w.vrFails(f.code, f.want, f.line)
		w.unchanged("vlanraw "+f.line, before)
	}
}

// TestScenarioErrors: mistakes with macvlan networks are refused with a
// message and exit status 1 (the system said no: something is taken) or 2
// (a bad value), and change nothing. These run on the host kernel too.
func TestScenarioErrors(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("q0")
	w.uplink("r0")
	w.vr("network create -d macvlan --subnet 10.70.0.0/24 -o parent=q0 m1")
	w.vr("network create -d macvlan --subnet 10.71.0.0/24 -o parent=r0 -o macvlan_mode=passthru pass")
	a, _ := w.endpoint()
	b, _ := w.endpoint()
	w.connect("m1", a, "--ip", "10.70.0.10")
	w.check([]failure{
		{exitRuntime, "cannot use mode passthru, macvlan network m1 is already using parent interface q0",
			"network create -d macvlan --subnet 10.72.0.0/24 -o parent=q0 -o macvlan_mode=passthru m2"},
		{exitRuntime, "macvlan network pass is already using parent interface r0 in mode passthru",
			"network create -d macvlan --subnet 10.72.0.0/24 -o parent=r0 m2"},
		{exitUsage, "no configured subnet contains IP address 10.99.0.5", "connect --ip 10.99.0.5 m1 " + b},
		{exitRuntime, "address 10.70.0.10 is already in use", "connect --ip 10.70.0.10 m1 " + b},
		{exitUsage, "invalid MAC address", "connect --mac 01:00:5e:00:00:01 m1 " + b},
		{exitUsage, `unknown option "ipvlan_flag"`, "network create -d macvlan -o parent=q0 -o ipvlan_flag=x m3"},
		{exitUsage, "requested macvlan flag 'x' is not valid", "network create -d macvlan -o parent=q0 -o macvlan_flag=x m3"},
		{exitUsage, "requested macvlan mode 'bogus' is not valid", "network create -d macvlan -o parent=q0 -o macvlan_mode=bogus m3"},
		{exitUsage, "it is in none of the network's IPv4 subnets", "network create -d macvlan --subnet 10.98.0.0/24 -o parent=q0 -o host_access=10.97.0.2 m3"},
		{exitUsage, "the gateway of subnet 10.98.0.0/24 already", "network create -d macvlan --subnet 10.98.0.0/24 --gateway 10.98.0.1 -o parent=q0 -o host_access=10.98.0.1 m3"},
		{exitUsage, "invalid host_access \"bogus\"", "network create -d macvlan --subnet 10.98.0.0/24 -o parent=q0 -o host_access=bogus m3"},
		{exitRuntime, "network with name m1 already exists", "network create -d macvlan --subnet 10.73.0.0/24 -o parent=q0 m1"},
		{exitRuntime, "already connected", "connect m1 " + a},
		{exitRuntime, "not found", "connect nosuch " + b},
		{exitRuntime, "active endpoints", "network rm m1"},
		{exitUsage, "--all takes one network", "disconnect --all m1 " + a},
	}, w.host, a, b)
}

// TestScenarioErrorsIPVlan: one ipvlan network per parent, and no custom
// MAC on ipvlan links.
func TestScenarioErrorsIPVlan(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d ipvlan --subnet 10.80.0.0/24 -o parent=p0 i1")
	a, _ := w.endpoint()
	w.check([]failure{
		{exitRuntime, "network i1 is already using parent interface p0",
			"network create -d ipvlan --subnet 10.81.0.0/24 -o parent=p0 -o ipvlan_mode=l3 i2"},
		{exitRuntime, "ipvlan network i1 is already using parent interface p0",
			"network create -d macvlan --subnet 10.81.0.0/24 -o parent=p0 m2"},
		{exitUsage, "ipvlan interfaces do not support custom mac address assignment", "connect --mac 02:00:00:00:00:01 i1 " + a},
		{exitUsage, "requested ipvlan mode 'l4' is not valid, 'l2' mode is the ipvlan driver default",
			"network create -d ipvlan -o parent=p0 -o ipvlan_mode=l4 i3"},
		{exitUsage, "requested ipvlan flag 'none' is not valid, 'bridge' is the ipvlan driver default",
			"network create -d ipvlan -o parent=p0 -o ipvlan_flag=none i3"},
		{exitUsage, `unknown option "macvlan_mode"`, "network create -d ipvlan -o parent=p0 -o macvlan_mode=bridge i3"},
	}, w.host, a)
}
