package cni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vlanraw/vlanraw/testenv/cnispec"
)

// badInput is an ADD the plugin must refuse: its configuration, the
// container the runtime names (rt changes it; nil keeps it), the code and
// what the message must name.
type badInput struct {
	name    string
	version string
	conf    func(w *world) map[string]any
	rt      func(c *container) *container
	code    uint
	msg     string
}

// setUp makes the world and the container of tt, and returns them with
// the container the runtime names.
func (tt badInput) setUp(t *testing.T) (w *world, c, target *container) {
	t.Helper()
	w = newWorld(t)
	c = w.newContainer()
	target = c
	if tt.rt != nil {
		target = tt.rt(c)
	}
	return w, c, target
}

// checkNothingLeft checks that a refused ADD left no link in c, no
// address reservation and no record.
func (w *world) checkNothingLeft(t *testing.T, c *container) {
	t.Helper()
	if n := w.linkCount(c); n != 0 {
		t.Errorf("%d links left in the container", n)
	}
	if rs := w.reservations(); len(rs) != 0 {
		t.Errorf("host-local holds %v", rs)
	}
	if nets := w.networks(); len(nets) != 0 {
		t.Errorf("state records networks %v", nets)
	}
}

// badInputs are ADDs the plugin must refuse, each with the
// specification's error code it must fail with (0: the IPAM plugin's,
// whatever it is) and what its message must name.
var badInputs = []badInput{
	{"unknown key", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		c["bogus"] = true
		return c
	}, nil, 2, `unknown configuration key "bogus"`},
	{"unsupported cniVersion", "0.2.0", func(w *world) map[string]any { return w.macvlanConf() }, nil, 1, "0.2.0"},
	{"no master", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		delete(c, "master")
		return c
	}, nil, 7, "no master"},
	{"missing master", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		c["master"] = "nosuch0"
		return c
	}, nil, 7, `master nosuch0 does not exist: create it first or name an existing link as "master"`},
	{"bad mode", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		c["mode"] = "l9"
		return c
	}, nil, 7, "'l9'"},
	{"mac on ipvlan", "1.1.0", func(w *world) map[string]any {
		return map[string]any{"type": "vlanraw", "driver": "ipvlan", "master": w.master, "mac": "02:00:00:00:00:01", "ipam": hostLocal()}
	}, nil, 7, "ipvlan"},
	{"bad mode, drop-in ipvlan", "1.1.0", func(w *world) map[string]any {
		return map[string]any{"type": "ipvlan", "master": w.master, "mode": "l9", "ipam": hostLocal()}
	}, nil, 7, "'l9'"},
	{"mac on drop-in ipvlan", "1.1.0", func(w *world) map[string]any {
		return map[string]any{"type": "ipvlan", "master": w.master, "mac": "02:00:00:00:00:01", "ipam": hostLocal()}
	}, nil, 7, "ipvlan"},
	{"failing delegate", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		c["ipam"] = map[string]any{"type": "host-local", "ranges": []any{[]any{map[string]any{"subnet": "10.50.0.0/33"}}}}
		return c
	}, nil, 0, "host-local"},
	{"missing delegate", "1.1.0", func(w *world) map[string]any {
		c := w.macvlanConf()
		c["ipam"] = map[string]any{"type": "nosuch-ipam"}
		return c
	}, nil, 7, "nosuch-ipam"},
	{"missing CNI_NETNS", "1.1.0", func(w *world) map[string]any { return w.macvlanConf() },
		func(c *container) *container { return &container{id: c.id} }, 4, "CNI_NETNS"},
}

