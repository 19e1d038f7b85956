package main

// play acts out the article, step by step; it stops at the first step
// that does not behave as the article says.
func (d *demo) play() error {
	step("a host with one uplink, enp0s3 (10.0.0.2), and a router (10.0.0.1) behind it")
	for _, ns := range []string{hostNS, routerNS, webapp, database} {
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
	err := d.track(func() { d.netCreated = true }, "-n", hostNS, "network", "create", "-d", "ipvlan",
		"--subnet", "192.168.10.0/24", "--subnet", "192.168.20.0/24",
		"-o", "parent=enp0s3", "-o", "ipvlan_mode=l3", network)
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
	return nil
}
