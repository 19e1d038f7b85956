// Package jsonio reads and writes JSON one value at a time, for the
// hand-written codecs of vlanraw's state records.
//
// A command of vlanraw, and a CNI ADD or DEL, is a process that decodes
// and encodes the records once. encoding/json builds a codec for each
// type by reflection the first time it meets it, in every process: for
// the records that cost more than the records themselves (about 0.17 ms
// against 8 us for a small state file, measured), and it is paid under
// the state directory's lock. The codecs written with this package cost
// nothing up front and decode a large file several times faster.
//
// The Reader expects the syntactically valid JSON that json.Unmarshal
// hands to an UnmarshalJSON method (it checks the whole input first);
// given anything else it returns an error rather than a wrong value. The
// Writer's output goes through json.Marshal too, which compacts it and
// escapes HTML characters as it does for any value.
package jsonio
