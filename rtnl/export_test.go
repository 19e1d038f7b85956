package rtnl

// MaxDumpRetries exposes the retry bound of Conn.Dump to the tests.
const MaxDumpRetries = maxDumpRetries
