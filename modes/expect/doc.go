// Package expect holds what each ipvlan and macvlan mode promises, as
// tables of expected frame counts that package modes/verify checks on
// the running kernel.
//
// The vocabulary: what verify sends (a Step: a Probe from an Origin),
// where it counts (a Point), what it counts (a class of the counters'
// classifier, bpf.Class) and how many it expects (Want). A Row puts them
// together, with Why, the kernel path that gives that count; a Table
// holds one mode's rows. The rows live next to each driver: ipvlan.go,
// macvlan.go; vlan.go says what a VLAN parent changes.
//
// For looks up the table of a network, ForMode that of a driver and
// mode, Tables lists them all. Table.RowsFor adds to a table's rows what
// depends on the wire (Conditions).
//
// At AtSockets, a row's class is that of the probe's UDP datagrams: the
// sockets count the datagrams the endpoint's stack delivered, not
// frames.
package expect
