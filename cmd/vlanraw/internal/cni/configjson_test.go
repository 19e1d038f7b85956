package cni

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlainConfig checks plainConfig against encoding/json on 20000
// generated configurations: every key vlanraw and the specification
// have, respelt, repeated, unknown, with values of every JSON type.
// Whatever plainConfig reads, encoding/json reads the same, without an
// error; and it reads no configuration with a key vlanraw would refuse.
func TestPlainConfig(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	plain := 0
	for i := range 20000 {
		data := randomConfig(rnd)
		c, ok := plainConfig(data)
		if !ok {
			continue
		}
		plain++
		want := &config{}
		if err := json.Unmarshal(data, want); err != nil {
			t.Fatalf("#%d %s: plainConfig read it, encoding/json fails: %v", i, data, err)
		}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Fatalf("#%d %s: (-encoding/json +plainConfig)\n%s", i, data, diff)
		}
		var keys map[string]json.RawMessage
		json.Unmarshal(data, &keys)
		for k := range keys {
			if !slices.Contains(specKeys, k) && !slices.Contains(ownKeys, k) {
				t.Fatalf("#%d %s: plainConfig read the unknown key %q", i, data, k)
			}
		}
	}
	if plain < 2000 {
		t.Errorf("only %d of 20000 configurations were plain: the generator does not exercise plainConfig", plain)
	}
}

// TestPlainConfigTakes checks that the configurations runtimes hand over
// are read without encoding/json.
func TestPlainConfigTakes(t *testing.T) {
	for _, in := range []string{
		`{"cniVersion":"1.0.0","name":"bench-network","type":"vlanraw","network":"net","stateDir":"/tmp/x"}`,
		`{"cniVersion":"1.1.0","name":"n","type":"macvlan","master":"eth0","mode":"bridge","ipam":{"type":"host-local","subnet":"10.1.0.0/16","routes":[{"dst":"0.0.0.0/0"}]},"dns":{"nameservers":["10.1.0.1"]}}`,
		`{"cniVersion":"0.4.0","name":"n","type":"ipvlan","master":"eth0.50","mode":"l3","mtu":1400,"linkInContainer":false,"ipam":{"type":"static","addresses":[{"address":"10.1.0.2/24"}]}}`,
		`{"type":"vlanraw","cniVersion":"1.0.0","name":"n","driver":"macvlan","mode":"source","sourceMacs":["02:00:00:00:00:01"],"nodst":true,"bcqueuelen":100,"capabilities":{"mac":true,"ips":true},"runtimeConfig":{"mac":"02:00:00:00:00:02","ips":["10.1.0.9/24"],"portMappings":[]},"args":{"cni":{"x":1}}}`,
	} {
		if _, ok := plainConfig([]byte(in)); !ok {
			t.Errorf("%s: read by encoding/json", in)
		}
	}
}

// randomConfig returns a JSON object of random keys and values.
func randomConfig(rnd *rand.Rand) []byte {
	top := append(append(slices.Clone(specKeys), ownKeys...), "Name", "MTU", "IPAM", "unknown", "prevResult", "cni.dev/valid-attachments")
	var b strings.Builder
	b.WriteByte('{')
	for j := range rnd.IntN(7) {
		if j > 0 {
			b.WriteByte(',')
		}
		k := top[rnd.IntN(len(top))]
		if j > 0 && rnd.IntN(20) == 0 {
			k = "name" // repeated, maybe
		}
		q, _ := json.Marshal(k)
		b.Write(q)
		b.WriteByte(':')
		randomValue(rnd, &b, k, 0)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

// randomValue writes a value for key: mostly of its type, sometimes not.
func randomValue(rnd *rand.Rand, b *strings.Builder, key string, depth int) {
	inner := map[string][]string{
		"ipam":          {"type", "Type", "subnet", "routes"},
		"dns":           {"nameservers", "domain", "search", "options", "Domain", "other"},
		"runtimeConfig": {"mac", "ips", "IPs", "portMappings"},
		"capabilities":  {"mac", "ips", "portMappings"},
	}
	strs := []string{`""`, `"eth0"`, `"a\u003cb"`, `"é\n"`, `"1.0.0"`, `"l2"`}
	kind := rnd.IntN(10)
	if depth > 1 && kind > 6 {
		kind = 0
	}
	switch {
	case kind == 0:
		b.WriteString(strs[rnd.IntN(len(strs))])
	case kind == 1:
		b.WriteString([]string{"null", "true", "false"}[rnd.IntN(3)])
	case kind == 2:
		b.WriteString([]string{"0", "1500", "-1", "4294967296", "1.5", "1e3", "-0"}[rnd.IntN(7)])
	case kind <= 4:
		b.WriteByte('[')
		for j := range rnd.IntN(3) {
			if j > 0 {
				b.WriteByte(',')
			}
			if rnd.IntN(6) == 0 {
				b.WriteString("null")
			} else {
				b.WriteString(strs[rnd.IntN(len(strs))])
			}
		}
		b.WriteByte(']')
	default:
		keys := inner[key]
		if keys == nil {
			keys = []string{"x", "type"}
		}
		b.WriteByte('{')
		for j := range rnd.IntN(4) {
			if j > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(keys[rnd.IntN(len(keys))])
			b.Write(q)
			b.WriteByte(':')
			if key == "capabilities" && rnd.IntN(4) > 0 {
				b.WriteString([]string{"true", "false"}[rnd.IntN(2)])
				continue
			}
			randomValue(rnd, b, "", depth+1)
		}
		b.WriteByte('}')
	}
}
