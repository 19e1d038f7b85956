package bpf

// Count is what one counter saw: frames and their bytes. Bytes are the
// frame's length as on the wire without the FCS, a VLAN tag carried
// beside the frame included.
type Count struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Add returns c plus d.
func (c Count) Add(d Count) Count {
	return Count{Packets: c.Packets + d.Packets, Bytes: c.Bytes + d.Bytes}
}

// Sub returns c minus old; a counter that went backwards (it was reset)
// gives its new value.
func (c Count) Sub(old Count) Count {
	if c.Packets < old.Packets || c.Bytes < old.Bytes {
		return c
	}
	return Count{Packets: c.Packets - old.Packets, Bytes: c.Bytes - old.Bytes}
}

// Counts are the counters of one hook: per class, and per VLAN id for
// ClassVLAN frames.
type Counts struct {
	// Class holds one count per class, indexed by Class.
	Class [NumClasses]Count
	// VLAN holds the VLAN ids that were seen, with their counts; their
	// sum is Class[ClassVLAN].
	VLAN map[uint16]Count
}

// Total returns the sum over every class.
func (c Counts) Total() Count {
	var t Count
	for _, v := range c.Class {
		t = t.Add(v)
	}
	return t
}

// Sub returns what was counted since old, a snapshot of the same hook
// taken earlier. VLAN ids with nothing new are left out.
func (c Counts) Sub(old Counts) Counts {
	var d Counts
	for i := range c.Class {
		d.Class[i] = c.Class[i].Sub(old.Class[i])
	}
	for id, v := range c.VLAN {
		if s := v.Sub(old.VLAN[id]); s != (Count{}) {
			if d.VLAN == nil {
				d.VLAN = make(map[uint16]Count)
			}
			d.VLAN[id] = s
		}
	}
	return d
}
