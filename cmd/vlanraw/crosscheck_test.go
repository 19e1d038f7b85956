package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/testenv"
)

// These tests create each link twice in a throwaway namespace, once with
// `vlanraw link add` and once with the same words given to `ip link add`,
// each on its own veth parent (ipvlan modes, macvlan passthru and the
// broadcast queue belong to the parent), and compare what the kernel
// reports for the two, as `ip -j -d link show` prints it. Then they check
// that `vlanraw link show -j -d` of the link iproute2 made prints the
// same values as iproute2 does.

// crossCase is one set of kind options.
type crossCase struct {
	// opts are the words after `type KIND`.
	opts string
	// want are info_data keys the kernel must report, as JSON.
	want string
	// absent are info_data keys it must not report.
	absent []string
}

// coreKeys must be in `vlanraw link show -j -d` output whenever iproute2
// prints them.
var coreKeys = []string{"ifindex", "ifname", "link", "flags", "mtu", "operstate", "group", "txqlen", "link_type", "address", "broadcast", "linkinfo"}

// crossCheck creates a KIND link with opts with both tools and compares
// them. It returns the namespace, where vlanraw's link is "vr0" on "a0"
// and iproute2's is "ip0" on "b0".
func crossCheck(t *testing.T, kind string, c crossCase) string {
	t.Helper()
	ipPath(t)
	ns := newNetNS(t)
	addVeth(t, ns, "a0")
	addVeth(t, ns, "b0")
	kc, stripped := forKernel(t, c)
	if stripped {
		refusedLine(t, ns, "link add link a0 name vr0 type "+kind+" "+c.opts, "bcqueuelen", "5.11")
	}
	c = kc
	vrLine(t, ns, "link add link a0 name vr0 type "+kind+" "+c.opts)
	ip(t, ns, "link add link b0 name ip0 type "+kind+" "+c.opts)
	compareLinks(t, ns, kind, c)
	return ns
}

// bcqWords are the words that set a macvlan's broadcast queue length.
var bcqWords = regexp.MustCompile(`\s*\b(?:bcqueuelen|bcq)\s+\d+`)

// forKernel adapts a macvlan case to a kernel before Linux 5.11, which
// has no broadcast queue length (IFLA_MACVLAN_BC_QUEUE_LEN): the words
// that set it go, since vlanraw refuses them (which the caller checks
// when stripped is true), and the kernel must report no queue length.
// On newer kernels c is returned as it is.
func forKernel(t *testing.T, c crossCase) (kc crossCase, stripped bool) {
	t.Helper()
	if testenv.KernelAtLeast("5.11") {
		return c, false
	}
	kc = crossCase{opts: strings.TrimSpace(bcqWords.ReplaceAllString(c.opts, "")), absent: append(c.absent[:len(c.absent):len(c.absent)], "bcqueuelen", "usedbcqueuelen")}
	if c.want != "" {
		var want map[string]any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatalf("bad want %s: %v", c.want, err)
		}
		delete(want, "bcqueuelen")
		delete(want, "usedbcqueuelen")
		b, _ := json.Marshal(want)
		kc.want = string(b)
	}
	return kc, kc.opts != c.opts
}

// refusedLine runs vlanraw with line in ns and checks that it fails
// because the kernel lacks setting, naming the Linux version that has
// it, and that no link was left behind.
func refusedLine(t *testing.T, ns, line, setting, since string) {
	t.Helper()
	code, _, stderr := runCLI(append([]string{"-n", ns}, strings.Fields(line)...)...)
	if code != exitRuntime || !strings.Contains(stderr, setting) || !strings.Contains(stderr, "Linux "+since) ||
		!strings.Contains(stderr, testenv.KernelRelease()) {
		t.Errorf("kernel %s: vlanraw %s: exit %d, %q; want exit %d naming %s, the kernel and Linux %s",
			testenv.KernelRelease(), line, code, stderr, exitRuntime, setting, since)
		return
	}
	t.Logf("kernel %s: vlanraw %s: refused: %s", testenv.KernelRelease(), line, strings.TrimSpace(stderr))
}

