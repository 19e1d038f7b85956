//go:build ignore

// counter.c is vlanraw's tc classifier: it sorts every frame that passes a
// tc hook into one class (ARP request, ARP reply, broadcast, IPv4
// multicast, IPv6 multicast, IPv6 neighbour discovery, IPv4 unicast, IPv6
// unicast, VLAN-tagged, other), counts packets and bytes per class, and
// per VLAN id for tagged frames, in per-CPU arrays. It never changes a
// frame's fate: it returns TC_ACT_UNSPEC, which is also TCX_NEXT, so the
// next filter or TCX program decides as if it were not there.
//
// It needs no libbpf and no kernel headers: the few uapi definitions it
// uses are written out below, so that the object's bytes (its BTF
// included) depend on this file and the compiler alone. Build it with
// `make generate` (bpf2go); the Go side is package bpf.

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __always_inline inline __attribute__((always_inline))

// BTF-defined maps, as libbpf and cilium/ebpf read them.
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name

// From uapi linux/bpf.h.
#define BPF_MAP_TYPE_PERCPU_ARRAY 6

// The start of struct __sk_buff (uapi linux/bpf.h), up to data_end: the
// verifier rewrites accesses by offset, so the layout must be the uapi's.
struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
};

// Helpers, by their number in uapi linux/bpf.h.
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;

// TC_ACT_UNSPEC (uapi linux/pkt_cls.h), the same value as TCX_NEXT: carry
// on with the next filter or program.
#define TC_ACT_UNSPEC (-1)

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "counter.c reads network-order fields for a little-endian target only"
#endif
#define be16(x) ((__u16)__builtin_bswap16(x))

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6 0x86DD
#define IPPROTO_ICMPV6 58
#define VLAN_HLEN 4
#define VLAN_VID_MASK 0x0fff
#define VLAN_IDS 4096

// The classes, in the order of package bpf's Class constants.
enum frame_class {
	CLASS_ARP_REQUEST,
	CLASS_ARP_REPLY,
	CLASS_BROADCAST,
	CLASS_IPV4_MULTICAST,
	CLASS_IPV6_MULTICAST,
	CLASS_IPV6_ND,
	CLASS_IPV4_UNICAST,
	CLASS_IPV6_UNICAST,
	CLASS_VLAN,
	CLASS_OTHER,
	NUM_CLASSES,
};

// count is one counter: frames and their bytes.
struct count {
	__u64 packets;
	__u64 bytes;
};

// classes holds one count per class, per CPU.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NUM_CLASSES);
	__type(key, __u32);
	__type(value, struct count);
} classes SEC(".maps");

// vlans holds one count per VLAN id (the low 12 bits of the TCI), per CPU.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VLAN_IDS);
	__type(key, __u32);
	__type(value, struct count);
} vlans SEC(".maps");

// Offsets into an untagged Ethernet frame.
#define ARP_OP_OFF (ETH_HLEN + 6)      // ar_op, after hrd, pro, hln, pln
#define IPV4_DST_OFF (ETH_HLEN + 16)   // daddr
#define IPV6_NEXT_OFF (ETH_HLEN + 6)   // nexthdr
#define IPV6_DST_OFF (ETH_HLEN + 24)   // daddr
#define ICMPV6_TYPE_OFF (ETH_HLEN + 40) // type of an ICMPv6 header right after the IPv6 header

#define ICMPV6_RS 133
#define ICMPV6_NA 136

// have makes sure the first n bytes of the frame are in the linear data
// and reports whether they are. The frame is pulled into the linear
// area only in the rare case where its headers are not there already
// (pulling changes where the bytes live, not the bytes).
static __always_inline int have(struct __sk_buff *skb, void **data, void **end, __u32 n)
{
	if (*data + n <= *end)
		return 1;
	if (skb->len < n)
		return 0;
	if (bpf_skb_pull_data(skb, n) < 0)
		return 0;
	*data = (void *)(long)skb->data;
	*end = (void *)(long)skb->data_end;
	return *data + n <= *end;
}

