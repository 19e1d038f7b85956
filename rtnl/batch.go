package rtnl

// batchSize is how many requests a Pipeline puts in one sendmsg. The
// kernel answers each with its own acknowledgement, which must all fit in
// the socket's receive buffer.
const batchSize = 64

// NewLinks creates links by sending their RTM_NEWLINK requests in a
// Pipeline, which saves most of the per-request system call cost. It
// returns one error per message, nil for those the kernel created; the
// kernel goes on with the rest when one fails. The second result reports
// a failure of the connection itself, after which the state of
// unacknowledged requests is unknown.
func (c *Conn) NewLinks(ms []*LinkMessage) ([]error, error) {
	reqs := make([]Request, len(ms))
	for i, m := range ms {
		reqs[i] = newLinkRequest(m)
	}
	errs, err := c.Pipeline(reqs)
	for i, e := range errs {
		if e != nil {
			errs[i] = kindError(ms[i], e)
		}
	}
	return errs, err
}

// SetLinks changes existing links as SetLink does, with the requests in
// a Pipeline as in NewLinks.
func (c *Conn) SetLinks(ms []*LinkMessage) ([]error, error) {
	reqs := make([]Request, len(ms))
	for i, m := range ms {
		reqs[i] = SetLinkRequest(m)
	}
	return c.Pipeline(reqs)
}
