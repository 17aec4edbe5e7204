#!/bin/sh
# SPDX-License-Identifier: MIT
# Responsiveness of the control path under load (issue 6: "the CLI answers
# within 100 ms throughout"; "100,000 namespaces ... CLI and control socket
# stay responsive"). A daemon (`nsemu --daemon -t 2 -s SOCK`) runs, through
# nsemuctl in the background:
#   fwd       bench fwd --hops 4 --threads 2 --seconds S
#   overload  the same with --no-window --rate 1000000000: the generator
#             no longer waits for the absorber and offers far more than
#             the chain forwards, so the backlog and the veth ring between
#             the workers overflow (counted drops) and both workers run flat
#             out for the whole run
# while a probe runs `nsemuctl -s SOCK ip -n probe link show` every 50 ms
# and times it (the whole client round trip, process start included); in
# the middle of each load, `show drops all` (timed on its own) shows
# the drops where the namespaces count them; then N idle namespaces are
# created (nsemuctl -b, chunks of 1,000) and the probe runs again, idle and
# under both loads. Reports latency p50/p99/max in ms, the daemon's RSS
# before/during (sampled with every probe)/after each load, and the
# bench's drops by reason. Traffic stays inside nsemu; the daemon (and with
# it every namespace) is stopped on exit, also on failure or Ctrl-C.
#   scripts/bench-responsive.sh BUILD_DIR [OUT.json]
# Knobs: RESP_SECONDS (per load run, default 5), RESP_NETNS (idle
# namespaces, default 100000; 0 skips that part), RESP_PHASES ("all", or
# "overload" for the idle and overload phases only, e.g.
# RESP_PHASES=overload RESP_NETNS=0 RESP_SECONDS=20 for a long overload).
set -eu
O=${1:?usage: bench-responsive.sh BUILD_DIR [OUT.json]}
out=${2:-}
secs=${RESP_SECONDS:-5}
nns=${RESP_NETNS:-100000}
phases=${RESP_PHASES:-all}
tmp=$(mktemp -d)
sock=$tmp/nsemu.sock
dpid=
cleanup() {
	if [ -n "$dpid" ]; then
		kill -TERM "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$O/nsemu" --daemon -t 2 -s "$sock" 2>"$tmp/daemon.err" &
dpid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$dpid" 2>/dev/null; then
		echo "bench-responsive: the daemon did not start:" >&2
		cat "$tmp/daemon.err" >&2
		exit 1
	fi
	sleep 0.05
done
ctl() { "$O/nsemuctl" -s "$sock" "$@"; }
ctl ip netns add probe
ctl ip -n probe link set lo up

# the idle namespaces' script, in chunks
awk -v n="$nns" -v d="$tmp" 'BEGIN {
	for (i = 0; i < n; i++) {
		f = sprintf("%s/ns-%d.nsemu", d, int(i / 1000))
		printf "ip netns add idle%d\nip -n idle%d link set lo up\n", i, i > f
	}
}'

echo "bench-responsive: daemon $dpid, ${secs} s per load, $nns idle namespaces" >&2
SOCK=$sock CTL=$O/nsemuctl DPID=$dpid SECS=$secs NNS=$nns TMP=$tmp OUT=$out PHASES=$phases python3 - <<'EOF'
import json, os, signal, subprocess, sys, time, glob

signal.signal(signal.SIGINT, lambda *a: sys.exit(130))  # Ctrl-C: quietly, the trap cleans up

sock, ctl, dpid = os.environ["SOCK"], os.environ["CTL"], int(os.environ["DPID"])
secs, nns, tmp, out = os.environ["SECS"], int(os.environ["NNS"]), os.environ["TMP"], os.environ["OUT"]
only_overload = os.environ["PHASES"] == "overload"
PROBE = [ctl, "-s", sock, "ip", "-n", "probe", "link", "show"]


def rss_kib():
    with open("/proc/%d/status" % dpid) as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


def probe_once(cmd=PROBE):
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ms = (time.monotonic() - t) * 1e3
    return ms, r.returncode == 0, r.stdout


def drops_now():
    """`show drops all` during a load: drops by reason summed over the
    namespaces, as the namespaces count them (a probe too)"""
    ms, ok, so = probe_once([ctl, "-s", sock, "show", "-j", "drops", "all"])
    tot = {}
    try:
        for ns in json.loads(so):
            for d in ns["drops"]:
                if d["reason"] != "TOTAL" and d["count"]:
                    tot[d["reason"]] = tot.get(d["reason"], 0) + d["count"]
    except (ValueError, KeyError, TypeError):
        ok = False
    return ms, ok, tot


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0.0


