// Package iproute is vlanraw's iproute2 grammar: the link, addr, route,
// neigh and netns objects, which take the words of "ip link", "ip addr",
// "ip route", "ip neigh" and "ip netns", so that iproute2 commands can be
// pasted after "vlanraw", and print what iproute2 prints, text and -j
// JSON with its keys in its order.
//
// A link kind's words, details and help are in kind_KIND.go, registered
// in kindTable (kinds.go); the words every kind shares in linkwords.go; the command-line cursor and
// iproute2's number and address parsers in words.go. It works on links
// and rtnl only, in the namespace given with -n (namespace.go).
package iproute
