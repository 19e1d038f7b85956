package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// vlanIDs is the size of the per-VLAN-id array (bpf/counter.c).
const vlanIDs = 4096

// readCounts sums the per-CPU counters of both maps.
func readCounts(classes, vlans *ebpf.Map) (Counts, error) {
	var c Counts
	err := readArray(classes, NumClasses, func(key uint32, v Count) {
		if key < uint32(NumClasses) {
			c.Class[key] = v
		}
	})
	if err != nil {
		return Counts{}, fmt.Errorf("read the class counters: %w", err)
	}
	err = readArray(vlans, vlanIDs, func(key uint32, v Count) {
		if v != (Count{}) && key < vlanIDs {
			if c.VLAN == nil {
				c.VLAN = make(map[uint16]Count)
			}
			c.VLAN[uint16(key)] = v
		}
	})
	if err != nil {
		return Counts{}, fmt.Errorf("read the VLAN counters: %w", err)
	}
	return c, nil
}

// readArray calls fn with the sum over CPUs of every entry of a per-CPU
// array of n counterCount, read in batches (one system call for the
// whole array), or one entry at a time where the kernel has no batch
// lookups.
func readArray(m *ebpf.Map, n int, fn func(key uint32, v Count)) error {
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return err
	}
	keys := make([]uint32, n)
	vals := make([]counterCount, n*ncpu)
	var cursor ebpf.MapBatchCursor
	for done := 0; done < n; {
		got, err := m.BatchLookup(&cursor, keys[done:], vals[done*ncpu:], nil)
		if errors.Is(err, ebpf.ErrNotSupported) && done == 0 {
			return readArrayOneByOne(m, n, ncpu, fn)
		}
		if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
		for i := done; i < done+got; i++ {
			fn(keys[i], sumCPUs(vals[i*ncpu:(i+1)*ncpu]))
		}
		done += got
		if errors.Is(err, ebpf.ErrKeyNotExist) || got == 0 {
			break
		}
	}
	return nil
}

func readArrayOneByOne(m *ebpf.Map, n, ncpu int, fn func(key uint32, v Count)) error {
	vals := make([]counterCount, ncpu)
	for key := uint32(0); key < uint32(n); key++ {
		if err := m.Lookup(key, vals); err != nil {
			return err
		}
		fn(key, sumCPUs(vals))
	}
	return nil
}

func sumCPUs(vs []counterCount) Count {
	var c Count
	for _, v := range vs {
		c.Packets += v.Packets
		c.Bytes += v.Bytes
	}
	return c
}
