#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes docs/benchmarks.md (and the gnuplot script for its plot) from the
# results scripts/bench.sh collected: nsemu's JSON summaries, the kernel's
# "kernel KEY VALUE" lines, the callgrind figures and the machine.
#   bench_report.py TMPDIR OUT.md SECONDS
import json, os, sys

tmp, out, secs = sys.argv[1], sys.argv[2], sys.argv[3]
# --tcp-only (BENCH_PARTS=tcp): the machine and the TCP section alone
tcp_only = len(sys.argv) > 4 and sys.argv[4] == "--tcp-only"
params = " ".join(sys.argv[5 if tcp_only else 4:])


def load1(path):
    try:
        with open(path) as f:
            return json.load(f)[0]
    except (OSError, ValueError, IndexError):
        return None


# Wall-clock benches run BENCH_RUNS times (NAME.rK.json): the report takes
# the run with the median figure and keeps every run's figure in runs[NAME].
median_key = {"fwd": lambda r: r["received"] / r["seconds"] if r["seconds"] else 0.0,
              "netns": lambda r: r["create_per_second"],
              "tcp": lambda r: r.get("gbps", r.get("conns_per_second", 0.0))}
runs = {}


def load(name):
    one = load1(os.path.join(tmp, name + ".json"))
    if one:
        return one
    all_ = [r for r in (load1(os.path.join(tmp, "%s.r%d.json" % (name, k))) for k in range(1, 100)) if r]
    if not all_:
        return None
    key = median_key[name.split("-")[0]]
    all_.sort(key=key)
    runs[name] = [key(r) for r in all_]
    return all_[(len(all_) - 1) // 2]


machine = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(tmp, "machine.txt")) if "=" in l)
kernel, kskip = {}, None
for l in open(os.path.join(tmp, "kernel.txt")):
    p = l.split()
    if l.startswith("kernel comparison skipped"):
        kskip = l.strip()
    elif len(p) == 3 and p[0] == "kernel":
        kernel[p[1]] = float(p[2])
try:
    instr = open(os.path.join(tmp, "instr.txt")).read().strip()
except OSError:
    instr = "(not run)"

fwd = {}
for t in (1, 2):
    for h in (1, 2, 4, 8):
        r = load("fwd-%dt-%d" % (t, h))
        if r:
            fwd[(t, h)] = r


def pps(r):
    return r["received"] / r["seconds"] if r and r["seconds"] else 0.0


def slope(a, b, da, db):
    """ns per extra hop between two chains (a: da routers, b: db routers)"""
    if a <= 0 or b <= 0 or b >= a:
        return None  # a longer chain measured as fast: a noisy run, no slope
    return (1e9 / b - 1e9 / a) / (db - da)


