package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/testenv"
)

// readmeFile is the README, from this package's directory. make vmtest
// adds it to the QEMU guest (VLANRAW_VMTEST_EXTRA), with bash and jq.
const readmeFile = "../../README.md"

// readmeBlock is what the README test needs to know of one ```sh block
// of the README, by its first command: what it needs, what it runs
// first, or why it does not run here.
type readmeBlock struct {
	// kinds are the link kinds its commands create.
	kinds []string
	// tools are the programs its commands run, besides vlanraw.
	tools []string
	// fixture are commands run first, in the same sandbox: what the
	// README takes as given (a parent eth0, a router).
	fixture []string
	// hostOnly, when not empty, says why the block runs on the host
	// only, not in the QEMU guest.
	hostOnly string
	// excluded, when not empty, says why the test does not run the
	// block, and where its commands run instead.
	excluded string
}

// readmeBlocks are the README's ```sh blocks, by their first command.
// TestREADME fails on a block that is not here.
var readmeBlocks = map[string]readmeBlock{
	"make demo": {excluded: "make test is what CI runs (.ci/run); make demo acts out seed 000 with " +
		"cmd/vlanraw-demo, whose network TestSeed000IPVlanNet builds and probes (make vmtest)"},
	"vlanraw netns add blue": {kinds: []string{"veth", "macvlan"}, tools: []string{"jq"}},
	"vlanraw network create -d ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 -o parent=eth0 -o ipvlan_mode=l3 ipvlan_net": {
		kinds: []string{"veth", "ipvlan", "dummy"},
		// The parent eth0 and, on its far side, the router: r0 in
		// namespace router, on the LAN 192.168.0.0/24.
		fixture: []string{
			"vlanraw netns add router",
			"vlanraw link add eth0 up type veth peer name r0 netns router up",
			"vlanraw addr add 192.168.0.50/24 dev eth0",
			"vlanraw -n router addr add 192.168.0.1/24 dev r0",
		},
	},
	"vlanraw network create -d macvlan --subnet 10.10.0.0/24 --gateway 10.10.0.1 -o parent=eth0 macnet": {
		kinds:   []string{"veth", "macvlan"},
		tools:   []string{"jq", "ln"},
		fixture: []string{"vlanraw link add eth0 up type veth peer name e1 up"},
	},
	"vlanraw bgp run --asn 65001 --peer 192.168.0.1 --peer-asn 65000 &": {
		excluded: "it needs a router: TestBGPSeed000BIRD runs the same speaker against BIRD in QEMU " +
			"(make vmtest), checks the router's table and bgp status, and pings through the router",
	},
	"install -m755 bin/vlanraw /usr/local/bin/": {
		tools:    []string{"install", "systemctl"},
		hostOnly: "it installs two files and enables a systemd unit, nothing a kernel does, and the QEMU guest has no systemctl",
	},
}

// readmeCheck is what TestREADME asserts of a README command besides its
// exit status (0 unless code says otherwise): text its standard output
// holds, and text that a command run after it in the same sandbox (check)
// prints: what the kernel or the file system then holds.
type readmeCheck struct {
	code     int
	out      []string
	check    string
	checkOut []string
}

