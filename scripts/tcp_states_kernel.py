#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the Linux kernel answers to the segments of test_tcp_states' rows
where RFC 9293 and RFC 5961 leave room (the oracle its expectations were
checked against; not part of make test).

Two kernel namespaces joined by a veth pair: "kst_a" (10.9.0.1) runs a
kernel listener on port 80, "kst_b" has no address and plays the peer
10.9.0.2 through an AF_PACKET socket, crafting every segment itself.
Each case opens a fresh connection from its own source port (so no rate
limit carries over), takes the kernel's socket to a state, sends one
segment, and prints what came back, the state ss shows afterwards and
the counters that moved (nstat).

Needs root, iproute2 and nstat. Usage: sudo scripts/tcp_states_kernel.py
"""
import ctypes
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

A, B = "kst_a", "kst_b"
A_IP, B_IP = "10.9.0.1", "10.9.0.2"
PORT = 80


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def setns(fd):
    if _libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns")


def sh(cmd, check=True):
    return subprocess.run(cmd, shell=True, check=check, capture_output=True, text=True).stdout


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def flag_names(f):
    return "|".join(n for b, n in ((SYN, "SYN"), (RST, "RST"), (FIN, "FIN"), (ACK, "ACK"))
                    if f & b) or "none"


class Peer:
    """The fake peer in kst_b: raw frames on kb."""

    def __init__(self, a_mac, b_mac):
        self.a_mac, self.b_mac = a_mac, b_mac
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        self.s.bind(("kb", 0))

    def send(self, sport, seq, ack, flags, data=b"", win=65535):
        tcp = struct.pack("!HHIIBBHHH", sport, PORT, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                          flags, win, 0, 0) + data
        pseudo = socket.inet_aton(B_IP) + socket.inet_aton(A_IP) + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                         socket.inet_aton(B_IP), socket.inet_aton(A_IP))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        self.s.send(self.a_mac + self.b_mac + b"\x08\x00" + ip + tcp)

    def recv(self, sport, timeout=0.3):
        """Segments from 10.9.0.1:80 to @sport within @timeout: (flags, seq, ack)."""
        out, end = [], time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return out
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return out
            f = self.s.recv(2048)
            ip = f[14:]
            if len(ip) < 40 or ip[9] != 6:
                continue
            ihl = (ip[0] & 15) * 4
            sp, dp, seq, ack, _, flags = struct.unpack("!HHIIBB", ip[ihl:ihl + 14])
            if sp == PORT and dp == sport:
                out.append((flags, seq, ack))


def nstat():
    out = sh("ip netns exec %s nstat -az" % A)
    v = {}
    for line in out.splitlines()[1:]:
        p = line.split()
        if len(p) >= 2 and p[1].isdigit():
            v[p[0]] = int(p[1])
    return v


def ss_state(sport):
    out = sh("ip netns exec %s ss -tanH 'sport = :%d and dport = :%d'" % (A, PORT, sport))
    return out.split()[0] if out.strip() else "gone"


class Server:
    """The kernel's listener; accepted sockets by peer port."""

    def __init__(self):
        self.conns = {}
        self.l = None

    def start(self):
        fd = os.open("/var/run/netns/" + A, os.O_RDONLY)
        me = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns(fd)
        self.l = socket.socket()
        self.l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.l.bind((A_IP, PORT))
        self.l.listen(64)
        setns(me)
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            c, addr = self.l.accept()
            self.conns[addr[1]] = c


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Conn:
    def __init__(self, peer, server, sport):
        self.p, self.srv, self.sport = peer, server, sport
        self.seq = 1000  # the peer's next sequence number
        self.iss = None

    def open(self, complete=True):
        self.p.send(self.sport, self.seq, 0, SYN)
        r = self.p.recv(self.sport)
        assert r and r[0][0] == SYN | ACK, r
        self.iss = r[0][1]
        self.seq += 1
        self.una = self.iss + 1
        if complete:
            self.p.send(self.sport, self.seq, self.una, ACK)
            for _ in range(50):
                if self.sport in self.srv.conns:
                    break
                time.sleep(0.01)
        return self

    def app(self):
        return self.srv.conns[self.sport]


