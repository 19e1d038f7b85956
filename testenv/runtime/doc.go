// Package runtime starts the container engines that attach networks
// through CNI, for tests of a CNI plugin with the clients its users run:
// podman with its CNI backend (containers run from a local root file
// system, no image pull) and containerd with its CRI plugin (a pause
// image built here and imported, driven through the CRI API as kubelet
// drives it). Each runs with private state, configuration and sockets
// under the test's directories, from a thread inside a namespace the
// test chooses, so that the engine and every plugin it runs see that
// namespace as the host's.
//
// The engines are Debian's packages (podman 4.3, containerd 1.6, runc,
// busybox-static), installed by testenv/deps.sh runtimes.
package runtime
