package modes

// Endpoints live in network namespaces, which do not outlive the
// machine, so their records need not survive a power failure: the state
// package keeps them apart from the networks (state.Volatile), and a
// connect, a disconnect, a CNI ADD or DEL writes only them, without a
// sync.

// endpointRecords are the endpoints of each network, by network ID: the
// volatile part of the records.
type endpointRecords map[string][]Endpoint

// splitRecords returns r without its endpoints, and its endpoints.
func splitRecords(r *records) (*records, *endpointRecords) {
	d := &records{Networks: make([]*Network, len(r.Networks)), Swept: r.Swept}
	eps := endpointRecords{}
	for i, n := range r.Networks {
		if n == nil {
			continue // validate refuses it, with the file's name
		}
		c := *n
		c.Endpoints = nil
		d.Networks[i] = &c
		if len(n.Endpoints) > 0 {
			eps[n.ID] = n.Endpoints
		}
	}
	return d, &eps
}

// joinRecords gives r's networks their endpoints from eps. Endpoints of a
// network r does not have are dropped: a network is removed only after
// its endpoints, and a stop between the saves of the two parts leaves
// them in eps.
func joinRecords(r *records, eps *endpointRecords) {
	for _, n := range r.Networks {
		if n != nil {
			n.Endpoints = (*eps)[n.ID]
		}
	}
}