// compareLinks compares vr0 and ip0 in ns; see crossCheck.
func compareLinks(t *testing.T, ns, kind string, c crossCase) {
	t.Helper()
	vrLink, ipLink := ipLinkJSON(t, ns, "vr0"), ipLinkJSON(t, ns, "ip0")
	for _, l := range []map[string]any{vrLink, ipLink} {
		if got := l["linkinfo"].(map[string]any)["info_kind"]; got != kind {
			t.Errorf("%v: info_kind %v, want %s", l["ifname"], got, kind)
		}
	}
	vrData, ipData := infoData(t, vrLink), infoData(t, ipLink)
	if diff := cmp.Diff(ipData, vrData); diff != "" {
		t.Errorf("info_data of the link vlanraw made differs from iproute2's (-ip +vlanraw):\n%s", diff)
	}
	checkWant(t, ipData, c)
	checkShow(t, ns, "ip0", ipLink)
	checkDetailsText(t, ns, kind, "ip0")
	checkPlain(t, ns, "ip0")
}

// checkPlain checks that without -d, vlanraw prints exactly what
// iproute2 prints, as JSON and as text.
func checkPlain(t *testing.T, ns, name string) {
	t.Helper()
	theirs := decodeOne(t, "ip -j link show "+name, ip(t, ns, "-j link show dev "+name))
	mine := decodeOne(t, "vlanraw link show -j "+name, vr(t, ns, "link", "show", "-j", "dev", name))
	if diff := cmp.Diff(theirs, mine); diff != "" {
		t.Errorf("vlanraw link show -j %s differs from ip -j link show (-ip +vlanraw):\n%s", name, diff)
	}
	if diff := cmp.Diff(ip(t, ns, "link show dev "+name), vr(t, ns, "link", "show", "dev", name)); diff != "" {
		t.Errorf("vlanraw link show %s differs from ip link show (-ip +vlanraw):\n%s", name, diff)
	}
}

// checkWant checks the kernel's report against what the options ask for.
func checkWant(t *testing.T, data map[string]any, c crossCase) {
	t.Helper()
	if c.want != "" {
		var want map[string]any
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatalf("bad want %s: %v", c.want, err)
		}
		for k, v := range want {
			if !cmp.Equal(data[k], v) {
				t.Errorf("kernel reports %s = %s, want %s (info_data %s)", k, compactJSON(data[k]), compactJSON(v), compactJSON(data))
			}
		}
	}
	for _, k := range c.absent {
		if v, ok := data[k]; ok {
			t.Errorf("kernel reports %s = %s, want no %s", k, compactJSON(v), k)
		}
	}
}

// checkShow checks `vlanraw link show -j -d` of a link against ipLink,
// iproute2's JSON for it: every key vlanraw prints must have iproute2's
// value, the core keys must be there, and info_data must be identical.
func checkShow(t *testing.T, ns, name string, ipLink map[string]any) {
	t.Helper()
	checkShowOf(t, vrLinkJSON(t, ns, name), ipLink)
}

// checkShowOf compares vlanraw's JSON for one link with iproute2's; see
// checkShow.
func checkShowOf(t *testing.T, vrLink, ipLink map[string]any) {
	t.Helper()
	for k, v := range vrLink {
		iv, ok := ipLink[k]
		switch {
		case !ok:
			t.Errorf("vlanraw link show -j prints %q = %s; iproute2 prints no such key", k, compactJSON(v))
		case k == "linkinfo":
			vli, ili := v.(map[string]any), iv.(map[string]any)
			for lk, lv := range vli {
				if lk != "info_data" && !cmp.Equal(lv, ili[lk]) {
					t.Errorf("linkinfo.%s: vlanraw %s, iproute2 %s", lk, compactJSON(lv), compactJSON(ili[lk]))
				}
			}
			if diff := cmp.Diff(ili["info_data"], vli["info_data"]); diff != "" {
				t.Errorf("linkinfo.info_data: vlanraw link show -j differs from iproute2 (-ip +vlanraw):\n%s", diff)
			}
		case !cmp.Equal(v, iv):
			t.Errorf("%s: vlanraw link show -j prints %s, iproute2 %s", k, compactJSON(v), compactJSON(iv))
		}
	}
	for _, k := range coreKeys {
		if _, ok := ipLink[k]; !ok {
			continue // such as link and linkinfo for loopback
		}
		if _, ok := vrLink[k]; !ok {
			t.Errorf("vlanraw link show -j does not print %q (iproute2: %s)", k, compactJSON(ipLink[k]))
		}
	}
}

