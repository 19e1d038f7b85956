// Package bench is vlanraw's benchmark suite. Every benchmark measures
// vlanraw against a named peer in the same run, interleaved, and reports
// the ratio: iproute2's `ip -batch` for link operations, the CNI plugins
// through cnitool for endpoints, veth+bridge for the data plane.
//
// Run it with `make bench` (as root).
package bench
