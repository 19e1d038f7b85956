package links

import (
	"errors"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

// TestCheckKernel checks which settings are refused on which kernel
// release, without a kernel.
func TestCheckKernel(t *testing.T) {
	q, cut := uint32(100), int32(3)
	bridge := rtnl.MACVlanModeBridge
	for _, tt := range []struct {
		name, release string
		data          rtnetlink.LinkDriver
		wantSince     string // "" for no refusal
	}{
		{"bcqueuelen on 5.10", "5.10.0-43-cloud-amd64", &rtnl.MACVlan{BCQueueLen: &q}, "5.11"},
		{"bcqueuelen on 5.11", "5.11.0", &rtnl.MACVlan{BCQueueLen: &q}, ""},
		{"macvtap bcqueuelen on 5.10", "5.10.0-43-cloud-amd64", &rtnl.MACVtap{MACVlan: rtnl.MACVlan{BCQueueLen: &q}}, "5.11"},
		{"bclim on 6.1", "6.1.0-57-cloud-amd64", &rtnl.MACVlan{BCCutoff: &cut}, "6.4"},
		{"bclim and bcqueuelen on 5.10", "5.10.0-43-cloud-amd64", &rtnl.MACVlan{BCQueueLen: &q, BCCutoff: &cut}, "5.11"},
		{"bclim on 6.12", "6.12.117+deb12-cloud-amd64", &rtnl.MACVlan{BCCutoff: &cut}, ""},
		{"bclim on 7.3", "7.3.4+deb13-cloud-amd64", &rtnl.MACVlan{BCCutoff: &cut}, ""},
		{"bclim on 10.0", "10.0.1", &rtnl.MACVlan{BCCutoff: &cut}, ""},
		{"unparsable release", "unknown", &rtnl.MACVlan{BCCutoff: &cut}, ""},
		{"mode alone on 5.10", "5.10.0-43-cloud-amd64", &rtnl.MACVlan{Mode: &bridge}, ""},
		{"ipvlan on 5.10", "5.10.0-43-cloud-amd64", &rtnl.IPVlan{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := kernelRelease
			defer func() { kernelRelease = old }()
			kernelRelease = func() string { return tt.release }
			err := checkKernel(tt.data)
			var ke *KernelError
			switch {
			case tt.wantSince == "" && err != nil:
				t.Errorf("checkKernel: %v; want nil", err)
			case tt.wantSince != "" && (!errors.As(err, &ke) || ke.Since != tt.wantSince || ke.Release != tt.release || !errors.Is(err, errdefs.ErrNotSupported)):
				t.Errorf("checkKernel: %v; want a *KernelError for Linux %s on %s", err, tt.wantSince, tt.release)
			}
		})
	}
}