// checkDetailsText checks that the kind line of `vlanraw link show -d` is
// the start of iproute2's, which goes on with more attributes.
func checkDetailsText(t *testing.T, ns, kind, name string) {
	t.Helper()
	mine := kindLine(vr(t, ns, "-d", "link", "show", "dev", name), kind)
	theirs := kindLine(ip(t, ns, "-d link show dev "+name), kind)
	if i := strings.Index(mine, "numtxqueues "); i >= 0 {
		mine = mine[:i]
	}
	if mine == "" || !strings.HasPrefix(theirs, mine) {
		t.Errorf("vlanraw -d prints the kind line\n%q\nwhich does not start iproute2's\n%q", mine, theirs)
	}
}

// both runs the same link words with vlanraw on vr0 and iproute2 on ip0:
// line holds "DEV" where the link name goes.
func both(t *testing.T, ns, line string) {
	t.Helper()
	vrLine(t, ns, strings.ReplaceAll(line, "DEV", "vr0"))
	ip(t, ns, strings.ReplaceAll(line, "DEV", "ip0"))
}

var macvlanCases = []crossCase{
	{opts: "", want: `{"mode":"vepa","bcqueuelen":1000,"usedbcqueuelen":1000}`, absent: []string{"nopromisc", "nodst", "macaddr_count"}},
	{opts: "mode private", want: `{"mode":"private"}`},
	{opts: "mode vepa", want: `{"mode":"vepa"}`},
	{opts: "mode bridge", want: `{"mode":"bridge"}`, absent: []string{"nopromisc", "nodst"}},
	{opts: "mode bridge flag null", want: `{"mode":"bridge"}`, absent: []string{"nopromisc", "nodst"}},
	{opts: "mode passthru", want: `{"mode":"passthru"}`, absent: []string{"nopromisc"}},
	{opts: "mode passthru nopromisc", want: `{"mode":"passthru","nopromisc":true}`},
	{opts: "mode passthru flag nopromisc", want: `{"mode":"passthru","nopromisc":true}`},
	{opts: "mode source", want: `{"mode":"source","macaddr_count":0}`, absent: []string{"nodst", "macaddr_data"}},
	{opts: "mode source nodst", want: `{"mode":"source","nodst":true}`},
	{opts: "mode source flag nodst", want: `{"mode":"source","nodst":true}`},
	{opts: "mode source macaddr add 02:00:00:00:00:01", want: `{"macaddr_count":1,"macaddr_data":["02:00:00:00:00:01"]}`},
	{opts: "mode source macaddr set 02:00:00:00:00:01 02:00:00:00:00:02 02:00:00:00:00:03", want: `{"macaddr_count":3}`},
	{opts: "mode source nodst macaddr set 02:00:00:00:00:0a bcqueuelen 50", want: `{"nodst":true,"macaddr_count":1,"bcqueuelen":50}`},
	{opts: "mode source macaddr set", want: `{"macaddr_count":0}`},
	{opts: "mode bridge bcqueuelen 2000", want: `{"bcqueuelen":2000,"usedbcqueuelen":2000}`},
	{opts: "mode vepa bcqueuelen 0", want: `{"bcqueuelen":0}`},
	{opts: "m private bcq 7", want: `{"mode":"private","bcqueuelen":7}`},
}

// TestCrossCheckMACVlan compares every macvlan and macvtap mode and flag,
// source lists and bcqueuelen with iproute2.
func TestCrossCheckMACVlan(t *testing.T) {
	for _, kind := range []string{"macvlan", "macvtap"} {
		for _, c := range macvlanCases {
			t.Run(kind+"/"+c.opts, func(t *testing.T) {
				testenv.RequireKind(t, kind)
				crossCheck(t, kind, c)
			})
		}
	}
}