def tcp_section(w):
    """## TCP: bench tcp's runs (tcp-*.json) and the kernel's tcp_* figures."""
    runs_ = [(k, load(k)) for k in ("tcp-1w", "tcp-2w", "tcp-2r-1w", "tcp-2r-2w", "tcp-4s-2w")]
    conns, cps = load("tcp-conns"), load("tcp-cps")
    if not any(r for _, r in runs_) and not conns and not cps:
        return
    tk = {k[4:]: v for k, v in kernel.items() if k.startswith("tcp_")}
    w("## TCP")
    w("")
    w("`bench tcp` (issue 13): TCP streams from an application in `btcp-a` to one in `btcp-b`")
    w("over a veth pair (or through routers), both written on the emulated socket API: each sender")
    w("keeps its send buffer full, the receiver drains it and compares every byte with the stream")
    w("sent. Gbit/s counts data delivered to the receiving application; segments/s the sender's")
    w("OutSegs; CPU per GB is the CPU time of every worker thread (polling included) per 10^9")
    w("bytes delivered. The kernel: iperf3 (`-t %s`, `-P` streams) between two `ip netns` over" % (
        params_kv.get("TCP_SECONDS", "3")))
    w("veth, with both processes on CPU 0 (`-A 0,0`, the kernel's \"one worker\") or on CPUs 0")
    w("and 1 (`-A 0,1`), and through two routers; its CPU per GB is the user and system time")
    w("of the two iperf3 processes (the stack's work done in their context; softirq time on")
    w("ksoftirqd is not counted). MTU 1500 everywhere: nsemu sends 1448-byte segments (no GSO")
    w("yet), while the kernel's veth carries GSO packets of up to 64 KB, paid per packet.")
    w("")
    w("Each transfer ran %d times, interleaved with the others, and so did iperf3: the run with the median" % max(
        [len(runs.get(k, [])) for k, _ in runs_] + [1]))
    w("Gbit/s is shown (every run's figure below the table).")
    w("")
    w("| path | streams | workers | nsemu Gbit/s | segments/s | retransmits | CPU per GB | kernel (iperf3) | retransmits | CPU per GB | ratio |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    kmap = {"tcp-1w": "1cpu", "tcp-2w": "2cpu", "tcp-2r-1w": "2r1cpu", "tcp-2r-2w": "2r", "tcp-4s-2w": "4s"}
    for k, r in runs_:
        if not r:
            continue
        kk = kmap[k]
        kg = tk.get("gbps_" + kk) if kk else None
        w("| %s | %d | %d | %.2f | %.0f | %d | %.0f ms | %s | %s | %s | %s |" % (
            "veth pair" if r["routers"] == 0 else "%d routers" % r["routers"], r.get("streams", 1),
            r["workers"], r["gbps"],
            r["segs_per_second"], r["retrans"], r["cpu_ms_per_gb"],
            "%.2f Gbit/s (%s)" % (kg, "1 CPU" if "1cpu" in kk else "2 CPUs") if kg else "",
            "%d" % tk["retrans_" + kk] if kk and ("retrans_" + kk) in tk else "",
            "%.0f ms" % tk["cpu_ms_per_gb_" + kk] if kk and ("cpu_ms_per_gb_" + kk) in tk else "",
            "%.2f×" % (r["gbps"] / kg) if kg else ""))
    w("")
    every = ["%s: nsemu %s" % (k[4:], " / ".join("%.2f" % x for x in runs[k])) +
             ("; kernel %s" % " / ".join("%.2f" % x for x in kruns[kmap[k]]) if kmap[k] in kruns else "")
             for k, _ in runs_ if k in runs]
    if every:
        w("Every run's Gbit/s: " + "; ".join(every) + ".")
        w("")
    if conns:
        al, rss = conns.get("allocated", {}), conns.get("rss", {})
        w("Idle connections (`bench tcp --conns %d`): both ends of every connection live in the" % conns["conns"])
        w("process (two sockets each). Each socket's two 128 KiB rings are allocated (malloc) when it")
        w("is established, whether data ever comes, so the allocator counts them, while RSS counts")
        w("only the pages touched; the kernel allocates a socket's buffers only for data queued, so")
        w("an idle kernel connection is its slab objects (tcp_sock, the socket inode, the file,")
        w("the dentry...).")
        w("")
        w("| | nsemu | Linux kernel |")
        w("|---|---:|---:|")
        w("| connections | %d | %s |" % (conns["conns"], "%d" % tk["conns"] if "conns" in tk else "n/a"))
        w("| opened | %.0f /s (%d connects in flight) | %s |" % (
            conns["open_per_second"], 256, "%.0f /s (one at a time, blocking)" % tk["open_per_s"] if "open_per_s" in tk else "n/a"))
        w("| memory per connection, allocated | %s | %s |" % (
            "%.0f bytes" % al["bytes_per_conn"] if al.get("bytes_per_conn") is not None else "n/a",
            "%.0f bytes (Slab in /proc/meminfo)" % tk["slab_bytes_per_conn"] if "slab_bytes_per_conn" in tk else "n/a"))
        w("| memory per connection, resident | %s | %s |" % (
            "%.0f bytes (RSS)" % rss["bytes_per_conn"] if rss.get("bytes_per_conn") is not None else "n/a",
            "%.0f bytes (live slab objects, /proc/slabinfo)" % tk["slab_objs_bytes_per_conn"] if "slab_objs_bytes_per_conn" in tk else "n/a"))
        if "sock_bytes" in tk:
            w("| the kernel's tcp_sock | | %d bytes (slab TCP, one per socket) |" % tk["sock_bytes"])
        w("")
        big = load1(os.path.join(tmp, "tcp-conns-100k.json"))
        if big:
            al, rss = big.get("allocated", {}), big.get("rss", {})
            w("`bench tcp --conns %d` (from %d client namespaces: a namespace's ports hold 64,512): opened in"
              " %.2f s (%.0f/s), %s allocated and %s resident per connection; both ends' CurrEstab %d / %d." % (
                  big["conns"], big.get("clients", 1), big["seconds"], big["open_per_second"],
                  "%.0f bytes" % al["bytes_per_conn"] if al.get("bytes_per_conn") is not None else "n/a",
                  "%.0f bytes" % rss["bytes_per_conn"] if rss.get("bytes_per_conn") is not None else "n/a",
                  big["client_established"], big["server_established"]))
            w("")
    if cps:
        w("Connection rate (`bench tcp --cps --seconds 1`): connect, accept, close, one connection at a")
        w("time (the client closes as soon as it is connected, the server once it reads the end of")
        w("stream); the kernel runs the same loop with blocking sockets (bench/ktcp, %s connections)." % (
            params_kv.get("TCP_CPS", "20000")))
        w("Each client connection then waits in TIME-WAIT, so a loop holds at most the client's")
        w("ip_local_port_range (set to 1024–65535 in both) of them.")
        w("")
        w("| | nsemu | Linux kernel | ratio |")
        w("|---|---:|---:|---:|")
        kc = tk.get("cps")
        w("| connections/s | %.0f (%d connections) | %s | %s |" % (
            cps["conns_per_second"], cps["conns"], "%.0f" % kc if kc else "n/a",
            "%.1f×" % (cps["conns_per_second"] / kc) if kc else "n/a"))
        w("")
        if "tcp-cps" in runs:
            w("Median of %d runs each; every run's connections/s: nsemu %s%s." % (
                len(runs["tcp-cps"]), " / ".join("%.0f" % x for x in runs["tcp-cps"]),
                "; kernel " + " / ".join("%.0f" % x for x in kruns["cps"]) if "cps" in kruns else ""))
            w("")
    # issue 13's goals, said as reached or not
    one = dict(runs_).get("tcp-1w")
    w("| target (issue 13) | goal | reached |")
    w("|---|---|---|")
    if one and tk.get("gbps_1cpu"):
        w("| one stream, veth pair, 1 worker | ≥ the kernel's iperf3 (1 CPU) | %.2f vs %.2f Gbit/s (%s) |" % (
            one["gbps"], tk["gbps_1cpu"], "yes" if one["gbps"] >= tk["gbps_1cpu"] else "no"))
    r2 = dict(runs_).get("tcp-2r-1w")
    if r2 and tk.get("gbps_2r1cpu"):
        w("| one stream, 2 routers, 1 worker | ≥ the kernel's (1 CPU) | %.2f vs %.2f Gbit/s (%s) |" % (
            r2["gbps"], tk["gbps_2r1cpu"], "yes" if r2["gbps"] >= tk["gbps_2r1cpu"] else "no"))
    big = load1(os.path.join(tmp, "tcp-conns-100k.json"))
    if big:
        w("| concurrent established connections in one process | 100,000 | %d (%s) |" % (
            big["conns"], "yes" if big["server_established"] >= 100000 else "no"))
    if conns and conns.get("allocated", {}).get("bytes_per_conn") is not None:
        per_sock = conns["allocated"]["bytes_per_conn"] / 2
        w("| memory per idle socket | ≤ 2 KB plus buffers holding data, allocated on demand | %.0f bytes"
          " allocated (%s: the rings are allocated at establishment), %.0f resident |" % (
              per_sock, "yes" if per_sock <= 2048 else "no", conns["rss"]["bytes_per_conn"] / 2))
    if cps and tk.get("cps"):
        x = cps["conns_per_second"] / tk["cps"]
        w("| connect/accept/close rate | ≥ 10× the kernel's | %.1f× (%s) |" % (x, "yes" if x >= 10 else "no"))
    w("")
    sk = [l for l in open(os.path.join(tmp, "kernel.txt")) if l.startswith("kernel tcp comparison skipped")]
    for l in sk:
        w(l.strip())
        w("")


params_kv = dict(p.split("=", 1) for p in params.split() if "=" in p)


def kernel_medians():
    """Kernel keys of repeated runs end in .rK: keep the median run of each
    configuration (its Gbit/s picks the run, whose retransmits and CPU go
    with it) under the plain key; every run's figure in kruns[config]."""
    byrun = {}
    for k, v in list(kernel.items()):
        if ".r" in k:
            base, r = k.rsplit(".r", 1)
            byrun.setdefault(base, {})[int(r)] = v
            del kernel[k]
    out = {}
    for base, rv in byrun.items():
        if base.startswith("tcp_gbps_"):
            cfg = base[len("tcp_gbps_"):]
            order = sorted(rv.items(), key=lambda x: x[1])
            pick = order[(len(order) - 1) // 2][0]
            out[cfg] = [v for _, v in order]
            for m in ("tcp_gbps_", "tcp_retrans_", "tcp_cpu_ms_per_gb_"):
                if pick in byrun.get(m + cfg, {}):
                    kernel[m + cfg] = byrun[m + cfg][pick]
        elif not base.startswith(("tcp_retrans_", "tcp_cpu_ms_per_gb_")):
            vals = sorted(rv.values())
            kernel[base] = vals[(len(vals) - 1) // 2]
            out[base[len("tcp_"):] if base.startswith("tcp_") else base] = vals
    return out


kruns = kernel_medians()

L = []
w = L.append
w("# nsemu benchmarks")
w("")
w("Generated by `make bench` (scripts/bench.sh); do not edit by hand. The")
w("figures depend on the machine and on what else it runs: the load average")
w("at the start is given below, and runs on a shared or busy machine are")
w("noisy. Instruction counts (callgrind) are not.")
w("")
w("## Machine")
w("")
w("| | |")
w("|---|---|")
for k, label in (("cpu", "CPU"), ("cpus", "CPUs"), ("mem", "memory"), ("kernel", "Linux"),
                 ("commit", "commit"), ("date", "date"), ("load", "load average at start")):
    w("| %s | %s |" % (label, machine.get(k, "?")))
w("| run parameters | %s |" % (params or "defaults"))
w("")
if tcp_only:
    tcp_section(w)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")
    sys.exit(0)
w("## Method")
w("")
w("- **Forwarding** (`nsemu -t 2 bench fwd --hops N --threads T --seconds %s`): a chain" % secs)
w("  `src — r1 — … — rN — dst` of fresh namespaces joined by veth pairs, with permanent")
w("  neighbour entries (no ARP while measuring). A generator in `src` works like the")
w("  kernel's pktgen: prebuilt Ethernet/IPv4/UDP frames (64-byte payload, 106-byte frames)")
w("  copied into pool buffers and handed to the device's transmit path in bursts of 64. A")
w("  UDP socket in `dst` absorbs them after the full receive path (ip_rcv, routing,")
w("  ip_local_deliver, udp_rcv). Mpps counts packets *received*; `ns/pkt` is the CPU")
w("  time of all workers per received packet; `ns/pkt/hop` divides it by the links")
w("  crossed (routers + 1); the **per-hop cost** is the slope between the 1- and 4-router")
w("  chains on one thread, which leaves out the generator and the absorber.")
w("- **Kernel** (scripts/bench-kernel.sh): the same chain of real namespaces (`ip netns`,")
w("  veth, ip_forward=1, static routes, permanent neighbours, rp_filter=0); a UDP sender")
w("  (bench/kudp.c, sendmmsg, 64-byte payloads) pinned to CPU 0, the receiver pinned to")
w("  CPU 1; N = 1 and 4, per-hop cost = slope.")
w("- **Namespaces** (`bench netns --count N`): each namespace gets lo up, a veth to a hub")
w("  namespace, an address and a default route, each step one rtnetlink request, sent as")
w("  a client would: 256 namespaces' requests per datagram to rtnl_process(), HELLO")
w("  switching namespaces inside it; RSS and jemalloc's `stats.allocated` before, after,")
w("  and once the namespaces are deleted (a datagram that deletes 64 or more namespaces")
w("  gives the freed pages back: `mem_release`, core/mem.c).")
w("- **FIB** (`bench fib --prefixes N`): a seeded BGP-like length mix (60% /24, 20%")
w("  /22–/23, 15% /16–/21, 1% /8–/15, 4% /25–/32) added with fib_route_add on the")
w("  namespace's owner; memory is jemalloc's allocated delta (control table + trie);")
w("  2,000 sampled lookups are checked against a naive reference.")
w("- **Instructions** (`make bench-instr`): callgrind, one worker thread, only the data")
w("  path (generator runs and the backlog), 200,000 packets through 1 and 4 routers.")
w("")
w("## Forwarding")
w("")
w("| routers | threads | Mpps | Gbit/s | ns/pkt | ns/pkt/hop | dropped | busy |")
w("|---:|---:|---:|---:|---:|---:|---:|---|")
for (t, h), r in sorted(fwd.items()):
    busy = ", ".join("%.0f%%" % (100 * b["share"]) for b in r.get("busy", []))
    drops = ", ".join("%s %d" % (k, v) for k, v in r.get("drops", {}).items()) or "0"
    w("| %d | %d | %.2f | %.2f | %.1f | %.1f | %s | %s |" % (
        h, t, pps(r) / 1e6, r["gbps"], r["ns_per_pkt"], r["ns_per_pkt_hop"], drops, busy))
w("")
if runs:
    w("Wall-clock figures are the median of %d runs (the run with the median Mpps is shown);" % max(len(v) for v in runs.values()))
    w("every run's Mpps: " + "; ".join("%s %s" % (n.replace("fwd-", ""), " / ".join("%.2f" % (x / 1e6) for x in v))
                                      for n, v in sorted(runs.items()) if n.startswith("fwd-")) + ".")
    w("")
n1, n4 = pps(fwd.get((1, 1))), pps(fwd.get((1, 4)))
ns_hop = slope(n1, n4, 1, 4)
k1, k4 = kernel.get("fwd_pps_1", 0), kernel.get("fwd_pps_4", 0)
k_hop = slope(k1, k4, 1, 4)
w("| | nsemu (1 thread) | Linux kernel | ratio |")
w("|---|---:|---:|---:|")
w("| 1 router | %.2f Mpps | %s | %s |" % (n1 / 1e6, "%.3f Mpps" % (k1 / 1e6) if k1 else "n/a",
                                         "%.1f×" % (n1 / k1) if k1 else "n/a"))
w("| 4 routers | %.2f Mpps | %s | %s |" % (n4 / 1e6, "%.3f Mpps" % (k4 / 1e6) if k4 else "n/a",
                                          "%.1f×" % (n4 / k4) if k4 else "n/a"))
w("| per-hop cost (slope) | %s | %s | %s |" % (
    "%.1f ns/pkt/hop" % ns_hop if ns_hop else "n/a",
    "%.1f ns/pkt/hop" % k_hop if k_hop else "n/a (noisy run)" if k1 else "n/a",
    "%.1f×" % (k_hop / ns_hop) if ns_hop and k_hop and ns_hop > 0 else "n/a"))
if kskip:
    w("")
    w(kskip)
for h in (4, 8):
    if (1, h) in fwd and (2, h) in fwd and pps(fwd[(1, h)]):
        w("")
        w("Two threads on a %d-router chain: %.2f× one thread." % (h, pps(fwd[(2, h)]) / pps(fwd[(1, h)])))
lat = load("fwd-lat")
if lat and "latency_ns" in lat:
    ln = lat["latency_ns"]
    w("")
    w("One-way latency at %.2f Mpps offered (4 routers, 1 thread, `--rate 1000000`): p50 %.1f µs, "
      "p99 %.1f µs, p99.9 %.1f µs, max %.1f µs." % (
          pps(lat) / 1e6, ln["p50"] / 1e3, ln["p99"] / 1e3, ln["p99.9"] / 1e3, ln["max"] / 1e3))
w("")
w("![Mpps against chain length](bench-fwd.png)")
w("")
w("## Namespaces")
w("")
ns = load("netns")
if ns:
    def mem(m):
        return "n/a" if m.get("bytes_per_netns") is None else "%.0f bytes" % m["bytes_per_netns"]
    w("| | nsemu | Linux kernel |")
    w("|---|---:|---:|")
    w("| namespaces | %d | %s |" % (ns["count"], "200" if kernel else "n/a"))
    w("| create | %.0f /s%s | %s |" % (ns["create_per_second"],
      " (median; runs: %s)" % " / ".join("%.0f" % x for x in runs["netns"]) if "netns" in runs else "",
      "%.0f /s (ip netns add), %.0f /s (unshare -n)" % (kernel["netns_add_per_s"], kernel["unshare_per_s"])
      if "netns_add_per_s" in kernel else "n/a"))
    w("| delete | %.0f /s | %s |" % (ns["delete_per_second"],
      "%.0f /s" % kernel["netns_del_per_s"] if "netns_del_per_s" in kernel else "n/a"))
    w("| memory per namespace (RSS) | %s | %s |" % (mem(ns["rss"]),
      "%.0f bytes (MemAvailable)" % kernel["bytes_per_netns"] if "bytes_per_netns" in kernel else "n/a"))
    w("| memory per namespace (jemalloc allocated) | %s | |" % mem(ns["allocated"]))
    if ns["rss"].get("deleted") is not None:
        w("| RSS once deleted (the hub still alive) | %.1f MiB (%.1f MiB before, %.1f MiB with all) | |" % (
            ns["rss"]["deleted"] / 1048576.0, ns["rss"]["before"] / 1048576.0,
            ns["rss"]["after"] / 1048576.0))
w("")
w("## FIB")
w("")
fib = load("fib")
if fib:
    w("| prefixes | loaded | load time | memory (forwarding + control) | random lookup, one at a time | random, %d a batch | repeated | verified |" % fib.get("batch", 64))
    w("|---:|---:|---:|---:|---:|---:|---:|---|")
    w("| %d | %d | %.2f s | %s | %.1f ns | %.1f ns | %.1f ns | %d sampled, %d wrong, %d batched differing |" % (
        fib["prefixes"], fib["added"], fib["load_seconds"],
        "n/a" if fib.get("memory_mib") is None else "%.1f MiB (%.1f + %.1f; %.1f bytes/route)" % (
            fib["memory_mib"], fib.get("lpm_mib", 0), fib.get("control_mib", 0), fib.get("bytes_per_route", 0)),
        fib["ns_per_lookup_random"], fib.get("ns_per_lookup_batched", float("nan")),
        fib["ns_per_lookup_repeated"], fib["verified"], fib["wrong"], fib.get("batch_wrong", 0)))
    w("")
    w("One at a time, each random lookup waits for its own cache misses (trie levels, then")
    w("the next-hop record); `fib_lookup_batch` advances %d lookups a level at a time with" % fib.get("batch", 64))
    w("prefetch, so their misses overlap, as DPDK's `rte_lpm_lookup_bulk` does.")
w("")
# --- rules and multipath where they are used (issue 12) ---
rm = [(k, load(k)) for k in ("fwd-flows", "fwd-rules", "fwd-ecmp", "fwd-rules-ecmp")]
if any(r for _, r in rm):
    w("## Policy rules and multipath")
    w("")
    w("`bench fwd --hops 4 --threads 1 --flows 64` with `--rules 100` (on every forwarding node,")
    w("rules that never match, so every lookup walks them before main's), `--ecmp 8` (a default")
    w("route over 8 gateways, `fib_multipath_hash_policy=1`, so the 64 flows spread), and both.")
    w("With only the default rules and single-path routes, lookups take the same code as before")
    w("(`make bench-instr` unchanged). The input route hint keeps a multipath route, not its")
    w("path: each datagram of a (saddr, daddr) stream hashes its ports and takes its flow's path,")
    w("while the rest of the decision (rules walked, rp_filter) is reused. With a rule on `iif`,")
    w("or a path back out of the input device, every datagram takes the full lookup (the rule")
    w("walk is then paid per datagram, two or three lookups per hop).")
    w("")
    w("| chain | Mpps | ns/pkt/hop |")
    w("|---|---:|---:|")
    names = {"fwd-flows": "plain (64 flows)", "fwd-rules": "100 rules", "fwd-ecmp": "8-way ECMP",
             "fwd-rules-ecmp": "100 rules + 8-way ECMP"}
    for k, r in rm:
        if r:
            w("| %s | %.2f | %.1f |" % (names[k], pps(r) / 1e6, r.get("ns_per_pkt_hop", float("nan"))))
    fre = load("fib-rules-ecmp")
    if fre:
        w("")
        w("`bench fib --prefixes %d --rules 100 --ecmp 8`: %.1f ns per lookup one at a time, %.1f ns"
          " batched, %.1f ns repeated (rules walked, path selected)." % (
              fre["prefixes"], fre["ns_per_lookup_random"], fre.get("ns_per_lookup_batched", float("nan")),
              fre["ns_per_lookup_repeated"]))
    w("")
# --- Responsiveness (scripts/bench-responsive.sh; resp.json) ---
try:
    with open(os.path.join(tmp, "resp.json")) as f:
        resp = json.load(f)
except (OSError, ValueError):
    resp = None
if resp:
    w("## Responsiveness")
    w("")
    w("scripts/bench-responsive.sh: `nsemu --daemon -t 2 -s SOCK` runs `bench fwd --hops 4")
    w("--threads 2 --seconds %d` through nsemuctl in the background (\"overload\": the same with" % resp["seconds"])
    w("`--no-window --rate 1000000000`: the generator does not wait for the absorber and offers")
    w("far more than the chain forwards, so the backlog and the veth ring between the workers")
    w("overflow, each drop counted by reason; the drops column is the bench's summary, and")
    w("`show drops all` is also run mid-load, timed on its own as it prints every namespace), while a probe times `nsemuctl -s SOCK ip -n probe link show` every 50 ms")
    w("(the whole client round trip, process start included); then again with {:,} idle".format(resp["netns"]))
    w("namespaces (lo up) created through `nsemuctl -b` in chunks of 1,000. RSS is the daemon's")
    w("VmRSS before, the maximum during, and 1 s after each run. Issue 6: the CLI answers")
    w("within 100 ms throughout.")
    w("")
    la = any("loadavg" in ph for ph in resp["phases"])
    w("| phase | probes | p50 | p99 | max | > 100 ms | RSS before / during / after | load Mpps | drops |"
      + (" load avg |" if la else ""))
    w("|---|---:|---:|---:|---:|---:|---|---:|---|" + ("---:|" if la else ""))
    for ph in resp["phases"]:
        r = ph["rss_kib"]
        b = ph.get("bench")
        drops = ("n/a" if not b else ", ".join("%s %d" % kv for kv in (b.get("drops") or {}).items()) or "0")
        mpps = "%.2f" % (b["received"] / b["seconds"] / 1e6) if b and b.get("seconds") else "n/a"
        if b and b.get("offered_mpps"):
            mpps += " (offered %.2f)" % b["offered_mpps"]
        w("| %s | %d | %.1f ms | %.1f ms | %.1f ms | %d | %.1f / %.1f / %.1f MiB | %s | %s |" % (
            ph["name"], ph["samples"], ph["p50_ms"], ph["p99_ms"], ph["max_ms"], ph["over_100ms"],
            r["before"] / 1024, r["during_max"] / 1024, r["after"] / 1024, mpps, drops)
          + (" %s |" % ("%.2f" % ph["loadavg"] if "loadavg" in ph else "?") if la else ""))
    w("")
    extra = []
    if "create_seconds" in resp:
        extra.append("{:,} idle namespaces created in {:.1f} s ({:,.0f}/s through `nsemuctl -b`, RSS {:.1f} MiB after)".format(
            resp["netns"], resp["create_seconds"], resp["netns"] / resp["create_seconds"],
            resp.get("rss_kib_with_netns", 0) / 1024))
    if "netns_list_ms_empty" in resp and "netns_list_ms" in resp:
        extra.append("`ip netns list` took {:.1f} ms with 1 namespace and {:.1f} ms with {:,}"
                     " (rtnl_dumpns: one call per worker)".format(
                         resp["netns_list_ms_empty"], resp["netns_list_ms"], resp["netns"] + 1))
    sd = ["%s %.0f ms" % (ph["name"], ph["show_drops_ms"]) for ph in resp["phases"] if "show_drops_ms" in ph]
    if sd:
        extra.append("`show drops all` mid-load took " + ", ".join(sd))
    if extra:
        w("; ".join(extra) + ".")
        w("")
    slow = ["%s: %s" % (ph["name"], ", ".join("%.0f ms at %.1f s" % (x[1], x[0]) for x in ph["slow"]))
            for ph in resp["phases"] if ph.get("slow")]
    if slow:
        w("Probes over 50 ms (time after the load started): " + "; ".join(slow) + ". The")
        w("2 forwarding workers keep both CPUs of this machine busy; with anything else running")
        w("(a load average above 2%s) the control thread and the probe wait for a CPU." % (
            ", last column" if la else ""))
        w("")
tcp_section(w)
w("## Instructions (callgrind)")
w("")
w("```")
w(instr)
w("```")
w("")
w("## Targets (issue 6)")
w("")
w("| target | goal | reached |")
w("|---|---|---|")
w("| per-hop cost, 1 thread | ≤ 70 ns/pkt/hop | %s |" % ("%.1f" % ns_hop if ns_hop else "n/a"))
w("| 1 router, 1 thread | ≥ 10 Mpps | %.2f |" % (n1 / 1e6))
for hops in (4, 8):
    if (1, hops) in fwd and (2, hops) in fwd and pps(fwd[(1, hops)]):
        w("| 2 threads vs 1 (%d routers) | ≥ 1.8× | %.2f× |" % (hops, pps(fwd[(2, hops)]) / pps(fwd[(1, hops)])))
if ns:
    w("| namespace creation | ≥ 50,000/s | %.0f/s |" % ns["create_per_second"])
    w("| idle namespace | ≤ 20 KB | %s |" % mem(ns["allocated"]))
if resp:
    worst = max(ph["max_ms"] for ph in resp["phases"])
    w("| CLI under load ({:,} netns) | ≤ 100 ms | max {:.1f} ms (`ip -n NS link show`) |".format(resp["netns"], worst))
    if "netns_list_ms" in resp:
        w("| `ip netns list` ({:,} netns) | ≤ 100 ms | {:.1f} ms |".format(resp["netns"] + 1, resp["netns_list_ms"]))
if fib:
    w("| 1M prefixes load | ≤ 2 s | %.2f s (%d prefixes) |" % (fib["load_seconds"], fib["prefixes"]))
    w("| 1M prefixes memory | ≤ 32 MiB | %s (%d prefixes) |" % ("n/a" if fib.get("memory_mib") is None else "%.1f MiB" % fib["memory_mib"], fib["prefixes"]))
    w("| random lookup | ≤ 20 ns | %.1f ns in batches of %d, %.1f ns one at a time |" % (
        fib.get("ns_per_lookup_batched", float("nan")), fib.get("batch", 64), fib["ns_per_lookup_random"]))
w("")
w("## Reproduce")
w("")
w("```sh")
w("make bench                         # everything above; BENCH_SECONDS=5 BENCH_NETNS=100000 BENCH_PREFIXES=1000000")
w("make bench-instr                   # instructions per packet per hop (callgrind)")
w("make bench-compare OLD=../old/build/nsemu   # two builds side by side, median of BENCH_RUNS")
w("nsemu -t 2 bench fwd --hops 4 --threads 2 --seconds 5")
w("nsemu bench netns --count 100000")
w("nsemu bench fib --prefixes 1000000")
w("scripts/bench-responsive.sh build         # CLI latency under load; RESP_SECONDS=5 RESP_NETNS=100000")
w("sudo scripts/bench-kernel.sh build/bench/kudp 5   # the kernel alone")
w("nsemu -t 2 bench tcp --seconds 3 --workers 2   # one TCP stream; --routers 2, --streams 4")
w("nsemu -t 2 bench tcp --conns 100000; nsemu -t 2 bench tcp --cps")
w("BENCH_PARTS=tcp BENCH_OUT=/tmp/tcp.md make bench   # the TCP section alone, kernel included")
w("```")
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
with open(out, "w") as f:
    f.write("\n".join(L) + "\n")

# the plot: Mpps against routers, nsemu (1 and 2 threads) and the kernel
png = os.path.join(os.path.dirname(out) or ".", "bench-fwd.png")
with open(os.path.join(tmp, "plot.dat"), "w") as f:
    for h in (1, 2, 4, 8):
        a = pps(fwd.get((1, h))) / 1e6
        b = pps(fwd.get((2, h))) / 1e6 if (2, h) in fwd else float("nan")
        k = {1: k1, 4: k4}.get(h, 0) / 1e6 if kernel else 0
        f.write("%d %f %s %s\n" % (h, a, "%f" % b if b == b else "NaN", "%f" % k if k else "NaN"))
with open(os.path.join(tmp, "plot.gp"), "w") as f:
    f.write('set terminal png size 800,480\nset output "%s"\n' % png)
    f.write('set title "Forwarding: packets/s received vs chain length (64-byte UDP)"\n')
    f.write('set xlabel "routers"\nset ylabel "Mpps"\nset logscale y\nset key top right\n')
    f.write('set xtics (1, 2, 4, 8)\nset datafile missing "NaN"\n')
    f.write('plot "%s/plot.dat" using 1:2 with linespoints title "nsemu, 1 thread", '
            '"" using 1:3 with linespoints title "nsemu, 2 threads", '
            '"" using 1:4 with linespoints title "Linux kernel"\n' % tmp)
