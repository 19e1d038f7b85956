package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stateFile returns the records of state directory dir as one document,
// {"schema": N, "data": {"networks": [...]}}, each network with its
// endpoints: networks.json joined with the volatile file of this boot,
// networks.boot-BOOTID.json, which holds the endpoints by network ID and
// the implicit networks of CNI configurations. It returns nil if there is
// neither.
func stateFile(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "networks.json"))
	if os.IsNotExist(err) {
		b = nil
	} else if err != nil {
		t.Fatal(err)
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	vb, err := os.ReadFile(filepath.Join(dir, "networks.boot-"+strings.TrimSpace(string(boot))+".json"))
	if os.IsNotExist(err) {
		return b
	}
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		b = []byte(`{"schema":3,"data":{}}`)
	}
	var doc struct {
		Schema int `json:"schema"`
		Data   struct {
			Networks []map[string]any `json:"networks"`
			Swept    bool             `json:"swept,omitempty"`
		} `json:"data"`
	}
	var vol struct {
		Data struct {
			Endpoints map[string][]any `json:"endpoints"`
			Implicit  []map[string]any `json:"implicit"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("networks.json: %v\n%s", err, b)
	}
	if err := json.Unmarshal(vb, &vol); err != nil {
		t.Fatalf("the volatile state file: %v\n%s", err, vb)
	}
	for _, n := range doc.Data.Networks {
		if id, _ := n["id"].(string); vol.Data.Endpoints[id] != nil {
			n["endpoints"] = vol.Data.Endpoints[id]
		}
	}
	doc.Data.Networks = append(doc.Data.Networks, vol.Data.Implicit...)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