// sortedMACs returns the source list a link reports, sorted.
func sortedMACs(t *testing.T, data map[string]any) []string {
	t.Helper()
	var macs []string
	if list, ok := data["macaddr_data"].([]any); ok {
		for _, m := range list {
			macs = append(macs, m.(string))
		}
	}
	sort.Strings(macs)
	return macs
}

// TestCrossCheckMACVlanSet edits source lists, modes, flags and the
// broadcast queue of existing links with `link set`, with both tools.
func TestCrossCheckMACVlanSet(t *testing.T) {
	const a, b, c, d = "02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:0c", "02:00:00:00:00:0d"
	for _, kind := range []string{"macvlan", "macvtap"} {
		t.Run(kind+"/source-list", func(t *testing.T) {
			testenv.RequireKind(t, kind)
			ns := crossCheck(t, kind, crossCase{opts: "mode source macaddr set " + a + " " + b})
			for _, step := range []struct {
				words string
				want  []string
			}{
				{"macaddr add " + c, []string{a, b, c}},
				{"macaddr del " + a, []string{b, c}},
				{"macaddr set " + d + " " + a, []string{a, d}},
				{"macaddr set " + d, []string{d}},
				{"macaddr flush", nil},
				{"macaddr add " + b, []string{b}},
				{"macaddr set", nil},
			} {
				both(t, ns, "link set dev DEV type "+kind+" "+step.words)
				compareLinks(t, ns, kind, crossCase{want: fmt.Sprintf(`{"macaddr_count":%d}`, len(step.want))})
				for _, name := range []string{"vr0", "ip0"} {
					got := sortedMACs(t, infoData(t, ipLinkJSON(t, ns, name)))
					if diff := cmp.Diff(step.want, got); diff != "" {
						t.Errorf("after %q, %s's source list (-want +got):\n%s", step.words, name, diff)
					}
				}
			}
		})
		t.Run(kind+"/mode-flags-queue", func(t *testing.T) {
			testenv.RequireKind(t, kind)
			ns := crossCheck(t, kind, crossCase{opts: "mode bridge"})
			for _, step := range []crossCase{
				{opts: "mode vepa", want: `{"mode":"vepa"}`},
				{opts: "mode private bcqueuelen 3000", want: `{"mode":"private","bcqueuelen":3000,"usedbcqueuelen":3000}`},
				{opts: "mode source nodst", want: `{"mode":"source","nodst":true}`},
				{opts: "flag null", want: `{"mode":"source"}`, absent: []string{"nodst"}},
				{opts: "nodst macaddr add " + a, want: `{"nodst":true,"macaddr_count":1}`},
				{opts: "mode bridge bcqueuelen 10", want: `{"mode":"bridge","bcqueuelen":10,"usedbcqueuelen":10}`},
			} {
				kstep, stripped := forKernel(t, step)
				if stripped {
					refusedLine(t, ns, "link set dev vr0 type "+kind+" "+step.opts, "bcqueuelen", "5.11")
				}
				step = kstep
				both(t, ns, "link set dev DEV type "+kind+" "+step.opts)
				compareLinks(t, ns, kind, step)
			}
		})
	}
}

