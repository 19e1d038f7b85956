package cni

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/modes"
)

// The specification's error codes this plugin returns, besides those
// package skel returns for a bad environment or version.
const (
	// codeUnsupportedField is a configuration key or CNI_ARGS key this
	// plugin does not know.
	codeUnsupportedField = types.ErrUnsupportedField
	// codeInvalidConfig is a bad value in the configuration.
	codeInvalidConfig = types.ErrInvalidNetworkConfig
	// codeNotReady is STATUS's "cannot serve ADD".
	codeNotReady = 50
	// codeConflict is vlanraw's own: a name, parent or address that
	// something else holds.
	codeConflict = 100
	// codeNotFound is vlanraw's own: a network or link that does not
	// exist.
	codeNotFound = 101
	// codeKernel is vlanraw's own: the kernel or the system refused.
	codeKernel = 102
)

// cniError returns err as the specification's error: an error of the
// IPAM plugin as it is, a bad value as codeInvalidConfig, and so on.
func cniError(err error) *types.Error {
	var te *types.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return te
	case errors.Is(err, errdefs.ErrInvalid):
		return types.NewError(codeInvalidConfig, err.Error(), "")
	case errors.Is(err, modes.ErrConflict):
		return types.NewError(codeConflict, err.Error(), "")
	case errors.Is(err, modes.ErrNotFound):
		return types.NewError(codeNotFound, err.Error(), "")
	}
	return types.NewError(codeKernel, err.Error(), "")
}

// errorf returns an error with code.
func errorf(code uint, format string, args ...any) *types.Error {
	return types.NewError(code, fmt.Sprintf(format, args...), "")
}

// printError writes e as the specification's error JSON, with the
// configuration's cniVersion.
func printError(w io.Writer, version string, e *types.Error) {
	out := struct {
		CNIVersion string `json:"cniVersion"`
		Code       uint   `json:"code"`
		Msg        string `json:"msg"`
		Details    string `json:"details,omitempty"`
	}{version, e.Code, e.Msg, e.Details}
	b, _ := json.MarshalIndent(out, "", "    ")
	w.Write(append(b, '\n'))
}
