// Package cnispec holds the CNI specification's result format as the
// tests read it: a plugin's ADD result (or the error it prints) decoded
// strictly into this package's own types, shaped after SPEC.md for each
// cniVersion, not after any plugin's Go types. A field the spec does not
// name for the result's version, a misnamed one or one of the wrong JSON
// type is an error; so is a required field left out.
//
// Versions and their fields (SPEC.md at spec-v0.3.1, -v0.4.0, -v1.0.0 and
// -v1.1.0):
//
//	all        cniVersion, interfaces{name, mac, sandbox}, ips{address, gateway, interface},
//	           routes{dst, gw}, dns{nameservers, domain, search, options}
//	0.3.x 0.4  ips{version} ("4" or "6"), required
//	1.1.0      interfaces{mtu, socketPath, pciID}, routes{mtu, advmss, priority, table, scope}
package cnispec