// TestBCLim sets bclim (IFLA_MACVLAN_BC_CUTOFF, Linux 6.4) with vlanraw
// and reads it back with vlanraw. iproute2 6.1, Debian 12's, cannot set
// or print it, so it is not the reference here; the test logs what ip
// and the kernel do with it. On a kernel before 6.4, which would ignore
// the attribute, vlanraw refuses bclim, naming the version.
func TestBCLim(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	ns := newNetNS(t)
	addVeth(t, ns, "a0")
	out, err := ipRun(t, "-n", ns, "link", "add", "link", "a0", "name", "ip0", "type", "macvlan", "mode", "bridge", "bclim", "5")
	if err != nil {
		t.Logf("this iproute2 rejects bclim: %v: %s", err, strings.TrimSpace(out))
	} else {
		t.Logf("this iproute2 accepts bclim")
		ip(t, ns, "link del dev ip0")
	}
	if !testenv.KernelAtLeast("6.4") {
		refusedLine(t, ns, "link add link a0 name vr0 type macvlan mode bridge bclim 5", "bclim", "6.4")
		vrLine(t, ns, "link add link a0 name vr0 type macvlan mode bridge")
		refusedLine(t, ns, "link set dev vr0 type macvlan bclim 0", "bclim", "6.4")
		if _, ok := infoData(t, vrLinkJSON(t, ns, "vr0"))["bclim"]; ok {
			t.Errorf("kernel %s (before 6.4) reports a bclim", testenv.KernelRelease())
		}
		return
	}
	for _, step := range []struct {
		line string
		want int
	}{
		{"link add link a0 name vr0 type macvlan mode bridge bclim 5", 5},
		{"link set dev vr0 type macvlan bclim -1", -1},
		{"link set dev vr0 type macvlan bclim 0", 0},
		{"link set dev vr0 type macvlan bclim 1", 1},
	} {
		vrLine(t, ns, step.line)
		data := infoData(t, vrLinkJSON(t, ns, "vr0"))
		got, ok := data["bclim"]
		switch {
		case ok && got != float64(step.want):
			t.Errorf("after %q the kernel reports bclim %v, want %d", step.line, got, step.want)
		case ok:
			t.Logf("kernel %s: after %q, bclim %v", testenv.KernelRelease(), step.line, got)
		case step.want == 1:
			// The kernel leaves out the default cutoff, 1.
			t.Logf("kernel %s: after %q, no bclim reported (the default, 1)", testenv.KernelRelease(), step.line)
		default:
			t.Errorf("kernel %s (6.4 or newer) reports no bclim after %q; want %d", testenv.KernelRelease(), step.line, step.want)
		}
	}
	// A single-link RTM_GETLINK, which `link set` does first, must work
	// with a cutoff other than 1 (kernels whose macvlan_get_size lacks
	// room for it fail it with EMSGSIZE).
	vrLine(t, ns, "link set dev vr0 type macvlan bclim 3")
	code, _, stderr := runCLI("-n", ns, "link", "set", "dev", "vr0", "mtu", "1400")
	if code != exitOK {
		t.Errorf("kernel %s: changing a macvlan with bclim 3 failed: %s", testenv.KernelRelease(), stderr)
	}
}

// TestBCLimLinkPresent is the command-level regression test of macvlan's
// get_size, which lacked room for IFLA_MACVLAN_BC_CUTOFF from Linux 6.4
// until upstream fa92a77b0ed4 (see links' TestKernelMACVlanBCCutoffReplies
// for what each kernel does): with a macvlan whose bclim is not 1 on the
// parent of a network, every command that reads links (link show, one
// link and all, with details and JSON; network ls and inspect; connect,
// whose new endpoint shares the parent's cutoff; gc) must work. Before
// 6.4 vlanraw refuses bclim, and the same commands run without it.
func TestBCLimLinkPresent(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d macvlan --subnet 10.97.0.0/24 -o parent=p0 net")
	a, _ := w.endpoint()
	w.connect("net", a)
	add := "link add link p0 name mv9 type macvlan mode bridge bclim 4"
	if testenv.KernelAtLeast("6.4") {
		w.vr(add)
		if got := infoData(t, vrLinkJSON(t, w.host, "mv9"))["bclim"]; got != float64(4) {
			t.Fatalf("kernel %s: bclim of mv9 is %v, want 4", testenv.KernelRelease(), got)
		}
	} else {
		refusedLine(t, w.host, add, "bclim", "6.4")
		w.vr(strings.TrimSuffix(add, " bclim 4"))
	}
	for _, line := range []string{
		"link show", "link show dev mv9", "-d link show", "-d link show dev mv9", "-j -d link show",
		"link show type macvlan", "network ls", "network inspect net",
	} {
		t.Run(line, func(t *testing.T) {
			code, _, stderr := runCLI(w.args(strings.Fields(line)...)...)
			if code != exitOK {
				t.Errorf("kernel %s: vlanraw %s with a macvlan with bclim 4 present: exit %d: %s", testenv.KernelRelease(), line, code, stderr)
			}
		})
	}
	b, _ := w.endpoint()
	w.connect("net", b)
	w.vr("gc")
	if out := w.vr("network inspect net"); !strings.Contains(out, a) || !strings.Contains(out, b) {
		t.Errorf("network inspect after connect and gc lacks an endpoint:\n%s", out)
	}
}

