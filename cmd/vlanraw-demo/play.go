package main

// play acts out the article, step by step; it stops at the first step
// that does not behave as the article (or Docker's documentation) says.
func (d *demo) play() error {
	step("a host with one uplink, enp0s3 (10.0.0.2), and a router (10.0.0.1) behind it")
	for _, ns := range namespaces {
		if err := d.addNetNS(ns); err != nil {
			return err
		}
	}
	for _, args := range [][]string{
		{"-n", hostNS, "link", "add", "enp0s3", "up", "type", "veth", "peer", "name", "eth0", "netns", routerNS, "up"},
		{"-n", hostNS, "addr", "add", "10.0.0.2/24", "dev", "enp0s3"},
		{"-n", routerNS, "addr", "add", "10.0.0.1/24", "dev", "eth0"},
		{"-n", routerNS, "route", "show"},
	} {
		if err := d.vr(args...); err != nil {
			return err
		}
	}

	step("the article's network: ipvlan in L3 mode, two subnets, parent enp0s3")
	say("-n host: vlanraw works in the host namespace, where the parent is")
	err := d.createNetwork(network, "-d", "ipvlan",
		"--subnet", "192.168.10.0/24", "--subnet", "192.168.20.0/24",
		"-o", "parent=enp0s3", "-o", "ipvlan_mode=l3")
	if err != nil {
		return err
	}
	if err := d.vr("-n", hostNS, "network", "ls"); err != nil {
		return err
	}

	step("webapp and database join it with fixed addresses, one in each subnet")
	for _, args := range [][]string{
		{"-n", hostNS, "connect", "--ip", webappIP.String(), network, webapp},
		{"-n", hostNS, "connect", "--ip", databaseIP.String(), network, database},
		{"-n", hostNS, "network", "inspect", network},
	} {
		if err := d.vr(args...); err != nil {
			return err
		}
	}

	step("what the kernel shows inside webapp: an l3 ipvlan, NOARP, and a connected default route")
	for _, args := range [][]string{
		{"-n", webapp, "link", "show", "-d"},
		{"-n", webapp, "addr", "show", "dev", "eth0"},
		{"-n", webapp, "route", "show"},
	} {
		if err := d.vr(args...); err != nil {
			return err
		}
	}

	step("webapp pings database: the two subnets reach each other through the host")
	if err := d.ping(webapp, webappIP, databaseIP, true); err != nil {
		return err
	}
	if err := d.vr("-n", webapp, "neigh", "show"); err != nil {
		return err
	}
	say("no neighbour entries: L3 mode resolves nothing with ARP")

	step("webapp pings the router: the request leaves, but the router has no route back")
	if err := d.ping(webapp, webappIP, routerIP, false); err != nil {
		return err
	}

	step("the static routes the router needs, as the article adds them by hand")
	for _, args := range [][]string{
		{"-n", hostNS, "routes", network},
		{"-n", hostNS, "routes", network, "--apply", "--netns", routerNS},
		{"-n", routerNS, "route", "show"},
	} {
		if err := d.vr(args...); err != nil {
			return err
		}
	}

	step("webapp and database ping the router again: replies now")
	if err := d.ping(webapp, webappIP, routerIP, true); err != nil {
		return err
	}
	if err := d.ping(database, databaseIP, routerIP, true); err != nil {
		return err
	}
	say("(the router would also need a route onwards for the internet: out of the demo's scope)")

	if err := d.playNoParent(); err != nil {
		return err
	}
	return d.playVerify()
}

// playNoParent acts out Docker's l3 example without a parent (seed 001):
// a dummy parent, two subnets, an endpoint on each, and one more on each
// that pings across.
func (d *demo) playNoParent() error {
	step("Docker's l3 network without a parent: vlanraw creates a dummy parent, and the network is internal")
	err := d.createNetwork(noParentNet, "-d", "ipvlan",
		"--subnet", "192.168.214.0/24", "--subnet", "10.1.214.0/24", "-o", "ipvlan_mode=l3")
	if err != nil {
		return err
	}
	for _, args := range [][]string{
		{"-n", hostNS, "network", "ls"},
		{"-n", hostNS, "connect", "--ip", ip214x10.String(), noParentNet, c214x10},
		{"-n", hostNS, "connect", "--ip", ip10x10.String(), noParentNet, c10x10},
	} {
		if err := d.vr(args...); err != nil {
			return err
		}
	}

	step("the route table inside an l3 endpoint, as Docker's documentation prints it")
	for _, ns := range []string{c214x10, c10x10} {
		if err := d.vr("-n", ns, "route", "show"); err != nil {
			return err
		}
	}
	say("\"default dev eth0\": the subnets reach one another because they share the (dummy) parent")

	step("L3 connectivity from 192.168.214.0/24 to 10.1.214.0/24, and back")
	if err := d.vr("-n", hostNS, "connect", "--ip", ip214x9.String(), noParentNet, c214x9); err != nil {
		return err
	}
	if err := d.ping(c214x9, ip214x9, ip10x10, true); err != nil {
		return err
	}
	if err := d.vr("-n", hostNS, "connect", "--ip", ip10x9.String(), noParentNet, c10x9); err != nil {
		return err
	}
	if err := d.ping(c10x9, ip10x9, ip214x10, true); err != nil {
		return err
	}

	step("nothing beyond the dummy: the router the host reaches is out of reach of %s", noParentNet)
	if err := d.ping(c214x10, ip214x10, routerIP, false); err != nil {
		return err
	}
	return d.vr("-n", hostNS, "routes", noParentNet)
}

// playVerify proves L3 mode on the article's network with vlanraw
// verify: eBPF counters on the parent, the router's side of the wire and
// every endpoint, while probes are sent.
func (d *demo) playVerify() error {
	step("vlanraw verify %s: eBPF tc counters prove L3 mode", network)
	say("broadcast and multicast must reach no endpoint, ARP must get no answer and never leave the parent,")
	say("and unicast UDP must reach each endpoint, from the other endpoint and from the router's side of the wire")
	say("the network is IPv4-only, as in the article: as Docker does, vlanraw leaves IPv6 off in its endpoints,")
	say("so they are not in ff02::1 and the IPv6 multicast steps do not run")
	return d.vr("-n", hostNS, "verify", network, "--wire-netns", routerNS, "--wire-dev", "eth0")
}
