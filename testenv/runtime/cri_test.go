package runtime_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	criapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/vlanraw/vlanraw/testenv/cniplugins"
	"github.com/vlanraw/vlanraw/testenv/runtime"
)

// TestCRI drives containerd's CRI as kubelet does: RunPodSandbox gets
// the pod's network from the plugins (a macvlan eth0 with the address
// the CRI reports, in the pod's namespace, and host-local's
// reservation, and vlanraw's record); StopPodSandbox releases it (the
// reservation, the record and the namespace go); RemovePodSandbox
// removes the pod.
func TestCRI(t *testing.T) {
	host := newHost(t)
	plugins := cniplugins.UnderTest(t)
	tool := cniplugins.NewTool(t, plugins) // only for its configuration directory
	dataDir, stateDir := t.TempDir(), t.TempDir()
	const network = "vrcri"
	tool.WriteConf(t, conflist(network, "10.88.8.0/24", dataDir, stateDir))
	cd := runtime.StartContainerd(t, host, plugins, tool.ConfDir)
	rt := cd.Runtime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cfg := &criapi.PodSandboxConfig{
		Metadata:     &criapi.PodSandboxMetadata{Name: "pod", Uid: "vlanraw-cri-test-uid", Namespace: "default"},
		Hostname:     "pod",
		LogDirectory: cd.LogDir(t),
		Linux:        &criapi.LinuxPodSandboxConfig{},
	}
	run, err := rt.RunPodSandbox(ctx, &criapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		t.Fatalf("RunPodSandbox: %v", err)
	}
	id := run.PodSandboxId
	removed := false
	t.Cleanup(func() {
		if !removed {
			rt.StopPodSandbox(context.Background(), &criapi.StopPodSandboxRequest{PodSandboxId: id})
			rt.RemovePodSandbox(context.Background(), &criapi.RemovePodSandboxRequest{PodSandboxId: id})
		}
	})
	st, err := rt.PodSandboxStatus(ctx, &criapi.PodSandboxStatusRequest{PodSandboxId: id, Verbose: true})
	if err != nil {
		t.Fatalf("PodSandboxStatus: %v", err)
	}
	ip := st.GetStatus().GetNetwork().GetIp()
	if ip == "" {
		t.Fatalf("the CRI reports no address for the pod: %+v", st.GetStatus())
	}
	nsPath := podNetNS(t, st.GetInfo()["info"])
	checkEth0(t, nsPath, ip)
	if got := cniplugins.Reserved(t, dataDir, network); !slices.Equal(got, []string{ip}) {
		t.Errorf("host-local holds %v, want the pod's %s", got, ip)
	}
	checkRecorded(t, stateDir, id)

	if _, err := rt.StopPodSandbox(ctx, &criapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
		t.Fatalf("StopPodSandbox: %v", err)
	}
	if got := cniplugins.Reserved(t, dataDir, network); len(got) != 0 {
		t.Errorf("host-local still holds %v after StopPodSandbox", got)
	}
	checkRecorded(t, stateDir)
	checkNoMACVlan(t, host)
	if _, err := os.Stat(nsPath); !os.IsNotExist(err) {
		t.Errorf("the pod's namespace %s is still there after StopPodSandbox (%v)", nsPath, err)
	}
	if _, err := rt.RemovePodSandbox(ctx, &criapi.RemovePodSandboxRequest{PodSandboxId: id}); err != nil {
		t.Fatalf("RemovePodSandbox: %v", err)
	}
	removed = true
}

// podNetNS returns the path of the pod's network namespace from the
// verbose PodSandboxStatus info: the OCI spec's network namespace.
func podNetNS(t *testing.T, info string) string {
	t.Helper()
	var v struct {
		RuntimeSpec struct {
			Linux struct {
				Namespaces []struct{ Type, Path string }
			}
		}
	}
	if err := json.Unmarshal([]byte(info), &v); err != nil {
		t.Fatalf("PodSandboxStatus info: %v: %s", err, info)
	}
	for _, ns := range v.RuntimeSpec.Linux.Namespaces {
		if ns.Type == "network" && ns.Path != "" {
			return ns.Path
		}
	}
	t.Fatalf("no network namespace path in PodSandboxStatus info: %s", info)
	return ""
}