var ipvlanCases = []crossCase{
	{opts: "", want: `{"mode":"l3","bridge":true}`},
	{opts: "mode l2", want: `{"mode":"l2","bridge":true}`},
	{opts: "mode l3", want: `{"mode":"l3","bridge":true}`},
	{opts: "mode l3s", want: `{"mode":"l3s","bridge":true}`},
	{opts: "mode l2 bridge", want: `{"mode":"l2","bridge":true}`},
	{opts: "mode l2 private", want: `{"mode":"l2","private":true}`, absent: []string{"bridge", "vepa"}},
	{opts: "mode l2 vepa", want: `{"mode":"l2","vepa":true}`, absent: []string{"bridge", "private"}},
	{opts: "mode l3 private", want: `{"mode":"l3","private":true}`},
	{opts: "mode l3s vepa", want: `{"mode":"l3s","vepa":true}`},
	{opts: "private", want: `{"private":true}`},
	{opts: "vepa", want: `{"vepa":true}`},
	{opts: "bridge", want: `{"bridge":true}`},
	{opts: "m l2 p", want: `{"mode":"l2","private":true}`},
}

// TestCrossCheckIPVlan compares every ipvlan and ipvtap mode and flag with
// iproute2. The host kernel has no ipvlan: this runs in the QEMU harness.
func TestCrossCheckIPVlan(t *testing.T) {
	testenv.RequireKind(t, "ipvlan")
	for _, kind := range []string{"ipvlan", "ipvtap"} {
		for _, c := range ipvlanCases {
			t.Run(kind+"/"+c.opts, func(t *testing.T) {
				testenv.RequireKind(t, kind)
				crossCheck(t, kind, c)
			})
		}
		t.Run(kind+"/set", func(t *testing.T) {
			testenv.RequireKind(t, kind)
			ns := crossCheck(t, kind, crossCase{opts: "mode l2"})
			for _, step := range []crossCase{
				{opts: "mode l3 vepa", want: `{"mode":"l3","vepa":true}`},
				{opts: "private", want: `{"mode":"l3","private":true}`},
				{opts: "mode l3s", want: `{"mode":"l3s","bridge":true}`},
			} {
				kstep, stripped := forKernel(t, step)
				if stripped {
					refusedLine(t, ns, "link set dev vr0 type "+kind+" "+step.opts, "bcqueuelen", "5.11")
				}
				step = kstep
				both(t, ns, "link set dev DEV type "+kind+" "+step.opts)
				compareLinks(t, ns, kind, step)
			}
		})
	}
}