def phase(name, load=None, idle_seconds=2.0):
    """probe every 50 ms while LOAD (nsemuctl args) runs, or for idle_seconds"""
    rss0 = rss_kib()
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    lat, fails, rss_max = [], 0, rss0
    p = None
    if load:
        p = subprocess.Popen([ctl, "-s", sock] + load, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    t_end = t0 + idle_seconds
    t_drops = t0 + float(secs) / 2 if p else None
    live_drops = None
    slow = []  # (seconds since the load started, ms) of probes over 50 ms
    while (p.poll() is None) if p else (time.monotonic() < t_end):
        if t_drops and time.monotonic() >= t_drops:
            # a dump of every namespace: its time grows with their number
            # (printing them), so it is reported on its own, not as a probe
            t_drops = None
            drops_ms, ok, live_drops = drops_now()
            fails += not ok
            continue
        ms, ok, _ = probe_once()
        lat.append(ms)
        if ms > 50.0:
            slow.append([round(time.monotonic() - t0 - ms / 1e3, 2), round(ms, 1)])
        fails += not ok
        rss_max = max(rss_max, rss_kib())
        time.sleep(max(0.0, 0.05 - ms / 1e3))
    res = {"name": name, "samples": len(lat), "failed": fails,
           "p50_ms": pct(lat, 0.50), "p99_ms": pct(lat, 0.99), "max_ms": max(lat) if lat else 0.0,
           "over_100ms": sum(1 for x in lat if x > 100.0), "slow": slow,
           "loadavg": load1,
           "rss_kib": {"before": rss0, "during_max": rss_max}}
    if live_drops is not None:
        res["show_drops_during"] = live_drops
        res["show_drops_ms"] = drops_ms
    if p:
        so, se = p.communicate()
        res["load"] = " ".join(load)
        res["load_ok"] = p.returncode == 0
        try:
            b = json.loads(so)
            b = b[0] if isinstance(b, list) else b
            res["bench"] = {k: b.get(k) for k in ("sent", "received", "dropped", "drops", "seconds", "unaccounted",
                                                  "mpps", "offered_mpps", "window", "busy")}
        except ValueError:
            res["bench_error"] = (se or so).decode(errors="replace")[-300:]
    time.sleep(1.0)
    res["rss_kib"]["after"] = rss_kib()
    print("%-28s %4d probes  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  >100ms %d  RSS %d/%d/%d KiB%s" % (
        name, len(lat), res["p50_ms"], res["p99_ms"], res["max_ms"], res["over_100ms"],
        rss0, rss_max, res["rss_kib"]["after"],
        ("  drops %s" % (res["bench"]["drops"] or 0)) if "bench" in res else ""), file=sys.stderr)
    if live_drops is not None:
        print("%28s show drops all, mid-run (%.0f ms): %s" % ("", drops_ms, live_drops or "none"), file=sys.stderr)
    if slow:
        print("%28s slow probes (s after start: ms): %s" % ("", " ".join("%.2f:%.0f" % tuple(x) for x in slow)),
              file=sys.stderr)
    return res


fwd = ["bench", "fwd", "--hops", "4", "--threads", "2", "--seconds", secs, "-j"]
R = {"seconds": int(secs), "netns": nns, "phases": []}
overload = fwd + ["--no-window", "--rate", "1000000000"]
R["phases"].append(phase("idle"))
t = time.monotonic()
subprocess.run([ctl, "-s", sock, "ip", "netns", "list"], check=True, stdout=subprocess.DEVNULL)
R["netns_list_ms_empty"] = (time.monotonic() - t) * 1e3
if not only_overload:
    R["phases"].append(phase("fwd", fwd))
R["phases"].append(phase("overload", overload))

# N idle namespaces, created in chunks through nsemuctl -b (RESP_NETNS=0: none)
if nns:
    t = time.monotonic()
    chunks = sorted(glob.glob(os.path.join(tmp, "ns-*.nsemu")), key=lambda s: int(s.rsplit("-", 1)[1].split(".")[0]))
    for c in chunks:
        subprocess.run([ctl, "-s", sock, "-b", c], check=True, stdout=subprocess.DEVNULL)
    dt = time.monotonic() - t
    R["create_seconds"] = dt
    R["rss_kib_with_netns"] = rss_kib()
    print("created %d idle namespaces in %.1f s (%.0f/s, nsemuctl -b, chunks of 1000)" % (nns, dt, nns / dt), file=sys.stderr)
    t = time.monotonic()
    subprocess.run([ctl, "-s", sock, "ip", "netns", "list"], check=True, stdout=subprocess.DEVNULL)
    R["netns_list_ms"] = (time.monotonic() - t) * 1e3
    print("ip netns list with %d namespaces: %.1f ms" % (nns + 1, R["netns_list_ms"]), file=sys.stderr)
    R["phases"].append(phase("idle, %d netns" % nns))
    if not only_overload:
        R["phases"].append(phase("fwd, %d netns" % nns, fwd))
    R["phases"].append(phase("overload, %d netns" % nns, overload))
if out:
    with open(out, "w") as f:
        json.dump(R, f, indent=1)
bad = [p["name"] for p in R["phases"] if p["failed"] or not p.get("load_ok", True)]
if bad:
    print("bench-responsive: failed probes or loads in: %s" % ", ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
