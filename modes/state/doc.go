// Package state keeps vlanraw's records (networks, endpoints, the links it
// created) in small JSON files that several vlanraw processes may read and
// change at the same time, as Docker keeps its driver records in
// local-kv.db.
//
// A Store holds one document of a Go type in DIR/NAME.json:
//
//	{
//	  "schema": 1,
//	  "data": { ... }
//	}
//
// # Concurrency
//
// Store.View holds a shared flock(2) on DIR/NAME.lock while it reads;
// Store.Update holds an exclusive one across read, change and write, so
// that read-modify-write cycles of different processes (and goroutines)
// never interleave. The lock file is never removed: removing it would let
// two processes lock two different files. Do not call View or Update from
// inside the function given to another View or Update of the same store:
// the inner call waits for the outer one forever.
//
// # Durability
//
// Update writes a temporary file in the same directory, syncs it, renames
// it over the old file and syncs the directory. A reader, locked or not,
// sees either the old document or the new one, never part of one; a crash
// before the rename leaves the old file and a stray temporary file, which
// the next Update removes.
//
// # Schemas
//
// Each Store knows one schema number. A file written with a newer schema
// is refused (upgrade vlanraw); one written with an older schema is refused
// too unless the store was opened with a Migrate option. Either way the
// error matches ErrSchema. A file that does not parse is reported as
// corrupt, naming it, and is never reset silently.
package state