var vlanCases = []crossCase{
	{opts: "id 100", want: `{"protocol":"802.1Q","id":100,"flags":["REORDER_HDR"]}`, absent: []string{"ingress_qos", "egress_qos"}},
	{opts: "id 0", want: `{"id":0}`},
	{opts: "id 4094", want: `{"id":4094}`},
	{opts: "id 100 protocol 802.1ad", want: `{"protocol":"802.1ad"}`},
	{opts: "id 100 protocol 802.1Q", want: `{"protocol":"802.1Q"}`},
	{opts: "id 100 reorder_hdr off", absent: []string{"flags"}},
	{opts: "id 100 reorder_hdr on", want: `{"flags":["REORDER_HDR"]}`},
	{opts: "id 100 gvrp on", want: `{"flags":["REORDER_HDR","GVRP"]}`},
	{opts: "id 100 mvrp on", want: `{"flags":["REORDER_HDR","MVRP"]}`},
	{opts: "id 100 loose_binding on", want: `{"flags":["REORDER_HDR","LOOSE_BINDING"]}`},
	{opts: "id 100 bridge_binding on", want: `{"flags":["REORDER_HDR","BRIDGE_BINDING"]}`},
	{opts: "id 100 gvrp off mvrp off loose_binding off bridge_binding off", want: `{"flags":["REORDER_HDR"]}`},
	{opts: "id 100 reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding on", want: `{"flags":["GVRP","MVRP","LOOSE_BINDING","BRIDGE_BINDING"]}`},
	{opts: "id 100 ingress-qos-map 0:1 1:2 7:7", want: `{"ingress_qos":[{"from":0,"to":1},{"from":1,"to":2},{"from":7,"to":7}]}`},
	{opts: "id 100 egress-qos-map 1:2", want: `{"egress_qos":[{"from":1,"to":2}]}`},
	{opts: "id 100 egress-qos-map 1:2 3:4 ingress-qos-map 2:3"},
	{opts: "i 7 p 802.1ad r off", want: `{"id":7,"protocol":"802.1ad"}`, absent: []string{"flags"}},
}

// TestCrossCheckVLAN compares every vlan option with iproute2. The host
// kernel has no 802.1Q support: this runs in the QEMU harness.
func TestCrossCheckVLAN(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	for _, c := range vlanCases {
		t.Run(c.opts, func(t *testing.T) {
			testenv.RequireKind(t, "vlan")
			crossCheck(t, "vlan", c)
		})
	}
}

// TestShowAllMatchesIP lists a namespace holding loopback, veths (one
// with its peer in another namespace), macvlans up and down and a
// macvtap, and checks every link of `vlanraw link show -j [-d]` against
// iproute2's.
func TestShowAllMatchesIP(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	ipPath(t)
	ns, other := newNetNS(t), newNetNS(t)
	addVeth(t, ns, "p0")
	vrLine(t, ns, "link add x0 mtu 1400 txqueuelen 7 group 9 type veth peer name x1 netns "+other)
	vrLine(t, ns, "link add link p0 name mv0 address 02:00:00:00:00:aa type macvlan mode bridge")
	vrLine(t, ns, "link add link x0 name mv1 type macvtap mode private")
	vrLine(t, ns, "link set dev lo up")
	for _, details := range []string{"", "-d"} {
		ipOut := ip(t, ns, "-j "+details+" link show")
		vrArgs := []string{"link", "show", "-j"}
		if details != "" {
			vrArgs = append(vrArgs, details)
		}
		vrOut := vr(t, ns, vrArgs...)
		var ipLinks, vrLinks []map[string]any
		if err := json.Unmarshal([]byte(ipOut), &ipLinks); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(vrOut), &vrLinks); err != nil {
			t.Fatal(err)
		}
		if len(ipLinks) != len(vrLinks) {
			t.Fatalf("ip lists %d links, vlanraw %d", len(ipLinks), len(vrLinks))
		}
		for i, il := range ipLinks {
			vl := vrLinks[i]
			if vl["ifindex"] != il["ifindex"] {
				t.Fatalf("link %d: vlanraw shows ifindex %v, ip %v", i, vl["ifindex"], il["ifindex"])
			}
			if details == "" {
				if diff := cmp.Diff(il, vl); diff != "" {
					t.Errorf("%v: vlanraw link show -j differs from ip (-ip +vlanraw):\n%s", il["ifname"], diff)
				}
				continue
			}
			checkShowOf(t, vl, il)
		}
	}
	for _, want := range []struct{ link, key, val string }{
		{"x0", "link_netnsid", "0"}, {"x0", "group", `"9"`}, {"x0", "txqlen", "7"}, {"x0", "mtu", "1400"},
		{"mv0", "address", `"02:00:00:00:00:aa"`}, {"mv1", "link", `"x0"`},
	} {
		got := compactJSON(vrLinkJSON(t, ns, want.link)[want.key])
		if got != want.val {
			t.Errorf("%s: %s = %s, want %s", want.link, want.key, got, want.val)
		}
	}
}