// readmeChecks are the README's commands whose output or effect the
// README describes, by the command as written.
var readmeChecks = map[string]readmeCheck{
	"vlanraw netns add blue": {check: "vlanraw netns ls", checkOut: []string{"blue"}},
	"vlanraw -n blue link add link p0 name mv0 type macvlan mode source nodst macaddr set 02:00:00:00:00:01 02:00:00:00:00:02": {
		check: "ip -n blue -d link show dev mv0", checkOut: []string{"macvlan mode source nodst", "remotes (2)"}},
	"vlanraw -n blue -d link show type macvlan": {out: []string{"mv0@p0:", "macvlan mode source nodst", "remotes (2) 02:00:00:00:00:02 02:00:00:00:00:01"}},
	"vlanraw help link":                         {out: []string{"Usage: vlanraw [OPTIONS] link add"}},
	"vlanraw -n blue stats attach p0 both && vlanraw -n blue stats show p0   # eBPF frame counters (--watch, -j)": {
		out: []string{"p0 ingress: attached", "p0 egress: attached", "p0 ingress (", "p0 egress (", "ipv4-unicast"}},
	"vlanraw -n blue stats detach p0 both": {out: []string{"p0 ingress: detached", "p0 egress: detached"},
		check: "vlanraw -n blue stats show p0", checkOut: []string{"no counters attached to p0 ingress or egress"}},
	"vlanraw netns add webapp && vlanraw connect --ip 192.168.10.10 ipvlan_net webapp": {
		check: "vlanraw -n webapp addr show dev eth0", checkOut: []string{"inet 192.168.10.10/24"}},
	"vlanraw routes ipvlan_net                          # what the upstream router needs, as ip commands (-j for JSON)": {
		out: []string{"ip route add 192.168.10.0/24 via 192.168.0.50\n", "ip route add 192.168.20.0/24 via 192.168.0.50\n"}},
	"vlanraw routes ipvlan_net --apply --netns router   # or apply them to a namespace (a peer on an endpoint's own subnet too, Red Hat's way)": {
		check: "ip -n router route show", checkOut: []string{"192.168.10.0/24 via 192.168.0.50 dev r0", "192.168.20.0/24 via 192.168.0.50 dev r0"}},
	"vlanraw network create -d ipvlan --subnet 192.168.214.0/24 --subnet 10.1.214.0/24 -o ipvlan_mode=l3 ipnet210": {
		check: "vlanraw -d link show type dummy", checkOut: []string{"dummy"}},
	"vlanraw network inspect ipvlan_net": {out: []string{`"Name": "ipvlan_net"`, `"IPv4Address": "192.168.10.10/24"`}},
	"vlanraw verify ipvlan_net --wire-netns router --wire-dev r0   # probe it: expected against observed, exit 1 on a mismatch": {
		out: []string{"network ipvlan_net, parent eth0, far side router/r0", "rows checked match"}},
	"vlanraw verify ipvlan_net --expect l2                        # a negative control: L2's table on an L3 network must fail": {
		code: exitRuntime, out: []string{"MISMATCH"}},
	"vlanraw network cni-config macnet > /etc/cni/net.d/10-macnet.conflist": {
		check: "jq -r .plugins[0].network /etc/cni/net.d/10-macnet.conflist", checkOut: []string{"macnet"}},
	"jq -c '{cniVersion, name} + .plugins[0]' /etc/cni/net.d/10-macnet.conflist | CNI_COMMAND=ADD CNI_CONTAINERID=pod1 CNI_NETNS=/run/netns/pod1 CNI_IFNAME=eth0 vlanraw": {
		out:   []string{`"address": "10.10.0.2/24"`, `"gateway": "10.10.0.1"`, `"sandbox": "/run/netns/pod1"`},
		check: "vlanraw -n pod1 route show", checkOut: []string{"default via 10.10.0.1 dev eth0", "10.10.0.0/24 dev eth0"}},
	"jq -c '{cniVersion, name} + .plugins[0]' /etc/cni/net.d/10-macnet.conflist | CNI_COMMAND=DEL CNI_CONTAINERID=pod1 CNI_NETNS=/run/netns/pod1 CNI_IFNAME=eth0 vlanraw": {
		check: "vlanraw network inspect macnet", checkOut: []string{`"Containers": {}`}},
	"systemctl enable vlanraw-restore.service": {
		check: "readlink /etc/systemd/system/multi-user.target.wants/vlanraw-restore.service", checkOut: []string{"/etc/systemd/system/vlanraw-restore.service"}},
}

// readmeSandboxArg, as the first argument, makes the test binary mount a
// tmpfs on each directory given before "--" and a BPF file system on
// /sys/fs/bpf, then execute the command after "--". runREADMEBlock
// starts it in new mount and network namespaces, so that what the
// README's commands make (named namespaces in /run/netns, links, eBPF
// pins, installed files) is the sandbox's alone and goes with it.
const readmeSandboxArg = "-vlanraw-test-readme-sandbox"

