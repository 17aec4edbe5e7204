#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A lossy wire for tcp_sack.sh: relays Ethernet frames between nsemu's TAP
# (an AF_PACKET socket on it: what nsemu writes arrives as received, what
# we send is transmitted to nsemu) and a second TAP this script opens
# (its file descriptor: what we write the kernel receives, what the
# kernel sends we read). TCP segments that carry data are dropped with
# probability PERCENT/100 in both directions (a seeded generator, so a
# run is repeatable), and with probability REORDER/100 one is held back
# until the next frame of its direction has gone (or 5 ms passed);
# everything else passes. Prints the counts on exit.
# Usage: lossy_relay.py NSEMU_TAP KERNEL_TAP PERCENT SEED [REORDER]
import fcntl
import os
import random
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003


def tcp_payload(frame):
    """Bytes of TCP payload in an Ethernet/IPv4 frame, 0 for anything else."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return 0
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    if len(frame) < 14 + ihl + 13:
        return 0
    doff = (frame[14 + ihl + 12] >> 4) * 4
    return max(0, total - ihl - doff)


def main():
    nsemu_tap, kernel_tap, percent, seed = sys.argv[1:5]
    p = float(percent) / 100.0
    reorder = float(sys.argv[5]) / 100.0 if len(sys.argv) > 5 else 0.0
    rnd = random.Random(int(seed))
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    pk.bind((nsemu_tap, 0))
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", kernel_tap.encode(), IFF_TAP | IFF_NO_PI))
    count = {"to_kernel": 0, "to_nsemu": 0, "dropped_to_kernel": 0, "dropped_to_nsemu": 0,
             "reordered": 0}
    out = {"to_kernel": lambda f: os.write(fd, f), "to_nsemu": pk.send}
    held = {"to_kernel": None, "to_nsemu": None}

    def report(*_):
        print(" ".join(f"{k}={v}" for k, v in count.items()), flush=True)
        sys.exit(0)

    def forward(way, frame):
        if tcp_payload(frame):
            if rnd.random() < p:
                count["dropped_" + way] += 1
                return
            if held[way] is None and rnd.random() < reorder:
                held[way] = frame
                count["reordered"] += 1
                return
        out[way](frame)
        count[way] += 1
        if held[way] is not None:
            out[way](held[way])
            count[way] += 1
            held[way] = None

    def flush():
        for way in held:
            if held[way] is not None:
                out[way](held[way])
                count[way] += 1
                held[way] = None

    signal.signal(signal.SIGTERM, report)
    print("relay ready", flush=True)
    while True:
        ready, _, _ = select.select([pk, fd], [], [], 0.005)
        if not ready:
            flush()
        if pk in ready:
            frame, addr = pk.recvfrom(65536)
            if addr[2] != socket.PACKET_OUTGOING:
                forward("to_kernel", frame)
        if fd in ready:
            forward("to_nsemu", os.read(fd, 65536))


if __name__ == "__main__":
    main()
