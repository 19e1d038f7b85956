// Package netns opens, identifies, enters and names Linux network
// namespaces. It is vlanraw's only home for them: the rtnetlink layers
// (package rtnl and those above it) take an open *NS and never resolve a
// namespace themselves.
//
// # Naming a namespace
//
// Wherever vlanraw takes a network namespace (the CLI's -n, a NETNS
// argument, a --netns option), the word is read by Path, in one of three
// forms:
//
//   - a name, such as blue: the namespace bind-mounted at /run/netns/blue,
//     as `ip netns add` and Add make them;
//   - an absolute path, such as /proc/1234/ns/net or /run/netns/blue;
//   - a process id, such as 1234, all decimal digits: the namespace of
//     that process, /proc/1234/ns/net.
//
// iproute2 takes fewer forms in some places (`ip -n` takes a name only,
// `ip link set ... netns` a name or a process id); vlanraw takes all three
// everywhere. A name made only of digits reads as a process id: give such
// a namespace as /run/netns/NAME. A relative path is refused rather than
// resolved against the working directory, so that a word never means two
// things.
//
// # Identity
//
// A namespace is known by its ID, the device and inode of its nsfs file,
// for as long as it exists: a name can be deleted and made again for
// another namespace, and a process id reused. NS.ID and IDAt give it.
//
// # Doing something inside a namespace
//
// NS.Do runs a function on an OS thread that has entered the namespace,
// and returns the thread to its own namespace afterwards. Sockets made
// there stay in that namespace, whatever thread uses them later. A nil *NS
// stands for the caller's current namespace throughout: Do runs the
// function right away, ID gives the current thread's, Close does nothing.
//
// # Named namespaces
//
// Add, Delete and List manage the names under Dir as iproute2 does, so
// that both tools see the same namespaces.
//
// # Errors
//
// A word of none of the forms above, and a file that is another kind of
// namespace (such as /proc/self/ns/mnt), give errors matching errdefs.ErrInvalid,
// which say which forms are accepted. A namespace that does not exist (no
// such name or process, or a file where nothing is mounted) gives an
// error matching os.ErrNotExist. Errors from the system keep their errno,
// so errors.Is(err, unix.EPERM) works.
package netns
