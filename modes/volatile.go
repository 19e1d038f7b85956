package modes

// Endpoints live in network namespaces, which do not outlive the
// machine, so their records need not survive a power failure: the state
// package keeps them apart from the networks (state.Volatile), and a
// connect, a disconnect, a CNI ADD or DEL writes only them, without a
// sync. So are the implicit networks of CNI configurations, which exist
// for their attachments and go with the last one: a CNI runtime adds its
// containers again after a reboot.

// volatileRecords are the volatile part of the records.
type volatileRecords struct {
	// Endpoints are the endpoints of the other networks, by network ID.
	Endpoints map[string][]Endpoint `json:"endpoints,omitempty"`
	// Implicit are the implicit networks of CNI configurations, with
	// their endpoints, in the order they were made.
	Implicit []*Network `json:"implicit,omitempty"`
}

// splitRecords returns r without its volatile part, and that part.
func splitRecords(r *records) (*records, *volatileRecords) {
	d := &records{Networks: make([]*Network, 0, len(r.Networks)), Swept: r.Swept}
	v := &volatileRecords{Endpoints: map[string][]Endpoint{}}
	for _, n := range r.Networks {
		switch {
		case n == nil:
			d.Networks = append(d.Networks, n) // validate refuses it, with the file's name
		case n.CNI != "":
			v.Implicit = append(v.Implicit, n)
		default:
			c := *n
			c.Endpoints = nil
			d.Networks = append(d.Networks, &c)
			if len(n.Endpoints) > 0 {
				v.Endpoints[n.ID] = n.Endpoints
			}
		}
	}
	return d, v
}

// joinRecords gives r's networks their endpoints from v and appends v's
// implicit networks. Endpoints of a network r does not have are dropped:
// a network is removed only after its endpoints, and a stop between the
// saves of the two parts leaves them in v.
func joinRecords(r *records, v *volatileRecords) {
	for _, n := range r.Networks {
		if n != nil {
			n.Endpoints = v.Endpoints[n.ID]
		}
	}
	r.Networks = append(r.Networks, v.Implicit...)
}