// readmeSandbox is what the test binary does as readmeSandboxArg; it
// does not return.
func readmeSandbox(args []string) {
	i := slices.Index(args, "--")
	if i < 0 || i == len(args)-1 {
		fmt.Fprintln(os.Stderr, "readme sandbox: want DIR... -- COMMAND")
		os.Exit(3)
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "readme sandbox:", err)
		os.Exit(3)
	}
	for _, dir := range args[:i] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fail(err)
		}
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755"); err != nil {
			fail(fmt.Errorf("mount tmpfs on %s: %w", dir, err))
		}
	}
	if err := unix.Mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"); err != nil {
		fail(fmt.Errorf("mount bpffs on /sys/fs/bpf: %w", err))
	}
	cmd := args[i+1:]
	path, err := exec.LookPath(cmd[0])
	if err != nil {
		fail(err)
	}
	fail(syscall.Exec(path, cmd, os.Environ()))
}

// readmeSandboxDirs are the directories the README's commands write
// (besides the state directory, which VLANRAW_STATE_DIR moves): each
// gets an empty tmpfs in the sandbox.
var readmeSandboxDirs = []string{"/run/netns", "/usr/local/bin", "/etc/systemd/system", "/etc/cni/net.d", "/opt/cni/bin"}

// readmeSh is one ```sh block of the README: the line it starts on, and
// its commands (its lines but blank ones and comments).
type readmeSh struct {
	line int
	cmds []string
}

