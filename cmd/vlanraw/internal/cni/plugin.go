package cni

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/vlanraw/vlanraw/modes"
)

// Env is the environment variable whose presence makes vlanraw a CNI
// plugin.
const Env = "CNI_COMMAND"

// versions are the specification versions this plugin supports.
var versions = version.PluginSupports("0.3.1", "0.4.0", "1.0.0", "1.1.0")

// invocation is one run of the plugin: the environment's parameters and
// the configuration.
type invocation struct {
	Command     string
	ContainerID string
	Netns       string
	IfName      string
	Args        string
	Path        string
	StdinData   []byte
}

// commands are the verbs with what each needs: its function, the
// environment variables it requires, and the oldest configuration
// version that has it.
var commands = map[string]struct {
	run      func(*plugin, *invocation) error
	required []string
	since    string
}{
	"ADD":    {(*plugin).add, []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}, "0.1.0"},
	"DEL":    {(*plugin).del, []string{"CNI_CONTAINERID", "CNI_IFNAME"}, "0.1.0"},
	"CHECK":  {(*plugin).check, []string{"CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"}, "0.4.0"},
	"STATUS": {(*plugin).status, nil, "1.1.0"},
	"GC":     {(*plugin).gc, nil, "1.1.0"},
}

// Main runs the CNI command CNI_COMMAND names on the configuration on
// stdin, prints its result (or the plugin's versions, for VERSION) or
// the specification's error JSON on stdout, and returns the exit status:
// 0, or 1 on an error. ctx stops a command at its next step, which then
// rolls back.
func Main(ctx context.Context, stdin io.Reader, stdout io.Writer) int {
	p := &plugin{ctx: ctx, stdout: stdout, version: version.Current()}
	if err := p.run(stdin); err != nil {
		printError(stdout, p.version, err)
		return 1
	}
	return 0
}

// run reads the environment and the configuration, checks the version
// and runs the command.
func (p *plugin) run(stdin io.Reader) *types.Error {
	in := &invocation{
		Command:     os.Getenv("CNI_COMMAND"),
		ContainerID: os.Getenv("CNI_CONTAINERID"),
		Netns:       os.Getenv("CNI_NETNS"),
		IfName:      os.Getenv("CNI_IFNAME"),
		Args:        os.Getenv("CNI_ARGS"),
		Path:        os.Getenv("CNI_PATH"),
	}
	if in.Command == "VERSION" {
		if err := versions.Encode(p.stdout); err != nil {
			return errorf(types.ErrIOFailure, "write the versions: %v", err)
		}
		return nil
	}
	cmd, ok := commands[in.Command]
	if !ok {
		return errorf(types.ErrInvalidEnvironmentVariables, "unknown CNI_COMMAND %q: vlanraw does ADD, DEL, CHECK, STATUS, GC and VERSION", in.Command)
	}
	var missing []string
	for _, k := range cmd.required {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return errorf(types.ErrInvalidEnvironmentVariables, "required environment variables missing for %s: %s", in.Command, strings.Join(missing, ", "))
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return errorf(types.ErrIOFailure, "read the configuration from stdin: %v", err)
	}
	in.StdinData = data
	v, err := configVersion(data)
	if err != nil {
		return errorf(types.ErrDecodingFailure, "the network configuration does not parse: %v", err)
	}
	if verr := (&version.Reconciler{}).Check(v, versions); verr != nil {
		return types.NewError(types.ErrIncompatibleCNIVersion, fmt.Sprintf("incompatible CNI versions: cniVersion %s is not one of %s", v, strings.Join(versions.SupportedVersions(), ", ")), verr.Details())
	}
	p.version = v
	if ok, _ := version.GreaterThanOrEqualTo(v, cmd.since); !ok {
		return errorf(types.ErrIncompatibleCNIVersion, "cniVersion %s has no %s: it came with %s", v, in.Command, cmd.since)
	}
	return cniError(cmd.run(p, in))
}

// plugin runs the commands.
type plugin struct {
	ctx    context.Context
	stdout io.Writer
	// version is the configuration's cniVersion, once read.
	version string
}

// manager opens the state directory c names.
func (p *plugin) manager(c *config) (*modes.Manager, error) {
	m, err := modes.NewManager(c.stateDir())
	if err != nil {
		return nil, err
	}
	m.SetContext(p.ctx)
	return m, nil
}

// load parses the configuration and CNI_ARGS of a command.
func (p *plugin) load(in *invocation) (*config, *args, error) {
	c, err := parseConfig(in.StdinData)
	if err != nil {
		return nil, nil, err
	}
	if c.Name == "" {
		return nil, nil, errorf(codeInvalidConfig, "the network configuration has no name")
	}
	if !modes.ValidNetworkName(c.Name) {
		return nil, nil, types.NewError(types.ErrInvalidNetworkConfig, "invalid characters found in network name", c.Name)
	}
	a, err := parseArgs(in.Args)
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// ref returns the attachment a command is about.
func ref(in *invocation) modes.AttachmentRef {
	return modes.AttachmentRef{ContainerID: in.ContainerID, IfName: in.IfName}
}
