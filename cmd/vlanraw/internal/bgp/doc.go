// Package bgp is vlanraw's bgp object: `bgp run` announces the subnets
// of the state directory's ipvlan l3 and l3s networks to BGP peers with
// package bgp's speaker, following the directory as networks come and
// go, and `bgp status` asks the running speaker for its sessions and
// routes.
package bgp