// readmeCommands returns the ```sh blocks of the README.
func readmeCommands(t *testing.T) []readmeSh {
	t.Helper()
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatalf("%v (make vmtest adds README.md to the QEMU guest)", err)
	}
	var blocks []readmeSh
	var cur *readmeSh
	for i, line := range strings.Split(string(b), "\n") {
		switch trimmed := strings.TrimSpace(line); {
		case cur == nil && trimmed == "```sh":
			cur = &readmeSh{line: i + 1}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			cur.cmds = append(cur.cmds, strings.TrimRight(line, " "))
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: the ```sh block is not closed", readmeFile, cur.line)
	}
	return blocks
}

// key returns the block's key in readmeBlocks: its first command without
// a trailing comment.
func (sh readmeSh) key() string {
	if len(sh.cmds) == 0 {
		return ""
	}
	key, _, _ := strings.Cut(sh.cmds[0], "#")
	return strings.TrimSpace(key)
}

// TestREADME runs every command of the README's ```sh blocks as written,
// each block with bash in a sandbox of its own (new mount and network
// namespaces, tmpfs on readmeSandboxDirs, a state directory by
// VLANRAW_STATE_DIR, the vlanraw under test first in PATH), in a working
// directory holding bin/vlanraw and dist/ as the repository does; a
// subtest per block, named by its line. Every command must exit 0 (or
// what readmeChecks says), and print or leave what readmeChecks says. A
// block that needs ipvlan or dummy skips on a kernel without them (the
// host's) and runs in QEMU (make vmtest).
func TestREADME(t *testing.T) {
	testenv.RequireRoot(t)
	seen := map[string]bool{}
	for _, sh := range readmeCommands(t) {
		key := sh.key()
		blk, ok := readmeBlocks[key]
		if !ok {
			t.Errorf("%s:%d: block %q is not in readmeBlocks: say what it needs, or why it does not run", readmeFile, sh.line, key)
			continue
		}
		seen[key] = true
		for _, c := range sh.cmds {
			seen[c] = true
		}
		where := fmt.Sprintf("README.md:%d", sh.line)
		switch {
		case blk.excluded != "":
			t.Logf("%s (%s): not run here: %s", where, key, blk.excluded)
			continue
		case blk.hostOnly != "" && os.Getenv("VLANRAW_TESTENV") == "vm":
			t.Logf("%s (%s): runs on the host only: %s", where, key, blk.hostOnly)
			continue
		}
		t.Run(where, func(t *testing.T) { runREADMEBlock(t, blk, sh.cmds) })
	}
	for key := range readmeBlocks {
		if !seen[key] {
			t.Errorf("readmeBlocks has %q, which no README block starts with", key)
		}
	}
	for c := range readmeChecks {
		if !seen[c] {
			t.Errorf("readmeChecks has %q, which is no README command", c)
		}
	}
}

// runREADMEBlock runs the commands of one block as TestREADME says.
func runREADMEBlock(t *testing.T, blk readmeBlock, cmds []string) {
	for _, k := range blk.kinds {
		testenv.RequireKind(t, k)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the README's commands are bash's: %v (make vmtest adds bash to the QEMU guest)", err)
	}
	for _, tool := range blk.tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README's commands run %s: %v (make deps installs it; make vmtest adds it to the QEMU guest)", tool, err)
		}
	}
	exe, env := vlanrawExe(t)
	tmp := t.TempDir()
	pathDir := filepath.Join(tmp, "path")
	work := filepath.Join(tmp, "work")
	out := filepath.Join(tmp, "out")
	for _, d := range []string{pathDir, filepath.Join(work, "bin"), out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, link := range []string{filepath.Join(pathDir, "vlanraw"), filepath.Join(work, "bin", "vlanraw")} {
		if err := os.Symlink(exe, link); err != nil {
			t.Fatal(err)
		}
	}
	dist, err := filepath.Abs("../../dist")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dist, filepath.Join(work, "dist")); err != nil {
		t.Fatal(err)
	}

	// The script runs the fixture, then each command in braces (so that
	// a trailing comment stays a comment) with its output and status in
	// files of out, then its check, and stops after a command that did
	// not end as expected.
	var s strings.Builder
	fmt.Fprintf(&s, "set -o pipefail\ncd %q\n", work)
	for _, f := range blk.fixture {
		fmt.Fprintf(&s, "%s || { echo 'fixture %s failed' >&2; exit 97; }\n", f, f)
	}
	for i, c := range cmds {
		ck := readmeChecks[c]
		fmt.Fprintf(&s, "{\n%s\n} </dev/null >%s/%d.out 2>%s/%d.err\nrc=$?\necho $rc >%s/%d.rc\n", c, out, i, out, i, out, i)
		if ck.check != "" {
			fmt.Fprintf(&s, "%s >%s/%d.check 2>&1\n", ck.check, out, i)
		}
		fmt.Fprintf(&s, "[ $rc = %d ] || exit 0\n", ck.code)
	}
	sandbox, _ := os.Executable()
	args := append([]string{readmeSandboxArg}, readmeSandboxDirs...)
	cmd := exec.Command(sandbox, append(args, "--", bash, "-c", s.String())...)
	cmd.Env = append(slices.Clone(env),
		"PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"VLANRAW_STATE_DIR="+filepath.Join(tmp, "state"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the sandbox: %v\n%s", err, b)
	}

	read := func(i int, ext string) string {
		b, _ := os.ReadFile(filepath.Join(out, strconv.Itoa(i)+ext))
		return string(b)
	}
	for i, c := range cmds {
		rc := strings.TrimSpace(read(i, ".rc"))
		if rc == "" {
			t.Errorf("%s: not run, after a command that failed", c)
			continue
		}
		ck := readmeChecks[c]
		stdout, stderr := read(i, ".out"), read(i, ".err")
		if rc != strconv.Itoa(ck.code) {
			t.Errorf("%s: exit %s, want %d\nstdout:\n%s\nstderr:\n%s", c, rc, ck.code, stdout, stderr)
			continue
		}
		for _, w := range ck.out {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: its output has no %q:\n%s", c, w, stdout)
			}
		}
		for _, w := range ck.checkOut {
			if got := read(i, ".check"); !strings.Contains(got, w) {
				t.Errorf("%s: then %s has no %q:\n%s", c, ck.check, w, got)
			}
		}
		if strings.Contains(c, "| jq") {
			checkInfoData(t, c, stdout)
		}
	}
}

// checkInfoData checks what the README's jq line prints: the macvlan's
// IFLA_INFO_DATA, as iproute2's JSON names it, not null.
func checkInfoData(t *testing.T, cmd, stdout string) {
	t.Helper()
	var got struct {
		Mode  string   `json:"mode"`
		NoDst bool     `json:"nodst"`
		Count int      `json:"macaddr_count"`
		Data  []string `json:"macaddr_data"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Mode == "" {
		t.Errorf("%s: printed %q (%v); want the link's info_data", cmd, stdout, err)
		return
	}
	slices.Sort(got.Data)
	if got.Mode != "source" || !got.NoDst || got.Count != 2 || !slices.Equal(got.Data, []string{"02:00:00:00:00:01", "02:00:00:00:00:02"}) {
		t.Errorf("%s: printed %+v; want mode source, nodst, and the two addresses", cmd, got)
	}
}
