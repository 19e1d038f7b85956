// Package ipam hands out IP addresses the way Docker's default IPAM driver
// does for ipvlan and macvlan networks, for IPv4 and IPv6 alike.
//
// A network has one Pool per subnet (--subnet), optionally narrowed by an
// ip-range (--ip-range) that dynamic allocation draws from, with a gateway
// (--gateway) and auxiliary addresses (--aux-address) that are reserved.
// NewPool parses and checks these with Docker's error messages.
//
// # Subnets refused
//
// NewPool refuses subnets whose addresses no interface can use: the
// default routes 0.0.0.0/0 and ::/0 and any other subnet holding the
// unspecified address (such as 0.0.0.0/8), loopback (127.0.0.0/8, ::1),
// multicast (224.0.0.0/4, ff00::/8), IPv6 link-local (fe80::/10) and
// IPv4-mapped IPv6 (::ffff:0:0/96) ranges, and any subnet overlapping
// one of them.
//
// # Reserved addresses
//
// Pool.Reserved reports the addresses never handed out: the gateway, the
// auxiliary addresses, and
//
//   - for IPv4 subnets shorter than /31, the network and broadcast addresses;
//   - for IPv6 subnets shorter than /127, the subnet-router anycast address
//     (the one with all host bits zero).
//
// /31 and /127 subnets are point-to-point links (RFC 3021, RFC 6164): both
// addresses are usable. /32 and /128 subnets hold one usable address. No
// gateway is ever assumed: as in Docker 29 and later, a subnet has one only
// when --gateway gives it.
//
// # Addresses in use
//
// The package keeps no record of assigned addresses. Pool.Allocate and
// Pool.Check ask the caller through a used function, which should answer
// for every network, since Docker lets subnets of different ipvlan and
// macvlan networks overlap but never assigns an address twice. To count
// the way Docker does, used should also report the gateways and auxiliary
// addresses of the other networks whose subnets overlap this one.
//
// # Errors
//
// Errors match one of errdefs.ErrInvalid (bad configuration or an
// address outside every subnet), ErrInUse (an explicit address already
// taken or reserved) and ErrPoolFull (nothing left to allocate) with
// errors.Is. Configuration problems are reported together in a
// *ConfigError, in Docker's words.
package ipam
