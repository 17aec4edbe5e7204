#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Crafted frames for tests/interop/badinput.sh, written into the kernel side
of the TAP with scapy (Debian's python3-scapy: run with /usr/bin/python3).

    craft.py IFACE DSTMAC DSTIP FWDIP CASE [COUNT]

sends COUNT (default 3) copies of the case's frame(s) from IFACE's own MAC
and address to DSTMAC/DSTIP (nsemu's r1; FWDIP is an address behind it).
Cases that Linux answers wait for the answer and print "REPLY <summary>"
or "NOREPLY"; the others print "SENT <n>". Exit status 0 unless scapy
fails. Each case's frames are what Linux's ip_rcv_core, arp_rcv,
icmp_unreach and ip_defrag reject; the comment on each says which check.
"""
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, ICMP, IP, Ether, Raw, conf, get_if_addr,  # noqa: E402
                       get_if_hwaddr, sendp, srp1)

conf.verb = 0


def ip_bytes(pkt):
    """The IPv4 packet's bytes with scapy's computed length and checksum."""
    return bytearray(bytes(pkt))


def ip_csum(b, ihl=20):
    """Recompute the header checksum of raw IPv4 bytes in place."""
    b[10:12] = b"\0\0"
    s = 0
    for i in range(0, ihl, 2):
        s += (b[i] << 8) | b[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    s = ~s & 0xFFFF
    b[10] = s >> 8
    b[11] = s & 0xFF
    return b


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    iface, dmac, dst, fwd, case = sys.argv[1:6]
    count = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    smac = get_if_hwaddr(iface)
    src = get_if_addr(iface)
    eth = Ether(src=smac, dst=dmac)
    eth_ip = Ether(src=smac, dst=dmac, type=0x0800)  # for raw IPv4 bytes
    echo = IP(src=src, dst=dst) / ICMP(type=8, id=0x4e53, seq=1) / Raw(b"nsemu-interop-" * 4)

    def send(frames):
        for _ in range(count):
            for f in frames:
                sendp(f, iface=iface)
        print("SENT %d" % (count * len(frames)))

    def ask(frame, timeout=2):
        ans = srp1(frame, iface=iface, timeout=timeout)
        print("REPLY " + ans.summary() if ans is not None else "NOREPLY")
        if ans is not None and ICMP in ans:
            print("ICMP type %d code %d from %s" % (ans[ICMP].type, ans[ICMP].code, ans[IP].src))

    if case == "runt":
        # Ethernet header only, then 6 bytes of "IPv4": shorter than an IPv4
        # header (ip_rcv_core: pskb_may_pull(skb, sizeof(struct iphdr))).
        # Shorter than 14 bytes cannot be sent: AF_PACKET refuses frames
        # below the device's min_header_len.
        e = Ether(src=smac, dst=dmac, type=0x0800)
        send([e, e / Raw(b"\x45\0\0\x14\0\0")])
    elif case == "ethertype":
        # No handler for the ethertype (__netif_receive_skb: no ptype,
        # rx_nohandler, SKB_DROP_REASON_UNHANDLED_PROTO).
        send([Ether(src=smac, dst=dmac, type=0x88B5) / Raw(b"\0" * 46)])
    elif case == "ihl":
        # ihl < 5 (ip_rcv_core: iph->ihl < 5 -> inhdr_error).
        b = ip_bytes(echo)
        b[0] = 0x44
        send([eth_ip / Raw(bytes(b))])
    elif case == "totlen_big":
        # tot_len beyond the frame (ip_rcv_core: skb->len < len ->
        # IPSTATS_MIB_INTRUNCATEDPKTS).
        b = ip_bytes(echo)
        n = len(b) + 100
        b[2:4] = bytes([n >> 8, n & 0xFF])
        send([eth_ip / Raw(bytes(ip_csum(b)))])
    elif case == "totlen_small":
        # tot_len below the header length (ip_rcv_core: len < iph->ihl*4).
        b = ip_bytes(echo)
        b[2:4] = b"\0\x10"
        send([eth_ip / Raw(bytes(ip_csum(b)))])
    elif case == "totlen_trim":
        # tot_len shorter than the frame, the rest is trailing bytes: Linux
        # trims to tot_len (pskb_trim_rcsum) and answers the echo.
        # Parsed back from bytes, the junk is scapy's Padding and the packet
        # still matches its answer.
        b = ip_bytes(IP(src=src, dst=dst) / ICMP(type=8, id=0x4e54, seq=7) / Raw(b"trim"))
        ask(eth / IP(bytes(b) + b"\xde\xad\xbe\xef" * 8))
    elif case == "csum":
        # Wrong header checksum (ip_rcv_core: ip_fast_csum -> csum_error).
        b = ip_csum(ip_bytes(echo))
        b[11] ^= 0x5A
        send([eth_ip / Raw(bytes(b))])
    elif case == "ttl0_local":
        # TTL 0 to the router's own address: delivered locally, answered
        # (Linux checks TTL only when forwarding).
        ask(eth / IP(src=src, dst=dst, ttl=0) / ICMP(type=8, id=0x4e55, seq=1) / Raw(b"ttl0"))
    elif case == "ttl0_fwd":
        # TTL 0 to an address behind the router: ip_forward -> time exceeded.
        ask(eth / IP(src=src, dst=fwd, ttl=0) / ICMP(type=8, id=0x4e56, seq=1) / Raw(b"ttl0"))
    elif case == "overlap":
        # Overlapping fragments of one datagram (ip_frag_queue ->
        # inet_frag_queue_insert: IPFRAG_OVERLAP, ReasmOverlaps, the whole
        # queue is discarded with the fragment already held).
        data = bytes(ICMP(type=8, id=0x4e57, seq=1) / Raw(b"o" * 40))
        for i in range(count):
            f1 = IP(src=src, dst=dst, id=0x1111 + i, flags="MF", frag=0, proto=1) / Raw(data[:24])
            f2 = IP(src=src, dst=dst, id=0x1111 + i, flags="MF", frag=2, proto=1) / Raw(data[16:40])
            sendp(eth / f1, iface=iface)
            sendp(eth / f2, iface=iface)
        print("SENT %d" % (2 * count))
    elif case == "overrun":
        # A fragment ending past 65535 (ip_frag_queue: end > 65535 is an
        # oversized datagram; Linux counts it and drops).
        f = IP(src=src, dst=dst, id=0x2222, flags=0, frag=8189, proto=1) / Raw(b"x" * 40)
        send([eth / f])
    elif case == "incomplete":
        # The first fragment of a datagram whose rest never comes: held
        # until ipfrag_time, then ip_expire sends "fragment reassembly time
        # exceeded" (the first fragment arrived) and frees the queue.
        data = bytes(ICMP(type=8, id=0x4e58, seq=1) / Raw(b"i" * 1000))
        frames = []
        for i in range(count):
            frames.append(eth / IP(src=src, dst=dst, id=0x3333 + i, flags="MF", frag=0,
                                   proto=1) / Raw(data[:512]))
        for f in frames:
            sendp(f, iface=iface)
        print("SENT %d" % count)
    elif case == "arp_len":
        # ARP with wrong address lengths (arp_rcv: ar_hln != dev->addr_len
        # || ar_pln != 4) and one cut short (pskb_may_pull(arp_hdr_len)).
        bad_hln = Ether(src=smac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            hwlen=8, op=1, hwsrc=smac, psrc=src, pdst=dst)
        bad_pln = Ether(src=smac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            plen=6, op=1, hwsrc=smac, psrc=src, pdst=dst)
        short = Ether(src=smac, dst="ff:ff:ff:ff:ff:ff", type=0x0806) / Raw(b"\0\x01\x08\0\x06\x04")
        send([bad_hln, bad_pln, short])
    elif case == "icmp_garbage":
        # ICMP errors whose quoted header is garbage: too short for an IPv4
        # header, or ihl < 5 (icmp_unreach -> out_err, IcmpInErrors).
        short = IP(src=src, dst=dst) / ICMP(type=3, code=1) / Raw(b"\x45\0\0")
        badihl = IP(src=src, dst=dst) / ICMP(type=3, code=1) / Raw(b"\x42" + b"\0" * 27)
        send([eth / short, eth / badihl])
    elif case == "otherhost":
        # Unicast to a MAC that is not the device's (eth_type_trans sets
        # PACKET_OTHERHOST, ip_rcv drops it).
        send([Ether(src=smac, dst="02:00:00:00:00:99") / echo])
    elif case == "echo":
        # A plain echo request: the path still works.
        ask(eth / echo)
    else:
        print("craft.py: unknown case %s" % case, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
