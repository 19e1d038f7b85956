package iproute

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/rtnl"
)

// TestBadNetkitWords checks that netkit mistakes are usage errors (exit
// 2) naming the bad word, with nothing sent to the kernel.
func TestBadNetkitWords(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"link add nk0 type netkit", []string{"peer name"}},
		{"link add nk0 type netkit blackhole", []string{"peer name"}},
		{"link add nk0 type netkit peer", []string{"peer name"}},
		{"link add nk0 type netkit peer blackhole", []string{"peer name"}},
		{"link add nk0 type netkit frob peer nk1", []string{`"frob"`, "forward"}},
		{"link add nk0 type netkit mode l4 peer nk1", []string{`"l4"`, "l2"}},
		{"link add nk0 type netkit mode l2 mode l3 peer nk1", []string{`"mode" is given twice`}},
		{"link add nk0 type netkit forward blackhole peer nk1", []string{`"blackhole"`, `"forward"`, "one policy"}},
		{"link add nk0 type netkit peer forward blackhole nk1", []string{`"blackhole"`, "the peer"}},
		{"link add nk0 type netkit peer peer nk1", []string{`"peer" is given twice`}},
		{"link add nk0 type netkit scrub none peer nk1", []string{`"scrub"`}},
		{"link add nk0 type netkit peer nk1 type netkit", []string{`"type" is given twice`}},
		{"link add nk0 type netkit peer nk1 link p0", []string{"no parent"}},
		{"link add link p0 nk0 type netkit peer nk1", []string{"link p0", "netkit"}},
		{"link set nk0 type netkit peer nk1", []string{`"nk1"`, "policy"}},
		{"link set nk0 type netkit forward forward", []string{"one policy"}},
	} {
		t.Run(tt.line, func(t *testing.T) {
			code, stdout, stderr := runCLI(strings.Fields(tt.line)...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing (stderr %q)", code, stdout, exitUsage, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
		})
	}
}

// TestNetkitDetails checks `link show -d` of netkit data as iproute2
// 6.15's netkit_print_opt prints it: in its order, with its words, and
// UNKNOWN for values it has no word for.
func TestNetkitDetails(t *testing.T) {
	for _, tt := range []struct {
		data       *rtnl.Netkit
		text, json string
	}{
		{
			data: &rtnl.Netkit{
				Mode: ptr(rtnl.NetkitModeL3), Primary: ptr(true), Policy: ptr(rtnl.NetkitForward),
				PeerPolicy: ptr(rtnl.NetkitBlackhole), Scrub: ptr(rtnl.NetkitScrubDefault), PeerScrub: ptr(rtnl.NetkitScrubNone),
			},
			text: "mode l3 type primary policy forward peer policy blackhole scrub default peer scrub none ",
			json: `{"mode":"l3","type":"primary","policy":"forward","peer_policy":"blackhole","scrub":"default","peer_scrub":"none"}`,
		},
		{
			data: &rtnl.Netkit{Mode: ptr(rtnl.NetkitModeL2), Primary: ptr(false), Policy: ptr(rtnl.NetkitBlackhole)},
			text: "mode l2 type peer policy blackhole ",
			json: `{"mode":"l2","type":"peer","policy":"blackhole"}`,
		},
		{
			data: &rtnl.Netkit{Mode: ptr(rtnl.NetkitMode(9)), Policy: ptr(rtnl.NetkitPolicy(1)), Scrub: ptr(rtnl.NetkitScrub(5))},
			text: "mode UNKNOWN policy UNKNOWN scrub UNKNOWN ",
			json: `{"mode":"UNKNOWN","policy":"UNKNOWN","scrub":"UNKNOWN"}`,
		},
		{data: nil, text: "", json: `{}`},
	} {
		var data rtnetlink.LinkDriver
		if tt.data != nil {
			data = tt.data
		}
		d, ok := kindDetails("netkit", data)
		if !ok {
			t.Fatal("kindDetails does not know netkit")
		}
		if got := detailsText(d); got != tt.text {
			t.Errorf("text %q, want %q", got, tt.text)
		}
		b, err := json.Marshal(detailsJSON(d))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.json {
			t.Errorf("JSON %s, want %s", b, tt.json)
		}
	}
}
