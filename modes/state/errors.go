package state

// explained is an error whose message says all there is to say (the
// file, the cause and what to do) and which matches the sentinels and
// errnos in errs with errors.Is.
type explained struct {
	msg  string
	errs []error
}

// Error implements error.
func (e *explained) Error() string { return e.msg }

// Unwrap returns the errors e matches.
func (e *explained) Unwrap() []error { return e.errs }
