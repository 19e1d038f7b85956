#!/usr/bin/env bash
# capture-tc.sh regenerates the golden files of rtnl's traffic-control
# wire tests (tc-golden/ and tc-replies/, which name it): it is
# `capture.sh tc`; see capture.sh.
exec "$(dirname "$0")/capture.sh" tc "$@"