// TestBadInput runs ADDs the plugin must refuse: each fails with the
// specification's error code and a message naming the problem, and
// leaves no link, no address reservation and no record.
func TestBadInput(t *testing.T) {
	for _, tt := range badInputs {
		t.Run(tt.name, func(t *testing.T) {
			w, c, target := tt.setUp(t)
			_, err := w.cni.AddNetworkList(context.Background(), w.conflist(tt.version, tt.conf(w)), target.rt())
			if err == nil {
				t.Fatal("ADD succeeded")
			}
			if tt.code != 0 && cniCode(err) != tt.code {
				t.Errorf("code %d (%v), want %d", cniCode(err), err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not name %q", err, tt.msg)
			}
			w.checkNothingLeft(t, c)
		})
	}
}

// TestBadInputDirect runs badInputs through the plugin itself, as a
// runtime's exec does, without libcni in between: each must exit non-zero
// printing the specification's error document (cnispec.DecodeError: a
// known cniVersion, the code, a msg naming the problem) and leave no
// link, no address reservation and no record.
func TestBadInputDirect(t *testing.T) {
	for _, tt := range badInputs {
		t.Run(tt.name, func(t *testing.T) {
			w, c, target := tt.setUp(t)
			out, err := w.execPlugin("ADD", w.pluginConf(tt.version, tt.conf(w)), target)
			if err == nil {
				t.Fatalf("ADD succeeded: %s", out)
			}
			t.Logf("ADD: %s", bytes.Join(bytes.Fields(out), []byte(" ")))
			e, derr := cnispec.DecodeError(out)
			if derr != nil {
				t.Fatalf("ADD failed (%v) without the specification's error document: %v", err, derr)
			}
			if tt.code != 0 && e.Code != tt.code {
				t.Errorf("code %d (%s), want %d", e.Code, e.Msg, tt.code)
			}
			if !strings.Contains(e.Msg+": "+e.Details, tt.msg) {
				t.Errorf("msg %q (details %q) does not name %q", e.Msg, e.Details, tt.msg)
			}
			w.checkNothingLeft(t, c)
		})
	}
}

// pluginConf returns the configuration the plugin of conf reads on
// stdin: conf with the world's directories, as conflist fills them, and
// the name and cniVersion libcni adds.
func (w *world) pluginConf(version string, conf map[string]any) []byte {
	w.t.Helper()
	list := w.conflist(version, conf)
	var m map[string]any
	if err := json.Unmarshal(list.Plugins[0].Bytes, &m); err != nil {
		w.t.Fatal(err)
	}
	m["name"], m["cniVersion"] = list.Name, list.CNIVersion
	b, err := json.Marshal(m)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// execPlugin runs the plugin the configuration's type names, from
// pluginDir, inside the world's host namespace with CNI_COMMAND=verb and
// c's attachment (no CNI_NETNS when c has no path), and returns its
// standard output.
func (w *world) execPlugin(verb string, conf []byte, c *container) ([]byte, error) {
	w.t.Helper()
	var typ struct{ Type string }
	if err := json.Unmarshal(conf, &typ); err != nil {
		w.t.Fatal(err)
	}
	dir := pluginDir(w.t)
	cmd := exec.Command(filepath.Join(dir, typ.Type))
	cmd.Env = []string{"CNI_COMMAND=" + verb, "CNI_CONTAINERID=" + c.id, "CNI_IFNAME=eth0", "CNI_PATH=" + dir}
	if c.path != "" {
		cmd.Env = append(cmd.Env, "CNI_NETNS="+c.path)
	}
	cmd.Stdin = bytes.NewReader(conf)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	err := w.host.Do(cmd.Run)
	return stdout.Bytes(), err
}

// networks returns the names of the networks the state file records.
func (w *world) networks() []string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.stateDir, "networks.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	var doc struct {
		Data struct {
			Networks []struct {
				Name string `json:"name"`
			} `json:"networks"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, n := range doc.Data.Networks {
		out = append(out, n.Name)
	}
	return out
}

// TestConcurrentAdds runs 32 ADDs at once, as kubelet does after a node
// restart: each gets its own address; then 32 DELs at once leave
// nothing.
func TestConcurrentAdds(t *testing.T) {
	const n = 32
	w := newWorld(t)
	list := w.conflist("1.1.0", w.macvlanConf())
	cs := make([]*container, n)
	for i := range cs {
		cs[i] = w.newContainer()
	}
	addrs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			res, err := w.cni.AddNetworkList(context.Background(), list, c.rt())
			if err == nil {
				addrs[i] = asCurrent(t, res).IPs[0].Address.IP.String()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("ADD %d: %v", i, err)
			continue
		}
		if j, ok := seen[addrs[i]]; ok {
			t.Errorf("ADDs %d and %d both got %s", j, i, addrs[i])
		}
		seen[addrs[i]] = i
		k, err := w.inspect(cs[i], "eth0")
		if err != nil || len(k.addrs) == 0 || k.addrs[0].Addr().String() != addrs[i] {
			t.Errorf("container %d: kernel %+v (%v), want address %s", i, k, err, addrs[i])
		}
	}
	for i, c := range cs {
		wg.Go(func() { errs[i] = w.cni.DelNetworkList(context.Background(), list, c.rt()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("DEL %d: %v", i, err)
		}
		if n := w.linkCount(cs[i]); n != 0 {
			t.Errorf("container %d has %d links after DEL", i, n)
		}
	}
	if rs := w.reservations(); len(rs) != 0 {
		t.Errorf("host-local holds %v", rs)
	}
	if nets := w.networks(); len(nets) != 0 {
		t.Errorf("state records networks %v", nets)
	}
}
