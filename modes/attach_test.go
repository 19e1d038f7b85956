package modes

import (
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestAttachDetach attaches two namespaces to a CNI configuration's
// implicit network and detaches them: the network is made with the first
// attachment and removed with the last, each link is in its namespace
// with the IPAM plugin's address and gone after its DEL, and every update
// in between, marked as changing only endpoints, changed none of the
// networks (checkEndpointsOnly is on in the package's tests).
func TestAttachDetach(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	e := newEnv(t)
	spec := func(id, ns, addr string) AttachSpec {
		return AttachSpec{Config: "pods", Driver: MACVlan, Options: map[string]string{OptParent: "p0"},
			Ref: AttachmentRef{ContainerID: id, IfName: "eth0"}, NetNS: ns, IPv4: mustPrefix(addr)}
	}
	// A first update sweeps the new state directory (records.Swept), so
	// that the ones below are checked.
	if _, err := e.m.GC(); err != nil {
		t.Fatal(err)
	}
	_, aName, ah := e.target()
	_, bName, bh := e.target()
	if _, err := e.m.Attach(spec("a", aName, "192.168.0.101/24")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Attach(spec("b", bName, "192.168.0.102/24")); err != nil {
		t.Fatal(err)
	}
	eqList(t, "a's addresses", addrs(t, ah, "eth0"), []string{"192.168.0.101/24"})
	eqList(t, "b's addresses", addrs(t, bh, "eth0"), []string{"192.168.0.102/24"})
	nets, err := e.m.Networks()
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != 1 || len(nets[0].Endpoints) != 2 {
		t.Fatalf("networks %+v, want the implicit one with two endpoints", nets)
	}
	name := nets[0].Name
	if _, err := e.m.Detach(name, AttachmentRef{ContainerID: "a", IfName: "eth0"}); err != nil {
		t.Fatal(err)
	}
	eqList(t, "a's links", linkNames(t, ah), []string{"lo"})
	if _, err := e.m.Detach(name, AttachmentRef{ContainerID: "b", IfName: "eth0"}); err != nil {
		t.Fatal(err)
	}
	eqList(t, "b's links", linkNames(t, bh), []string{"lo"})
	if nets, err := e.m.Networks(); err != nil || len(nets) != 0 {
		t.Errorf("networks %+v (%v), want none once the last attachment is gone", nets, err)
	}
}