def run(name, c, seq, ack, flags, data=b""):
    before = nstat()
    c.p.send(c.sport, seq, ack, flags, data)
    got = c.p.recv(c.sport)
    time.sleep(0.05)
    after = nstat()
    moved = {k: after[k] - before.get(k, 0) for k in after
             if after[k] != before.get(k, 0) and k not in ("TcpInSegs", "TcpOutSegs", "IpInReceives",
                                                           "IpInDelivers", "IpOutRequests",
                                                           "IpExtInOctets", "IpExtOutOctets",
                                                           "IpExtInNoECTPkts", "TcpExtTCPOrigDataSent",
                                                           "TcpExtTCPHPAcks", "TcpExtTCPPureAcks",
                                                           "TcpExtTCPHPHits", "IpOutTransmits",
                                                           "TcpExtTCPDelivered", "TcpExtTCPRcvCoalesce",
                                                           "TcpExtTCPAckCompressed")}
    reply = ", ".join("%s ack=%+d" % (flag_names(f), a - (c.seq if c.seq else 0)) if f & ACK else
                      "%s seq=%d" % (flag_names(f), s) for f, s, a in got) or "nothing"
    print("%-58s -> %-28s state %-10s %s" % (name, reply, ss_state(c.sport),
                                           " ".join("%s+%d" % kv for kv in sorted(moved.items()))))


def fin_wait1(c):
    c.app().shutdown(socket.SHUT_WR)
    r = c.p.recv(c.sport)
    assert r and r[0][0] & FIN, r
    c.nxt = r[0][1] + 1