// classify returns the class of an untagged frame of at least ETH_HLEN
// bytes.
static __always_inline __u32 classify(struct __sk_buff *skb, void **data, void **end, __u16 proto)
{
	__u8 *p;

	if (proto == be16(ETH_P_ARP)) {
		if (!have(skb, data, end, ARP_OP_OFF + 2))
			return CLASS_OTHER;
		p = *data;
		__u16 op = *(__u16 *)(p + ARP_OP_OFF);
		if (op == be16(1))
			return CLASS_ARP_REQUEST;
		if (op == be16(2))
			return CLASS_ARP_REPLY;
		return CLASS_OTHER;
	}

	p = *data;
	if (*(__u32 *)p == 0xffffffff && *(__u16 *)(p + 4) == 0xffff)
		return CLASS_BROADCAST;

	if (proto == be16(ETH_P_IP)) {
		if (!have(skb, data, end, IPV4_DST_OFF + 4))
			return CLASS_OTHER;
		p = *data;
		__u32 dst = *(__u32 *)(p + IPV4_DST_OFF);
		if (dst == 0xffffffff)
			return CLASS_BROADCAST;
		if ((dst & 0xf0) == 0xe0) // 224.0.0.0/4; the first byte is the lowest
			return CLASS_IPV4_MULTICAST;
		return CLASS_IPV4_UNICAST;
	}

	if (proto == be16(ETH_P_IPV6)) {
		if (!have(skb, data, end, IPV6_DST_OFF + 1))
			return CLASS_OTHER;
		p = *data;
		// Read both before have() may move the frame.
		__u8 next = p[IPV6_NEXT_OFF];
		__u8 dst0 = p[IPV6_DST_OFF];
		if (next == IPPROTO_ICMPV6 && have(skb, data, end, ICMPV6_TYPE_OFF + 1)) {
			p = *data;
			__u8 type = p[ICMPV6_TYPE_OFF];
			if (type >= ICMPV6_RS && type <= ICMPV6_NA)
				return CLASS_IPV6_ND;
		}
		if (dst0 == 0xff) // ff00::/8
			return CLASS_IPV6_MULTICAST;
		return CLASS_IPV6_UNICAST;
	}
	return CLASS_OTHER;
}

static __always_inline void add(void *map, __u32 key, __u32 bytes)
{
	struct count *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

SEC("tc")
int count_frames(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u32 bytes = skb->len;
	__u32 vid;

	// A tag the kernel took out of the frame (VLAN offload, or
	// skb_vlan_untag at ingress) lives in the metadata. Count it as on
	// the wire: its 4 bytes are not in skb->len.
	if (skb->vlan_present) {
		vid = skb->vlan_tci & VLAN_VID_MASK;
		bytes += VLAN_HLEN;
		goto vlan;
	}
	if (data + ETH_HLEN > end) {
		if (!have(skb, &data, &end, ETH_HLEN)) {
			add(&classes, CLASS_OTHER, bytes);
			return TC_ACT_UNSPEC;
		}
	}
	__u16 proto = *(__u16 *)(data + 12);
	if (proto == be16(ETH_P_8021Q) || proto == be16(ETH_P_8021AD)) {
		if (!have(skb, &data, &end, ETH_HLEN + 2)) {
			add(&classes, CLASS_OTHER, bytes);
			return TC_ACT_UNSPEC;
		}
		vid = be16(*(__u16 *)(data + ETH_HLEN)) & VLAN_VID_MASK;
		goto vlan;
	}
	add(&classes, classify(skb, &data, &end, proto), bytes);
	return TC_ACT_UNSPEC;

vlan:
	add(&classes, CLASS_VLAN, bytes);
	add(&vlans, vid, bytes);
	return TC_ACT_UNSPEC;
}

char __license[] SEC("license") = "Dual MIT/GPL";
