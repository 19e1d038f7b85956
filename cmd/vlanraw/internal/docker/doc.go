// Package docker is vlanraw's Docker grammar: the network object
// (create, ls, inspect, rm) and connect and disconnect, which take the
// words of "docker network ...", for plain network namespaces; and the
// commands that work on the same records: restore, routes, gc and
// verify. Each opens the state directory through modes (manager.go),
// with the parents in the host namespace given with -n.
package docker
