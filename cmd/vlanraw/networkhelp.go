package main

import (
	"fmt"
	"io"
)

// networkHelp writes the help of the network object. Every flag and
// option it accepts appears here; a test checks that.
func networkHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [-n HOSTNS] [--state-dir DIR] network create -d DRIVER
                 [--subnet SUBNET]... [--gateway IP]... [--ip-range RANGE]...
                 [--aux-address NAME=IP]... [--ipv6] [--internal]
                 [-o KEY=VALUE]... NAME
       vlanraw [-n HOSTNS] [--state-dir DIR] network ls [-j] [-p]
       vlanraw [-n HOSTNS] [--state-dir DIR] network inspect [-j] NAME...
       vlanraw [-n HOSTNS] [--state-dir DIR] network rm [-f] NAME...

Networks as Docker's ipvlan and macvlan drivers make them, for plain
network namespaces. The words are Docker's ("docker network create ...").
A network is a record in the state directory, plus the parent link when
vlanraw had to create one; endpoints are added with "vlanraw connect".

COMMANDS:
  create    record a network and create its parent if needed; prints NAME
  ls        list the networks: name, driver, parent, mode, subnets and
            number of endpoints (also list); -j prints the inspect form
            of each as one JSON array
  inspect   print the networks as a JSON array shaped like the output of
            "docker network inspect" (subnets, gateways, options, and the
            connected namespaces with their addresses); indented, or on
            one line with -j
  rm        remove networks: each must have no endpoints left (see
            "vlanraw disconnect --all"), unless -f (--force) is given,
            which disconnects them first; the parent is deleted only if
            vlanraw created it and no other network uses it; prints
            each name removed (also remove)

CREATE FLAGS:
  -d, --driver DRIVER      ipvlan or macvlan (required)
  --subnet SUBNET          a subnet in CIDR notation, IPv4 or IPv6
                           (repeatable). Subnets may overlap neither one
                           another nor another network's, and may not
                           be multicast, loopback, IPv6 link-local,
                           IPv4-mapped, or hold 0.0.0.0 or ::
  --gateway IP             the gateway of the subnet that contains IP
                           (repeatable, one per subnet). ipvlan l2 and
                           macvlan endpoints get "default via IP"; no
                           gateway is assumed when none is given
  --ip-range RANGE         allocate addresses only from RANGE (CIDR), in
                           the subnet that contains it (one per subnet)
  --aux-address NAME=IP    never allocate IP, in the subnet that contains
                           it (repeatable)
  --ipv6                   enable IPv6: endpoints also get an address from
                           the IPv6 subnets
  --internal               no default route: the network reaches only
                           itself. On ipvlan l3 and l3s networks each
                           endpoint gets instead a route to each other
                           subnet of the network ("SUBNET dev eth0"), so
                           the subnets reach one another (as in Docker's
                           tests) and nothing else: "Network is
                           unreachable" (see ROUTES below)
  -o, --opt KEY=VALUE      a driver option (repeatable), below
  -h, --help               print this help; so does a lone "help"

DRIVER OPTIONS (-o):
  parent=LINK        the parent link, such as eth0. Omitted: vlanraw
                     creates a dummy parent and the network is internal:
                     its endpoints reach one another and nothing else
                     (on ipvlan l3 and l3s also across its subnets).
                     LINK.VID (eth0.50) that does not exist: vlanraw
                     creates vlan VID on LINK, and deletes it with the
                     network; an existing LINK.VID is used and kept
  ipvlan_mode=MODE   l2 (default), l3 or l3s. l2 switches frames by MAC;
                     l3 and l3s route (NOARP, no broadcast), so subnets
                     of one network reach each other, and upstream
                     routers need "vlanraw routes"; l3s runs netfilter in
                     the host namespace
  ipvlan_flag=FLAG   bridge (default), private (endpoints cannot reach
                     each other) or vepa (endpoint traffic goes out to
                     the switch)
  macvlan_mode=MODE  bridge (default), private, vepa or passthru (one
                     endpoint takes over the parent; the parent may not
                     be shared)
  mtu=MTU            the endpoint links' MTU (at most the parent's)
  Any other key is refused. A parent carries one ipvlan network only;
  macvlan networks may share one, except in passthru mode.

ROUTES (what "vlanraw connect" installs in the endpoint's namespace,
besides the kernel's route to the endpoint's own subnet):
  ipvlan l2, macvlan      "default via GATEWAY dev eth0" when the subnet
                          has a --gateway; none when it has not
  ipvlan l3, l3s          "default dev eth0" (NOARP: no next hop); any
                          --gateway is ignored
  l3, l3s, no parent      "default dev eth0", as in Docker's documentation:
                          the subnets reach one another because they share
                          the parent, and the parent is a dummy, so nothing
                          else is reachable (no reply)
  l3, l3s, --internal     "SUBNET dev eth0" for each other subnet of the
  with a parent           network, no default route: the subnets reach one
                          another, anything else is "Network is
                          unreachable" (a peer on the parent's link with an
                          address in the endpoint's own subnet stays
                          reachable, as in Docker)
  l2, macvlan, internal   none: endpoints reach their own subnet only
  A namespace keeps the first default route it is given, per family.

EXAMPLES:
  vlanraw network create -d ipvlan --subnet 192.168.10.0/24 \
      --subnet 192.168.20.0/24 -o parent=enp0s3 -o ipvlan_mode=l3 ipvlan_net
  vlanraw network create -d ipvlan --subnet 192.168.214.0/24 \
      --subnet 10.1.214.0/24 -o ipvlan_mode=l3 ipnet210
  vlanraw network create -d macvlan --subnet 172.16.86.0/24 \
      --gateway 172.16.86.1 --aux-address router=172.16.86.2 \
      -o parent=eth0.50 macnet
  vlanraw network inspect ipvlan_net
  vlanraw network rm ipvlan_net macnet
`)
}