@case
def est_ack_unsent(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: ACK of data never sent", c, c.seq, c.una + 1000, ACK)


@case
def est_noflags_beyond(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: no flags, data, beyond the window", c, c.seq + 100000, 0, 0, b"x" * 10)


@case
def est_syn(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: SYN in the window", c, c.seq, 0, SYN)


@case
def est_syn_beyond(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: SYN beyond the window", c, c.seq + 100000, 0, SYN)


@case
def est_old_ack(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: ACK of snd_una - 1 with data (passive side)", c, c.seq, c.una - 1, ACK,
        b"x" * 10)


@case
def est_fin_ooo(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: FIN out of order", c, c.seq + 10, c.una, FIN | ACK)


@case
def est_rst_twice(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: RST in the window", c, c.seq + 1, 0, RST)
    run("ESTABLISHED: RST in the window again at once", c, c.seq + 2, 0, RST)
    run("ESTABLISHED: pure ACK beyond the window, then", c, c.seq + 100000, c.una, ACK)


@case
def est_oow_twice(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: pure ACK beyond the window", c, c.seq + 100000, c.una, ACK)
    run("ESTABLISHED: pure ACK beyond the window again", c, c.seq + 100000, c.una, ACK)
    run("ESTABLISHED: data beyond the window, then", c, c.seq + 100000, c.una, ACK, b"x" * 10)


@case
def fw1_syn(p, s, port):
    c = Conn(p, s, port).open()
    fin_wait1(c)
    run("FIN_WAIT1: SYN in the window", c, c.seq, 0, SYN)


@case
def fw1_ack_unsent(p, s, port):
    c = Conn(p, s, port).open()
    fin_wait1(c)
    run("FIN_WAIT1: ACK of data never sent", c, c.seq, c.nxt + 1, ACK)


@case
def synrecv_rst_in_window(p, s, port):
    c = Conn(p, s, port).open(complete=False)
    run("SYN_RECV: RST in the window (rcv_nxt + 5)", c, c.seq + 5, 0, RST)
    run("SYN_RECV: ... then the ACK of the SYN-ACK", c, c.seq, c.una, ACK)


@case
def synrecv_rst_exact(p, s, port):
    c = Conn(p, s, port).open(complete=False)
    run("SYN_RECV: RST at rcv_nxt", c, c.seq, 0, RST)


@case
def synrecv_rst_beyond(p, s, port):
    c = Conn(p, s, port).open(complete=False)
    run("SYN_RECV: RST beyond the window", c, c.seq + 100000, 0, RST)


@case
def est_ack_unsent_data(p, s, port):
    c = Conn(p, s, port).open()
    run("ESTABLISHED: ACK of data never sent, with data", c, c.seq, c.una + 1000, ACK, b"x" * 10)
    run("ESTABLISHED: ... then in-order data (was it taken?)", c, c.seq, c.una, ACK, b"y" * 10)


@case
def synrecv_syn_in_window(p, s, port):
    c = Conn(p, s, port).open(complete=False)
    run("SYN_RECV: SYN in the window, not the ISN", c, c.seq, 0, SYN)


@case
def synrecv_synack_isn(p, s, port):
    c = Conn(p, s, port).open(complete=False)
    run("SYN_RECV: SYN-ACK at the ISN acking ours", c, c.seq - 1, c.una, SYN | ACK)


def close_wait(c):
    c.p.send(c.sport, c.seq, c.una, FIN | ACK)
    c.p.recv(c.sport)
    c.seq += 1


@case
def closewait_rst_fin_seq(p, s, port):
    c = Conn(p, s, port).open()
    close_wait(c)
    run("CLOSE_WAIT: RST at rcv_nxt - 1", c, c.seq - 1, 0, RST)


@case
def closewait_syn(p, s, port):
    c = Conn(p, s, port).open()
    close_wait(c)
    run("CLOSE_WAIT: SYN in the window", c, c.seq, 0, SYN)


def time_wait(c):
    fin_wait1(c)
    c.p.send(c.sport, c.seq, c.nxt, FIN | ACK)
    c.p.recv(c.sport)
    c.seq += 1


@case
def tw_cases(p, s, port):
    c = Conn(p, s, port).open()
    time_wait(c)
    run("TIME_WAIT: bare ACK at rcv_nxt", c, c.seq, c.nxt, ACK)
    run("TIME_WAIT: RST at rcv_nxt + 1", c, c.seq + 1, 0, RST)
    run("TIME_WAIT: pure ACK before the window", c, c.seq - 10, c.nxt, ACK)
    run("TIME_WAIT: ... again at once", c, c.seq - 10, c.nxt, ACK)
    run("TIME_WAIT: retransmitted FIN", c, c.seq - 1, c.nxt, FIN | ACK)
    run("TIME_WAIT: retransmitted FIN again", c, c.seq - 1, c.nxt, FIN | ACK)


@case
def tw_syn(p, s, port):
    c = Conn(p, s, port).open()
    time_wait(c)
    run("TIME_WAIT: new SYN above rcv_nxt (listener there)", c, c.seq + 1000, 0, SYN)


def main():
    if os.geteuid():
        sys.exit("needs root")
    sh("ip netns del %s" % A, check=False)
    sh("ip netns del %s" % B, check=False)
    sh("ip netns add %s && ip netns add %s" % (A, B))
    try:
        sh("ip link add ka netns %s type veth peer name kb netns %s" % (A, B))
        sh("ip -n %s addr add %s/24 dev ka && ip -n %s link set ka up && ip -n %s link set lo up"
           % (A, A_IP, A, A))
        sh("ip -n %s link set kb up" % B)
        # no offloads: every segment is its own frame
        sh("ip netns exec %s ethtool -K ka gro off tso off gso off 2>/dev/null || true" % A,
           check=False)
        a_mac = bytes.fromhex(sh("ip -n %s -br link show ka" % A).split()[2].replace(":", ""))
        b_mac = bytes.fromhex(sh("ip -n %s -br link show kb" % B).split()[2].replace(":", ""))
        sh("ip -n %s neigh add %s lladdr %s dev ka nud permanent" % (A, B_IP, b_mac.hex(":")))
        srv = Server()
        srv.start()
        fd = os.open("/var/run/netns/" + B, os.O_RDONLY)
        setns(fd)
        peer = Peer(a_mac, b_mac)
        print("kernel %s; replies: flags, ack relative to the peer's next sequence number"
              % os.uname().release)
        for i, fn in enumerate(CASES):
            fn(peer, srv, 40000 + i)
    finally:
        sh("ip netns del %s" % A, check=False)
        sh("ip netns del %s" % B, check=False)


if __name__ == "__main__":
    main()
