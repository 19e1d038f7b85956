package cnispec

import (
	"fmt"
	"slices"
)

// Error is the spec's error document, printed by a failing plugin.
type Error struct {
	CNIVersion string `json:"cniVersion"`
	Code       uint   `json:"code"`
	Msg        string `json:"msg"`
	Details    string `json:"details,omitempty"`
}

// DecodeError reads a plugin's error document strictly: its version one
// of Versions, a code and a msg.
func DecodeError(b []byte) (*Error, error) {
	var e Error
	if err := strict(b, &e); err != nil {
		return nil, err
	}
	switch {
	case !slices.Contains(Versions, e.CNIVersion):
		return nil, fmt.Errorf("%w: error cniVersion %q must be one of %v", ErrInvalid, e.CNIVersion, Versions)
	case e.Code == 0:
		return nil, fmt.Errorf("%w: error without a code: %s", ErrInvalid, b)
	case e.Msg == "":
		return nil, fmt.Errorf("%w: error without a msg: %s", ErrInvalid, b)
	}
	return &e, nil
}
