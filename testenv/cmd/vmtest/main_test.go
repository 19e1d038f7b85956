package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestForwardedEnv(t *testing.T) {
	got := forwardedEnv([]string{
		"PATH=/usr/bin",
		"HOME=/root",
		"VLANRAW_VMTEST_FAIL=1",
		"VLANRAW_CACHE=/x",
		"VLANRAW_TESTENV=host",
		"VLANRAW_TESTENV_KINDS=veth",
		"GOTRACEBACK=all",
		"GODEBUG=x=1",
		"GOFLAGS=-v",
	})
	want := []string{"VLANRAW_VMTEST_FAIL=1", "VLANRAW_CACHE=/x", "GOTRACEBACK=all", "GODEBUG=x=1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSplitList(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/a", []string{"/a"}},
		{"/a::/b:", []string{"/a", "/b"}},
	} {
		if diff := cmp.Diff(tt.want, splitList(tt.in)); diff != "" {
			t.Errorf("splitList(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTestTimeout(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want time.Duration
		ok   bool
	}{
		{[]string{"-test.paniconexit0", "-test.timeout=10m0s", "-test.v=true"}, 10 * time.Minute, true},
		{[]string{"--test.timeout", "30m"}, 30 * time.Minute, true},
		{[]string{"-test.timeout=0s"}, 0, false},
		{[]string{"-test.v", "test.timeout=5m"}, 0, false},
		{nil, 0, false},
	} {
		got, ok := testTimeout(tt.args)
		if got != tt.want || ok != tt.ok {
			t.Errorf("testTimeout(%q) = %v, %v; want %v, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestProgramTimeout(t *testing.T) {
	for _, tt := range []struct{ watchdog, want time.Duration }{
		{10 * time.Minute, 9*time.Minute + 30*time.Second},
		{time.Minute, 45 * time.Second},
	} {
		if got := programTimeout(tt.watchdog); got != tt.want {
			t.Errorf("programTimeout(%v) = %v, want %v", tt.watchdog, got, tt.want)
		}
	}
}
