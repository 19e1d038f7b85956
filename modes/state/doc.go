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
// By default View and Update wait for the lock as long as it takes.
// Store.SetWait makes them say which process holds it (found in
// /proc/locks) after a second, and give up after a timeout with an error
// matching ErrLockTimeout: a vlanraw stopped with SIGSTOP, or one stuck
// in the kernel, holds the lock until it goes on or dies.
//
// # Intents
//
// A command that changes the kernel (creates a link, say) and records it
// in the store does both inside one Update. If it dies between the two,
// the kernel holds what the store does not know about. So the function
// given to Update first records what it is about to do with
// Store.Intend, in DIR/NAME.intent; Update clears that file once the
// document is saved. The next View or Update that finds an intent there
// (under the lock, so its writer is gone) hands it to the function set with
// Store.SetRecover, which finishes or undoes the work, before doing its
// own.
//
// # Durability
//
// Update writes a temporary file in the same directory, syncs it, renames
// it over the old file and syncs the directory. A reader, locked or not,
// sees either the old document or the new one, never part of one; a crash
// before the rename leaves the old file and the temporary file, which the
// next Update truncates and reuses (one name per file: every writer holds
// the exclusive lock). The intent file is written in place, the
// intent before the header that makes it count, and not synced: it
// protects kernel state, which a reboot clears anyway.
//
// A Store opened with the Volatile option keeps the part of each document
// that a reboot makes moot in a second file named for the kernel's boot
// ID, DIR/NAME.boot-BOOTID.json, replaced the same way but never synced:
// an Update that changes only that part leaves DIR/NAME.json alone and
// waits for no disk. After a power failure that file may be torn, but it
// belongs to a boot that is over, and is neither read nor kept.
//
// # Schemas
//
// Each Store knows one schema number. A file written with a newer schema
// is refused (upgrade vlanraw); one written with an older schema is refused
// too unless the store was opened with a Migrate option. Either way the
// error matches ErrSchema. The first Update that writes a migrated file
// keeps a copy of it as it was, DIR/NAME.json.schemaN.bak for schema N.
// A file that does not parse, or that the function set with
// Store.SetValidate rejects, is reported as corrupt (ErrCorrupt), naming
// it, and is never reset silently.
package state
