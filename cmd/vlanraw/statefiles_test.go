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
// networks.boot-BOOTID.json, which holds the endpoints by network ID.
// It returns nil if there is no networks.json.
func stateFile(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "networks.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
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
	var doc struct {
		Schema int `json:"schema"`
		Data   struct {
			Networks []map[string]any `json:"networks"`
			Swept    bool             `json:"swept,omitempty"`
		} `json:"data"`
	}
	var vol struct {
		Data map[string][]any `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("networks.json: %v\n%s", err, b)
	}
	if err := json.Unmarshal(vb, &vol); err != nil {
		t.Fatalf("the volatile state file: %v\n%s", err, vb)
	}
	for _, n := range doc.Data.Networks {
		if id, _ := n["id"].(string); vol.Data[id] != nil {
			n["endpoints"] = vol.Data[id]
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
