package cnispec

import (
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want string // a part of the error, empty for a valid result
	}{
		{"0.3.1", `{"cniVersion":"0.3.1","interfaces":[{"name":"eth0","mac":"96:41:74:62:56:5b","sandbox":"/run/netns/a"}],"ips":[{"version":"4","interface":0,"address":"10.97.0.2/24","gateway":"10.97.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}`, ""},
		{"1.0.0", `{"cniVersion":"1.0.0","interfaces":[{"mac":"22:ce:0b:cb:1e:f6","name":"eth0","sandbox":"/run/netns/a"}],"ips":[{"address":"10.97.0.4/24","gateway":"10.97.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0"}]}`, ""},
		{"1.1.0 fields", `{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mtu":1500,"socketPath":"/s","pciID":"0000:00:01.0"}],"routes":[{"dst":"::/0","gw":"fd00::1","mtu":1400,"advmss":1360,"priority":10,"table":100,"scope":0}]}`, ""},
		{"1.1.0 dns", `{"cniVersion":"1.1.0","dns":{"nameservers":["10.0.0.1"],"domain":"x","search":["a"],"options":["ndots:2"]}}`, ""},
		{"unknown field", `{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","ifname":"x"}]}`, `unknown field "ifname"`},
		{"misnamed", `{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","gateway":"10.0.0.1","iface":0}]}`, `unknown field "iface"`},
		{"wrong type", `{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","interface":"0"}]}`, "cannot unmarshal string"},
		{"mtu before 1.1.0", `{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mtu":1500}]}`, "only 1.1.0"},
		{"route table before 1.1.0", `{"cniVersion":"0.4.0","routes":[{"dst":"0.0.0.0/0","table":5}]}`, "only 1.1.0"},
		{"version in 1.0.0", `{"cniVersion":"1.0.0","ips":[{"version":"4","address":"10.0.0.2/24"}]}`, "1.0.0 removed"},
		{"version missing in 0.4.0", `{"cniVersion":"0.4.0","ips":[{"address":"10.0.0.2/24"}]}`, `version is ""`},
		{"no name", `{"cniVersion":"1.0.0","interfaces":[{"mac":"22:ce:0b:cb:1e:f6"}]}`, "no name"},
		{"address without prefix", `{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2"}]}`, "prefix length"},
		{"gateway of the other family", `{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","gateway":"fd00::1"}]}`, "family"},
		{"interface out of range", `{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[{"address":"10.0.0.2/24","interface":1}]}`, "indexes no entry"},
		{"no dst", `{"cniVersion":"1.0.0","routes":[{"gw":"10.0.0.1"}]}`, "no dst"},
		{"bad version", `{"cniVersion":"0.2.0"}`, "must be one of"},
		{"trailing value", `{"cniVersion":"1.0.0"}{}`, "more than one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.doc))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Decode: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Decode accepted %s; want an error with %q", tc.doc, tc.want)
			case tc.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Decode: %v; want an error matching ErrInvalid with %q", err, tc.want)
			}
		})
	}
}

func TestDecodeError(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{`{"cniVersion":"1.1.0","code":7,"msg":"invalid config","details":"mode"}`, ""},
		{`{"cniVersion":"1.1.0","code":7}`, "without a msg"},
		{`{"cniVersion":"1.1.0","msg":"x"}`, "without a code"},
		{`{"cniVersion":"1.1.0","code":7,"msg":"x","message":"y"}`, `unknown field "message"`},
	} {
		_, err := DecodeError([]byte(tc.doc))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("DecodeError(%s) = %v; want %q", tc.doc, err, tc.want)
		}
	}
}
