package cni

import (
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
)

// args are the CNI_ARGS this plugin reads.
type args struct {
	// MAC is the macvlan link's address, as the reference macvlan
	// plugin takes it.
	MAC string
}

// knownArgs are the CNI_ARGS keys this plugin accepts without
// IgnoreUnknown: its own and those Kubernetes' runtimes pass.
var knownArgs = []string{"IgnoreUnknown", "MAC", "K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID"}

// parseArgs parses CNI_ARGS, "KEY=VALUE;KEY=VALUE": an unknown key is an
// error unless IgnoreUnknown is 1 or true.
func parseArgs(s string) (*args, error) {
	a := &args{}
	if s == "" {
		return a, nil
	}
	kv := map[string]string{}
	for _, pair := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, errorf(types.ErrInvalidEnvironmentVariables, "CNI_ARGS: %q is not KEY=VALUE", pair)
		}
		kv[k] = v
	}
	ignore := strings.EqualFold(kv["IgnoreUnknown"], "true") || kv["IgnoreUnknown"] == "1"
	for k, v := range kv {
		switch {
		case k == "MAC":
			a.MAC = v
		case !ignore && !slices.Contains(knownArgs, k):
			return nil, errorf(codeUnsupportedField, "CNI_ARGS: unknown key %s: vlanraw takes MAC (and IgnoreUnknown=1 to ignore others)", k)
		}
	}
	return a, nil
}
