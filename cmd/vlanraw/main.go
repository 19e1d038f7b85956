// Command vlanraw creates ipvlan, macvlan and vlan links and networks over
// raw rtnetlink, on hosts without iproute2 or Docker.
//
// Usage:
//
//	vlanraw [-n NETNS] [-j] [-d] [-p] [--state-dir DIR] OBJECT COMMAND [ARGS...]
//
// The link, addr, route, neigh and netns objects take iproute2's words,
// so that `ip link ...` commands can be pasted after `vlanraw`. The
// network, connect and disconnect objects take Docker's, as `docker
// network create -d ipvlan ...` does, for plain network namespaces; routes
// prints or applies what an upstream router needs for an ipvlan l3
// network, and restore recreates what the state directory records. See
// `vlanraw help` and `vlanraw help OBJECT`.
//
// When CNI_COMMAND is set, vlanraw is a CNI plugin, under any file name
// (vlanraw, or ipvlan and macvlan in place of the reference plugins):
// see package cmd/vlanraw/internal/cni.
//
// Exit status: 0 on success, 1 when the kernel (or the system) refused,
// 2 for a mistake in the command line or an invalid value.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cni"
	_ "github.com/vlanraw/vlanraw/cmd/vlanraw/internal/oneproc" // first: see its doc
	"github.com/vlanraw/vlanraw/modes"
)

// A signal stops the command: SIGINT, SIGTERM and SIGHUP end the operation
// in progress at its next step, which then rolls back as a failure does,
// and the command exits with 128 plus the signal's number. The CNI plugin
// catches none (see package cni).
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// signalError is the cause of a command stopped by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// testStopEnv names the environment variable that stops vlanraw at a
// step of its operations, for the tests that kill it there: STEP, or
// STEP:N for the Nth time the step is reached (see modes.SetStepHook).
// Stopped, it prints "vlanraw: test stop at STEP" on stderr and waits
// until a signal stops the command, or for ever.
const testStopEnv = "VLANRAW_TEST_STOP"

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	if v := os.Getenv(testStopEnv); v != "" {
		setTestStop(ctx, v)
	}
	if os.Getenv(cni.Env) != "" {
		// A CNI runtime runs vlanraw, under any name, as a plugin. It
		// catches no signal (see package cni).
		os.Exit(cni.Main(ctx, os.Stdin, os.Stdout))
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, stopSignals...)
	go func() {
		s := <-sigs
		cancel(signalError{s.(syscall.Signal)})
	}()
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	// A command that failed after a signal was stopped by it, and rolled
	// back; one that succeeded finished before the signal could stop it
	// (or, as stats show --watch, stops on a signal by design).
	var se signalError
	if cause := context.Cause(ctx); code != cli.ExitOK && cause != nil && errorsAs(cause, &se) {
		code = 128 + int(se.sig)
	}
	os.Exit(code)
}

// setTestStop makes vlanraw stop at the step spec names (see testStopEnv).
func setTestStop(ctx context.Context, spec string) {
	step, nth, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nth)
	if err != nil || n < 1 {
		n = 1
	}
	var seen atomic.Int64
	modes.SetStepHook(func(s string) error {
		if s != step {
			return nil
		}
		if seen.Add(1) == int64(n) {
			fmt.Fprintf(os.Stderr, "vlanraw: test stop at %s\n", s)
			<-ctx.Done()
		}
		return nil
	})
}

func errorsAs(err error, se *signalError) bool {
	s, ok := err.(signalError)
	if ok {
		*se = s
	}
	return ok
}
