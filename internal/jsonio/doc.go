// Package jsonio reads and writes JSON one value at a time, for vlanraw's
// hand-written codecs: the state records, their file's envelope, the
// intent, and the CNI plugin's configurations and results.
//
// A command of vlanraw, and a CNI ADD or DEL, is a process that decodes
// and encodes a few documents once. encoding/json builds a codec for each
// type by reflection the first time it meets it, in every process: for
// the records that cost more than the records themselves (about 0.17 ms
// against 8 us for a small state file, measured), and it is paid under
// the state directory's lock. The codecs written with this package cost
// nothing up front and decode a large file several times faster.
//
// The Reader expects syntactically valid JSON (json.Unmarshal checks it
// before it calls an UnmarshalJSON method; the other callers check it
// with json.Valid, which needs no reflection); given anything else it
// returns an error rather than a wrong value. The Writer writes what
// json.Marshal writes for the same values, HTML's characters escaped, so
// that its output needs no pass through encoding/json; Indent indents it
// as json.Indent does.
package jsonio
