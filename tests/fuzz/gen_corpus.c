// SPDX-License-Identifier: MIT
/*
 * Seed corpora for the fuzz targets, from real input (`make fuzz-corpus`
 * writes tests/fuzz/corpus/; the result is committed):
 *
 *   cli/    every integration script (tests/integration/<object>/<case>.nsemu)
 *           and the command tour below, one file each;
 *   rtnl/   the datagrams those scripts send, recorded on their way into
 *           rtnl_process (linked with -Wl,--wrap=rtnl_process): one seed per
 *           script with the whole sequence, plus single datagrams (the first
 *           few of each message type and flags), plus hand-cut malformed
 *           ones;
 *   frame/  frames a neighbour would send into fuzz_frame's topology: ARP,
 *           pings to every kind of destination, UDP, TTL expiry, DF over
 *           the 1280 link, fragments (in order, overlapping, incomplete),
 *           options, broadcast, another host's MAC, runts and junk;
 *   tcp/    segments, ICMP errors and application calls for fuzz_tcp's
 *           connections, walking them through every state (handshakes,
 *           data in and out of order, RSTs and SYNs in and out of the
 *           window, each close, TIME_WAIT), and malformed headers.
 *           `gen_corpus OUTDIR INTEGRATION_DIR tcp` writes only these.
 *
 * Runs on the unit tests' fake worker: scripts' ping/traceroute lines are
 * skipped here (they make no control requests that the rest do not).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/netlink.h>

#include "devices/devices.h"
#include "cli/cmd.h"
#include "core/loop.h"
#include "netns/core/netns.h"
#include "netns/proto/eth.h"
#include "netns/proto/ip.h"
#include "netns/rtnl/rtnl.h"
#include "tests/fuzz/fuzz.h"

#define GEN_SEQ_MAX (1u << 20)

static const char *gen_out;
static uint8_t gen_seq[GEN_SEQ_MAX]; /* records of the script being run */
static size_t gen_seq_len;
static bool gen_recording;
static unsigned gen_nsingle;
static unsigned gen_type_seen[0x10000 / 16]; /* singles per (type, flags) bucket */

int __real_rtnl_process(struct rtnl_conn *c, const void *buf, size_t len, struct rtnl_out *out);
int __wrap_rtnl_process(struct rtnl_conn *c, const void *buf, size_t len, struct rtnl_out *out);

static void gen_write(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", gen_out, dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", gen_out, dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Append one record (fuzz.h) to @buf at *off. */
static void gen_rec(uint8_t *buf, size_t *off, size_t cap, uint8_t ctl, const void *data,
		    size_t len)
{
	if (len > FUZZ_REC_MAX || *off + 3 + len > cap) {
		fprintf(stderr, "gen_corpus: record too big\n");
		exit(1);
	}
	buf[(*off)++] = ctl;
	buf[(*off)++] = (uint8_t)(len >> 8);
	buf[(*off)++] = (uint8_t)len;
	memcpy(buf + *off, data, len);
	*off += len;
}

int __wrap_rtnl_process(struct rtnl_conn *c, const void *buf, size_t len, struct rtnl_out *out)
{
	if (gen_recording && len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = buf;
		unsigned bucket = (h->nlmsg_type ^ (h->nlmsg_flags << 4)) & 0xfff;
		char name[64];

		gen_rec(gen_seq, &gen_seq_len, sizeof(gen_seq), 0, buf, len);
		/* The first two of each kind also stand alone. */
		if (gen_type_seen[bucket]++ < 2) {
			uint8_t one[FUZZ_REC_MAX + 3];
			size_t n = 0;

			gen_rec(one, &n, sizeof(one), 0, buf, len);
			snprintf(name, sizeof(name), "single-%03u-type%04x", gen_nsingle++,
				 h->nlmsg_type);
			gen_write("rtnl", name, one, n);
		}
	}
	return __real_rtnl_process(c, buf, len, out);
}

/* ------------------------------------------------------------------ cli */

/* A tour of the commands the integration scripts do not reach. */
static const char gen_tour[] =
	"ip netns add a\n"
	"ip netns add b\n"
	"ip link add a0 netns a type veth peer name b0 netns b\n"
	"ip -n a link set a0 up\n"
	"ip -n b link set b0 up\n"
	"ip -n a link set a0 mtu 9000\n"
	"ip -n a link set a0 address 02:00:00:00:aa:01\n"
	"ip -n a link set a0 name a1\n"
	"ip -n a addr add 192.168.1.1/24 dev a1\n"
	"ip -n a addr add 192.168.1.2/24 dev a1\n"
	"ip -n a addr del 192.168.1.2/24 dev a1\n"
	"ip -n a route add 10.9.0.0/16 via 192.168.1.254 metric 10\n"
	"ip -n a route replace 10.9.0.0/16 via 192.168.1.253 metric 10\n"
	"ip -n a route add 10.8.0.0/16 dev a1 table 100 src 192.168.1.1\n"
	"ip -n a route add unreachable 10.7.0.0/16\n"
	"ip -n a route get 10.9.1.1\n"
	"ip -n a route show table all\n"
	"ip -n a route del 10.9.0.0/16\n"
	"ip -n a route add 10.6.0.0/16 via 192.168.1.254 mtu lock 1300\n"
	"ip -n a route add 10.5.0.0/16 via 192.168.1.254 mtu 1400\n"
	"ip -n a route get 10.6.1.1\n"
	"ip -n a route show cache\n"
	"ip -n a route flush cache\n"
	"ip -n a neigh add 192.168.1.7 lladdr 02:00:00:00:00:07 dev a1 nud reachable\n"
	"ip -n a neigh replace 192.168.1.7 lladdr 02:00:00:00:00:08 dev a1 nud permanent\n"
	"ip -n a neigh show nud all\n"
	"ip -n a neigh del 192.168.1.7 dev a1\n"
	"ip -n a neigh flush dev a1\n"
	"ip -j -p -n a addr show\n"
	"ip -s -s -d -n a link show a1\n"
	"ip -j link show\n"
	"ip -n a link set a1 alias 'uplink to b'\n"
	"ip -br -c=always -n a link\n"
	"ip -br -j -n a addr\n"
	"ip -o -s -n a link show a1\n"
	"ip -c -n a route\n"
	"ip -br -n a neigh\n"
	"ip -n a link set a1 alias ''\n"
	"ip -n a monitor label link address route neigh\n"
	"ip netns exec a sysctl -w net.ipv4.conf.all.rp_filter=1\n"
	"ip netns exec a sysctl net.ipv4.conf.a1.forwarding\n"
	"sysctl -a\n"
	"show drops all\n"
	"show threads\n"
	"nstat -n a -a -z\n"
	"ip netns list\n"
	"ip -n a addr flush dev a1\n"
	"ip -n a link del a1\n"
	"ip netns del b\n"
	"ip link add veth%d type veth\n"
	"ip li sh\n"
	"help\n";

/* Bad input the CLI must answer with an error and nothing changed. */
static const char gen_bad[] =
	"ip link add x type veth peer name 'unterminated\n"
	"ip -n nosuch link show\n"
	"ip link set lo mtu 99999999999999999999\n"
	"ip addr add 300.1.1.1/33 dev lo\n"
	"ip route add 10.0.0.0/8 via 10.0.0.1 dev nosuchdevicenameislong\n"
	"ip neigh add 1.2.3.4 lladdr zz:zz dev lo\n"
	"sysctl -w net.ipv4.ip_forward=7\n"
	"ping -c -1 -s 70000 1.2.3.4\n"
	"traceroute -m 0 -q 99 1.2.3.4\n"
	"ip link set lo alias\n"
	"ip -c=blue link\n"
	"ip monitor nosuch\n"
	"ip \"a\\\"b\" \\\n"
	"ip netns add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";

static bool gen_runnable(const char *line)
{
	/* apps wait on a clock the fake worker does not run by itself, and
	 * ip monitor until Ctrl-C (the fuzz target runs it interrupted) */
	return !strstr(line, "ping") && !strstr(line, "traceroute") &&
	       !strstr(line, "monitor");
}

/* Run a script on a fresh control path, recording its datagrams. */
static void gen_run_script(const char *name, const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	FILE *null = fopen("/dev/null", "w");
	struct cli_ctx c;
	char seed[128];

	if (!copy || !null)
		exit(1);
	gen_write("cli", name, text, strlen(text));
	loop_test_attach(1000000000ull);
	devices_init();
	if (rtnl_init())
		exit(1);
	cli_ctx_init(&c, null, null);
	gen_seq_len = 0;
	gen_recording = true;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (gen_runnable(line))
			cli_run_line(&c, line);
	gen_recording = false;
	cli_ctx_free(&c);
	rtnl_exit();
	loop_test_run(loop_now());
	if (netns_test_reset_ids())
		exit(1);
	snprintf(seed, sizeof(seed), "script-%s", name);
	if (gen_seq_len)
		gen_write("rtnl", seed, gen_seq, gen_seq_len);
	fclose(null);
	free(copy);
}

static void gen_cli_and_rtnl(const char *itdir)
{
	char pat[512];
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/*/*.nsemu", itdir);
	if (glob(pat, 0, NULL, &g)) {
		fprintf(stderr, "gen_corpus: no scripts in %s\n", itdir);
		exit(1);
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		static char text[65536];
		char name[256], *obj, *cas;
		size_t n;

		if (!f)
			exit(1);
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		/* <itdir>/<object>/<case>.nsemu -> <object>-<case> */
		snprintf(name, sizeof(name), "%s", g.gl_pathv[i] + strlen(itdir) + 1);
		obj = name;
		cas = strchr(name, '/');
		if (!cas)
			continue;
		*cas++ = '\0';
		*strrchr(cas, '.') = '\0';
		char seed[300];
		snprintf(seed, sizeof(seed), "it-%s-%s", obj, cas);
		gen_run_script(seed, text);
	}
	globfree(&g);
	gen_run_script("tour", gen_tour);
	gen_run_script("bad", gen_bad);
}

/* ----------------------------------------------------------------- rtnl */

/* Hand-cut malformed datagrams (DESIGN §7's list). */
static void gen_rtnl_malformed(void)
{
	struct {
		const char *name;
		uint8_t b[64];
		size_t len;
	} m[] = {
		/* nlmsg_len past the datagram */
		{ "bad-len-overrun", { 0xff, 0, 0, 0, 18, 0, 5, 0 }, 16 },
		/* family header cut short: RTM_NEWLINK with 4 of 16 bytes */
		{ "bad-short-ifinfomsg", { 20, 0, 0, 0, 16, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, 20 },
		/* RTM_NEWLINK whose IFLA_IFNAME nla_len overruns */
		{ "bad-nla-overrun",
		  { 40, 0, 0, 0, 16, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0x40, 0, 3, 0, 'x', 'y', 0, 0 }, 40 },
		/* RTM_NEWROUTE with an RTA_MULTIPATH nest inside itself */
		{ "bad-nested",
		  { 44, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
		    16, 0, 0x09 | 0x80, 0x80, 12, 0, 0x09, 0x80, 8, 0, 0x09, 0x80 }, 44 },
		/* RTM_NEWROUTE 192.168.0.0/24 whose RTA_MULTIPATH holds a
		 * struct rtnexthop with rtnh_len past the attribute */
		{ "bad-mp-rtnh-len",
		  { 48, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
		    8, 0, 1, 0, 192, 168, 0, 0,
		    12, 0, 9, 0, 200, 0, 0, 0, 1, 0, 0, 0 }, 48 },
		/* ... with 4 stray bytes after its one nexthop */
		{ "bad-mp-extra",
		  { 52, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
		    8, 0, 1, 0, 192, 168, 0, 0,
		    16, 0, 9, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4 }, 52 },
		/* ... with a 2-byte RTA_GATEWAY inside the nexthop */
		{ "bad-mp-short-gw",
		  { 56, 0, 0, 0, 24, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,
		    8, 0, 1, 0, 192, 168, 0, 0,
		    20, 0, 9, 0, 14, 0, 0, 0, 1, 0, 0, 0, 6, 0, 5, 0, 10, 0, 0, 0 }, 56 },
		/* unknown message type with NLM_F_ACK */
		{ "bad-type", { 16, 0, 0, 0, 0x34, 0x12, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0 }, 16 },
		/* a 16+ byte interface name */
		{ "bad-ifname",
		  { 56, 0, 0, 0, 16, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    24, 0, 3, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
		    'm', 'n', 'o', 'p', 'q', 'r', 's', 0 }, 56 },
		/* RTM_NEWRULE with src_len 33 and no FRA_SRC */
		{ "bad-rule-src-len",
		  { 28, 0, 0, 0, 32, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 0, 33, 0, 254, 0, 0, 1, 0, 0, 0, 0 }, 28 },
		/* RTM_NEWRULE priority 10, goto 5 (backward) */
		{ "bad-rule-goto-backward",
		  { 44, 0, 0, 0, 32, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
		    8, 0, 6, 0, 10, 0, 0, 0, 8, 0, 4, 0, 5, 0, 0, 0 }, 44 },
		/* RTM_DELRULE with 4 of the 12 header bytes */
		{ "bad-rule-del-short",
		  { 20, 0, 0, 0, 33, 0, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0 }, 20 },
		/* RTM_NEWRULE with a 17-character FRA_IIFNAME */
		{ "bad-rule-iifname",
		  { 52, 0, 0, 0, 32, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0,
		    22, 0, 3, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
		    'm', 'n', 'o', 'p', 'q', 0, 0, 0 }, 52 },
		/* RTM_NEWNEXTHOP with a 5-byte NHA_GROUP */
		{ "bad-nh-group-len",
		  { 36, 0, 0, 0, 104, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, 36 },
		/* RTM_NEWNEXTHOP with NHA_GROUPS (a dump filter) */
		{ "bad-nh-groups-in-new",
		  { 28, 0, 0, 0, 104, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 9, 0 }, 28 },
		/* RTM_DELNEXTHOP without NHA_ID */
		{ "bad-nh-del-noid",
		  { 24, 0, 0, 0, 105, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 24 },
		/* a nexthop dump with a scope in its header */
		{ "bad-nh-dump-scope",
		  { 24, 0, 0, 0, 106, 0, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, 24 },
		/* RTM_NEWLINK "r" of kind vrf with an empty IFLA_INFO_DATA */
		{ "bad-vrf-no-table",
		  { 56, 0, 0, 0, 16, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    6, 0, 3, 0, 'r', 0, 0, 0,
		    16, 0, 18, 0, 8, 0, 1, 0, 'v', 'r', 'f', 0, 4, 0, 2, 0 }, 56 },
		/* ... whose IFLA_VRF_TABLE has 2 bytes */
		{ "bad-vrf-table-short",
		  { 64, 0, 0, 0, 16, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    6, 0, 3, 0, 'r', 0, 0, 0,
		    24, 0, 18, 0, 8, 0, 1, 0, 'v', 'r', 'f', 0, 12, 0, 2, 0, 6, 0, 1, 0, 10, 0, 0, 0 }, 64 },
		/* RTM_NEWRULE with FRA_L3MDEV 2 */
		{ "bad-rule-l3mdev",
		  { 36, 0, 0, 0, 32, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0,
		    2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 5, 0, 19, 0, 2, 0, 0, 0 }, 36 },
		/* RTM_NEWLINK of ifindex 1 with a 2-byte IFLA_MASTER */
		{ "bad-link-master-short",
		  { 40, 0, 0, 0, 16, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 10, 0, 1, 0, 0, 0 }, 40 },
		/* RTM_NEWROUTE with RTA_NH_ID and RTA_OIF */
		{ "bad-nh-route-nhid-oif",
		  { 52, 0, 0, 0, 24, 0, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0, 2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0, 8, 0, 1, 0, 192, 168, 0, 0, 8, 0, 30, 0, 1, 0, 0, 0, 8, 0, 4, 0, 1, 0, 0, 0 }, 52 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		uint8_t rec[80];
		size_t n = 0;

		gen_rec(rec, &n, sizeof(rec), (uint8_t)(i & 1), m[i].b, m[i].len);
		gen_write("rtnl", m[i].name, rec, n);
	}
}

/* ---------------------------------------------------------------- frames */

/* fuzz_frame's devices (ctl bits 0-2) and MACs */
enum { D_H1, D_R0, D_R1, D_H2, D_LO };
#define C_FIX 8	    /* fix checksums */
#define C_BACKLOG 16 /* through netif_rx */
#define C_1S 0x20
#define C_40S 0x60
static const char *const MAC_H1 = "02:00:00:00:01:02", *const MAC_R0 = "02:00:00:00:01:01";
static const char *const MAC_R1 = "02:00:00:00:02:01", *const MAC_H2 = "02:00:00:00:02:02";
static const char *const MAC_BC = "ff:ff:ff:ff:ff:ff";

static void gen_mac(uint8_t *o, const char *mac)
{
	unsigned b[6];

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		exit(1);
	for (int i = 0; i < 6; i++)
		o[i] = (uint8_t)b[i];
}

static uint32_t gen_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		exit(1);
	return a.s_addr;
}

static size_t gen_eth(uint8_t *f, const char *dst, const char *src, uint16_t proto)
{
	gen_mac(f, dst);
	gen_mac(f + 6, src);
	f[12] = (uint8_t)(proto >> 8);
	f[13] = (uint8_t)proto;
	return 14;
}

static size_t gen_arp(uint8_t *f, const char *dmac, const char *smac, uint16_t op,
		      const char *sip, const char *tmac, const char *tip)
{
	size_t n = gen_eth(f, dmac, smac, 0x0806);
	uint8_t *a = f + n;
	uint32_t s = gen_ip(sip), t = gen_ip(tip);

	memcpy(a, (uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, (uint8_t)op }, 8);
	gen_mac(a + 8, smac);
	memcpy(a + 14, &s, 4);
	gen_mac(a + 18, tmac);
	memcpy(a + 24, &t, 4);
	return n + 28;
}

/* Ethernet + IPv4 (+ @optlen bytes of NOP options) + @pl. Checksums are
 * left to the fuzz target's fix-up (ctl bit 3). */
static size_t gen_ipv4(uint8_t *f, const char *dmac, const char *smac, const char *src,
		       const char *dst, uint8_t proto, uint8_t ttl, uint16_t frag, const void *pl,
		       size_t plen, size_t optlen)
{
	size_t n = gen_eth(f, dmac, smac, 0x0800), ihl = 20 + optlen;
	struct iphdr *iph = (struct iphdr *)(f + n);

	memset(iph, 0, ihl);
	iph->version = 4;
	iph->ihl = (uint8_t)(ihl / 4);
	iph->tot_len = htons((uint16_t)(ihl + plen));
	iph->id = htons(0x4242);
	iph->frag_off = htons(frag);
	iph->ttl = ttl;
	iph->protocol = proto;
	iph->saddr = gen_ip(src);
	iph->daddr = gen_ip(dst);
	memset(f + n + 20, 1, optlen); /* IPOPT_NOOP */
	memcpy(f + n + ihl, pl, plen);
	return n + ihl + plen;
}

/* ICMP echo request with @len bytes of pattern and a valid checksum (for
 * fragments, where the fix-up cannot see the whole datagram). */
static size_t gen_echo(uint8_t *b, uint8_t type, size_t len)
{
	uint32_t sum = 0;
	uint16_t c;

	memset(b, 0, 8);
	b[0] = type;
	b[5] = 7;  /* id */
	b[7] = 1;  /* seq */
	for (size_t i = 0; i < len; i++)
		b[8 + i] = (uint8_t)i;
	for (size_t i = 0; i < 8 + len; i += 2)
		sum += (uint32_t)(b[i] << 8 | (i + 1 < 8 + len ? b[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = htons((uint16_t)~sum);
	memcpy(b + 2, &c, 2);
	return 8 + len;
}

static size_t gen_udp(uint8_t *b, uint16_t sport, uint16_t dport, size_t len)
{
	b[0] = (uint8_t)(sport >> 8);
	b[1] = (uint8_t)sport;
	b[2] = (uint8_t)(dport >> 8);
	b[3] = (uint8_t)dport;
	b[4] = (uint8_t)((8 + len) >> 8);
	b[5] = (uint8_t)(8 + len);
	b[6] = b[7] = 0;
	memset(b + 8, 'u', len);
	return 8 + len;
}

static uint8_t gen_fbuf[1 << 16];
static size_t gen_flen;

static void gen_frame_add(uint8_t ctl, const uint8_t *f, size_t n)
{
	gen_rec(gen_fbuf, &gen_flen, sizeof(gen_fbuf), ctl, f, n);
}

static void gen_frame_seed(const char *name)
{
	gen_write("frame", name, gen_fbuf, gen_flen);
	gen_flen = 0;
}

/* One echo from h1 into r-eth0 to @dst. */
static void gen_h1_echo(const char *name, const char *src, const char *dst, uint8_t ttl,
			uint16_t frag, size_t len, uint8_t ctl)
{
	uint8_t f[2048], pl[1600];
	size_t n = gen_echo(pl, 8, len);

	gen_frame_add(ctl, f, gen_ipv4(f, MAC_R0, MAC_H1, src, dst, 1, ttl, frag, pl, n, 0));
	gen_frame_seed(name);
}

static void gen_frames(void)
{
	uint8_t f[4096], pl[4096];
	size_t n, m;

	gen_frame_add(0, f, gen_arp(f, MAC_BC, MAC_H1, 1, "10.0.1.2", "00:00:00:00:00:00",
				    "10.0.1.1"));
	gen_frame_seed("arp-request");
	gen_frame_add(0, f, gen_arp(f, MAC_R0, MAC_H1, 2, "10.0.1.2", MAC_R0, "10.0.1.1"));
	gen_frame_seed("arp-reply");
	gen_frame_add(0, f, gen_arp(f, MAC_BC, MAC_H1, 1, "10.0.1.2", MAC_BC, "10.0.1.2"));
	gen_frame_seed("arp-gratuitous");
	gen_frame_add(0, f, gen_arp(f, MAC_BC, MAC_H1, 1, "10.0.1.2", "00:00:00:00:00:00",
				    "10.0.1.99"));
	gen_frame_seed("arp-request-other");

	gen_h1_echo("echo-r", "10.0.1.2", "10.0.1.1", 64, 0, 56, D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-r-lo-addr", "10.0.1.2", "192.0.2.1", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-forward-h2", "10.0.1.2", "10.0.2.2", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-forward-via-h2", "10.0.1.2", "198.51.100.5", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-ttl1", "10.0.1.2", "10.0.2.2", 1, 0, 56, D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-blackhole", "10.0.1.2", "203.0.113.1", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-unreachable", "10.0.1.2", "203.0.113.200", 64, 0, 56,
		    D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-prohibit", "10.0.1.2", "100.64.1.1", 64, 0, 56, D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-no-route", "10.0.1.2", "8.8.8.8", 64, 0, 56, D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-df-over-mtu", "10.0.1.2", "10.0.2.2", 64, 0x4000, 1400,
		    D_R0 | C_FIX | C_1S);
	gen_h1_echo("echo-fragmented-on-output", "10.0.1.2", "10.0.2.2", 64, 0, 1400,
		    D_R0 | C_FIX);
	gen_h1_echo("echo-martian-src", "127.0.0.1", "10.0.1.1", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-rp-filter-src", "203.0.113.5", "10.0.2.2", 64, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-multicast", "10.0.1.2", "224.0.0.1", 1, 0, 56, D_R0 | C_FIX);
	gen_h1_echo("echo-backlog", "10.0.1.2", "10.0.1.1", 64, 0, 56,
		    D_R0 | C_FIX | C_BACKLOG | C_1S);
	gen_h1_echo("echo-bad-csum", "10.0.1.2", "10.0.1.1", 64, 0, 56, D_R0);

	/* broadcast and another host's MAC */
	n = gen_echo(pl, 8, 32);
	gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_BC, MAC_H1, "10.0.1.2", "10.0.1.255", 1,
						64, 0, pl, n, 0));
	gen_frame_seed("echo-broadcast");
	gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, "02:00:00:00:09:09", MAC_H1, "10.0.1.2",
						"10.0.1.1", 1, 64, 0, pl, n, 0));
	gen_frame_seed("otherhost");
	/* options: 8 bytes of NOPs */
	gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64,
						0, pl, n, 8));
	gen_frame_seed("echo-ip-options");
	/* an echo reply nobody asked for, an unknown protocol */
	m = gen_echo(pl, 0, 32);
	gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64,
						0, pl, m, 0));
	gen_frame_seed("echo-reply-unsolicited");
	gen_frame_add(D_R0 | C_FIX | C_1S, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
						       200, 64, 0, pl, m, 0));
	gen_frame_seed("proto-unreachable");
	/* an ICMP port unreachable quoting a UDP datagram from r */
	{
		uint8_t inner[64], q[128];
		size_t k = gen_udp(pl, 33434, 33435, 0);

		k = gen_ipv4(inner, MAC_R0, MAC_H1, "10.0.1.1", "10.0.1.2", 17, 1, 0, pl, k, 0);
		memset(q, 0, 8);
		q[0] = 3;
		q[1] = 3;
		memcpy(q + 8, inner + 14, k - 14);
		gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
							1, 64, 0, q, 8 + k - 14, 0));
		gen_frame_seed("icmp-error-to-r");
		/* frag needed (mtu 1400, then 0: below min_pmtu) and a
		 * redirect to 10.0.1.3, quoting the same datagram */
		q[0] = 3;
		q[1] = 4;
		q[6] = 1400 >> 8;
		q[7] = 1400 & 0xff;
		gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
							1, 64, 0, q, 8 + k - 14, 0));
		q[6] = q[7] = 0;
		gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
							1, 64, 0, q, 8 + k - 14, 0));
		gen_frame_seed("icmp-frag-needed-to-r");
		q[0] = 5;
		q[1] = 1;
		q[4] = 10;
		q[5] = 0;
		q[6] = 1;
		q[7] = 3;
		gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
							1, 64, 0, q, 8 + k - 14, 0));
		gen_frame_seed("icmp-redirect-to-r");
	}
	/* UDP: to a closed port of r, and forwarded to h2 */
	n = gen_udp(pl, 40000, 33434, 12);
	gen_frame_add(D_R0 | C_FIX | C_1S, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1",
						       17, 64, 0, pl, n, 0));
	gen_frame_seed("udp-port-unreachable");
	gen_frame_add(D_R0 | C_FIX, f, gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.2.2", 17, 64,
						0, pl, n, 0));
	gen_frame_seed("udp-forward");
	/* from the other side, on h2 and on r's lo */
	n = gen_echo(pl, 8, 56);
	gen_frame_add(D_H2 | C_FIX, f, gen_ipv4(f, MAC_H2, MAC_R1, "10.0.2.1", "10.0.2.2", 1, 64,
						0, pl, n, 0));
	gen_frame_seed("echo-h2");
	gen_frame_add(D_R1 | C_FIX | C_1S, f, gen_ipv4(f, MAC_R1, MAC_H2, "10.0.2.2", "10.0.1.2",
						       1, 64, 0, pl, n, 0));
	gen_frame_seed("echo-forward-h1-needs-arp");
	gen_frame_add(D_LO | C_FIX, f, gen_ipv4(f, "00:00:00:00:00:00", "00:00:00:00:00:00",
						"192.0.2.1", "192.0.2.1", 1, 64, 0, pl, n, 0));
	gen_frame_seed("echo-lo");
	gen_frame_add(D_H1 | C_FIX, f, gen_ipv4(f, MAC_H1, MAC_R0, "10.0.1.1", "10.0.1.2", 1, 64,
						0, pl, n, 0));
	gen_frame_seed("echo-h1");

	/* fragments of a 2000-byte echo to r: in order, reversed, overlapping,
	 * and a lone first fragment left to time out */
	n = gen_echo(pl, 8, 1992);
	{
		uint8_t f2[2048];
		size_t a = gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64, 0x2000, pl,
				    1480, 0);
		size_t b = gen_ipv4(f2, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64, 1480 / 8,
				    pl + 1480, n - 1480, 0);

		gen_frame_add(D_R0 | C_FIX, f, a);
		gen_frame_add(D_R0 | C_FIX | C_1S, f2, b);
		gen_frame_seed("frag-in-order");
		gen_frame_add(D_R0 | C_FIX, f2, b);
		gen_frame_add(D_R0 | C_FIX | C_1S, f, a);
		gen_frame_seed("frag-reversed");
		gen_frame_add(D_R0 | C_FIX, f, a);
		gen_frame_add(D_R0 | C_FIX | C_40S, f, a);
		gen_frame_seed("frag-duplicate-timeout");
		b = gen_ipv4(f2, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64, 1400 / 8,
			     pl + 1400, n - 1400, 0);
		gen_frame_add(D_R0 | C_FIX, f, a);
		gen_frame_add(D_R0 | C_FIX | C_1S, f2, b);
		gen_frame_seed("frag-overlap");
	}

	/* junk: runt, IPv6 ethertype, version 6 in an IPv4 frame, tot_len
	 * past the frame and short of it */
	gen_frame_add(D_R0, (const uint8_t *)"\x02\x00\x00\x00\x01\x01\x02\x00", 8);
	gen_frame_seed("runt");
	n = gen_eth(f, MAC_R0, MAC_H1, 0x86dd);
	memset(f + n, 0x60, 40);
	gen_frame_add(D_R0, f, n + 40);
	gen_frame_seed("ipv6-ethertype");
	n = gen_echo(pl, 8, 16);
	n = gen_ipv4(f, MAC_R0, MAC_H1, "10.0.1.2", "10.0.1.1", 1, 64, 0, pl, n, 0);
	f[14] = 0x65;
	gen_frame_add(D_R0 | C_FIX, f, n);
	gen_frame_seed("ip-version-6");
	f[14] = 0x45;
	f[16] = 0x05; /* tot_len += 1280 */
	gen_frame_add(D_R0 | C_FIX, f, n);
	gen_frame_seed("ip-truncated");
	memset(f + n, 0, 20);
	f[16] = 0x00;
	gen_frame_add(D_R0 | C_FIX, f, n + 20);
	gen_frame_seed("ip-padded");
}


/* ------------------------------------------------------------------ tcp */

/* fuzz_tcp's ctl bits (tests/fuzz/fuzz_tcp.c). */
#define T_FLOW0 0
#define T_FLOW1 1
#define T_NEW 2
#define T_RAW 3
#define T_ICMP 4
#define T_APP 5
#define T_FIX 8
#define T_REL 16
#define T_50MS 0x20
#define T_1S 0x40
#define T_70S 0x60
#define T_ACKALL 0x80 /* with T_REL: ack relative to snd_nxt */
#define T_SEG (T_FIX | T_REL)
/* TCP's flag bits (netns/proto/tcp.h, whose struct tcphdr meets glibc's
 * here through libnl's headers) */
#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10

static uint8_t gen_tbuf[1 << 16];
static size_t gen_tlen;

/* A TCP header (ports left to the target) + options + data. */
static void gen_tcp_seg(uint8_t ctl, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			const void *opts, size_t olen, const void *data, size_t dlen)
{
	uint8_t b[2048];
	size_t hl = 20 + olen;

	memset(b, 0, 20);
	b[4] = (uint8_t)(seq >> 24);
	b[5] = (uint8_t)(seq >> 16);
	b[6] = (uint8_t)(seq >> 8);
	b[7] = (uint8_t)seq;
	b[8] = (uint8_t)(ack >> 24);
	b[9] = (uint8_t)(ack >> 16);
	b[10] = (uint8_t)(ack >> 8);
	b[11] = (uint8_t)ack;
	b[12] = (uint8_t)((hl / 4) << 4);
	b[13] = flags;
	b[14] = (uint8_t)(win >> 8);
	b[15] = (uint8_t)win;
	if (olen)
		memcpy(b + 20, opts, olen);
	if (dlen)
		memcpy(b + hl, data, dlen);
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), ctl, b, hl + dlen);
}

/* A segment without options. */
static void gen_tseg(uint8_t ctl, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	gen_tcp_seg(ctl, seq, ack, flags, 65535, NULL, 0, data, data ? strlen(data) : 0);
}

/* An application call: socket slot, op, 16-bit argument. */
static void gen_tapp(uint8_t ctl, uint8_t slot, uint8_t op, uint16_t arg)
{
	uint8_t b[4] = { slot, op, (uint8_t)(arg >> 8), (uint8_t)arg };

	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_APP | ctl, b, 4);
}

/* An ICMP error quoting our segment of @flow at snd_una + @seq. */
static void gen_ticmp(uint8_t ctl, uint8_t type, uint8_t code, uint16_t mtu, uint8_t flow,
		      uint32_t seq)
{
	uint8_t b[5 + 8] = { type, code, (uint8_t)(mtu >> 8), (uint8_t)mtu, flow };

	b[9] = (uint8_t)(seq >> 24);
	b[10] = (uint8_t)(seq >> 16);
	b[11] = (uint8_t)(seq >> 8);
	b[12] = (uint8_t)seq;
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_ICMP | ctl, b, sizeof(b));
}

static void gen_tcp_seed(const char *name)
{
	gen_write("tcp", name, gen_tbuf, gen_tlen);
	gen_tlen = 0;
}

enum { T_OP_SEND, T_OP_RECV, T_OP_SHUT_WR, T_OP_SHUT_RD, T_OP_CLOSE, T_OP_CONNECT,
       T_OP_LISTEN, T_OP_SYSCTL };

static void gen_tcp(void)
{
	static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9,
					    0, 0, 0, 0, 1, 3, 3, 7 };
	static const uint8_t ts_opt[] = { 1, 1, 8, 10, 0, 0, 0, 20, 0, 0, 0, 0 };
	static const uint8_t bad_opts[][8] = {
		{ 2, 3, 5, 0xb4, 0, 0, 0, 0 },	/* MSS of length 3 */
		{ 3, 3, 30, 0, 0, 0, 0, 0 },	/* window scale 30 */
		{ 8, 40, 0, 0, 0, 0, 0, 0 },	/* option past the header */
		{ 1, 1, 1, 8, 0, 0, 0, 0 },	/* length 0 */
		{ 5, 10, 0, 0, 0, 1, 0, 0 },	/* SACK block, never agreed */
	};
	uint8_t raw[128];

	/* ESTABLISHED (flow 0): in order, out of order and the hole, old data */
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK | TCPHDR_PSH, "hello");
	gen_tseg(T_FLOW0 | T_SEG, 10, 0, TCPHDR_ACK, "world");
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK, "12345");
	gen_tseg(T_FLOW0 | T_SEG | T_50MS, (uint32_t)-10, 0, TCPHDR_ACK, "0123456789");
	gen_tapp(0, 1, T_OP_RECV, 4096);
	gen_tcp_seed("est-data-ooo-old");
	/* RST: exact, in window, outside; SYN (challenge ACKs) */
	gen_tseg(T_FLOW0 | T_SEG, 1000, 0, TCPHDR_RST, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0x40000000u, 0, TCPHDR_RST, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_SYN, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_RST, NULL);
	gen_tcp_seed("est-rst-syn");
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_RST | TCPHDR_ACK, NULL);
	gen_tapp(0, 1, T_OP_RECV, 16);
	gen_tcp_seed("est-rst-exact");
	/* ACK of data never sent, old ACK, no ACK bit, data past the window */
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 5000, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, (uint32_t)-70000, TCPHDR_ACK, "x");
	gen_tseg(T_FLOW0 | T_SEG, 1, 0, 0, "y");
	gen_tseg(T_FLOW0 | T_SEG, 200000, 0, TCPHDR_ACK, "z");
	gen_tcp_seed("est-bad-ack-window");
	/* the application sends; the peer ACKs part, nothing, then all */
	gen_tapp(0, 1, T_OP_SEND, 20000);
	gen_tseg(T_FLOW0 | T_SEG, 0, 1000, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, 1000, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, 1000, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_1S, 0, 1000, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK, NULL);
	gen_tcp_seed("est-send-dupacks-rto");
	/* a zero window, then the probe, then the window opens */
	gen_tcp_seg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK, 0, NULL, 0, NULL, 0);
	gen_tapp(0, 1, T_OP_SEND, 3000);
	gen_tapp(T_1S, 1, T_OP_RECV, 1);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK, NULL);
	gen_tcp_seed("est-zero-window-probe");

	/* the passive close: FIN -> CLOSE_WAIT, close -> LAST_ACK, ACK */
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK | TCPHDR_FIN, "bye");
	gen_tapp(0, 1, T_OP_RECV, 100);
	gen_tapp(0, 1, T_OP_SEND, 10);
	gen_tapp(0, 1, T_OP_CLOSE, 0);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK | TCPHDR_FIN, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK, NULL);
	gen_tcp_seed("close-wait-last-ack");
	/* the active close: FIN_WAIT1, FIN_WAIT2, TIME_WAIT, a SYN and a
	 * RST there, 70 s */
	gen_tapp(0, 1, T_OP_SHUT_WR, 0);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK, "late");
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK | TCPHDR_FIN, NULL);
	gen_tapp(0, 1, T_OP_CLOSE, 0);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, (uint32_t)-1, 0, TCPHDR_ACK | TCPHDR_FIN, NULL);
	gen_tseg(T_FLOW0 | T_SEG, 100000, 0, TCPHDR_SYN, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_70S, 0, 0, TCPHDR_RST, NULL);
	gen_tcp_seed("fin-wait-time-wait");
	/* simultaneous close: CLOSING */
	gen_tapp(0, 1, T_OP_CLOSE, 0);
	gen_tseg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK | TCPHDR_FIN, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 1, 0, TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW0 | T_SEG | T_70S, 1, 0, TCPHDR_ACK, "after");
	gen_tcp_seed("closing");
	/* an orphan that gets data: RST */
	gen_tapp(0, 1, T_OP_CLOSE, 0);
	gen_tseg(T_FLOW0 | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK, "more");
	gen_tcp_seed("orphan-data");

	/* flow 1 (options agreed): timestamps, data both ways */
	gen_tcp_seg(T_FLOW1 | T_SEG, 0, 0, TCPHDR_ACK, 1000, ts_opt, sizeof(ts_opt), "abc", 3);
	gen_tapp(0, 2, T_OP_SEND, 5000);
	gen_tcp_seg(T_FLOW1 | T_SEG | T_ACKALL, 3, 0, TCPHDR_ACK, 1000, ts_opt, sizeof(ts_opt),
		    NULL, 0);
	gen_tcp_seg(T_FLOW1 | T_SEG, 3, 0, TCPHDR_ACK | TCPHDR_FIN, 1000, ts_opt, sizeof(ts_opt),
		    NULL, 0);
	gen_tcp_seed("active-timestamps");
	/* ICMP errors: frag needed with data in flight, then a port
	 * unreachable about a new connect */
	gen_tapp(0, 2, T_OP_SEND, 3000);
	gen_ticmp(T_FIX | T_REL, 3, 4, 1280, 1, 0);
	gen_ticmp(T_FIX | T_REL, 3, 4, 60, 1, 0);
	gen_ticmp(T_FIX | T_REL, 11, 0, 0, 1, 0);
	gen_tapp(0, 2, T_OP_CLOSE, 0);
	gen_tapp(0, 0, T_OP_CONNECT, 0);
	gen_ticmp(T_FIX | T_REL | T_1S, 3, 3, 0, 1, 0);
	gen_tcp_seed("icmp-errors");
	gen_ticmp(T_FIX | T_REL, 3, 1, 0, 0, 0);
	gen_ticmp(T_FIX, 3, 3, 0, 0, 12345);
	gen_tcp_seed("icmp-soft-and-stale");

	/* the listener: SYN with options, the ACK, data; SYN then RST;
	 * SYN then its retransmission; an ACK, a RST, SYN|FIN */
	gen_tcp_seg(T_NEW | T_FIX, 7000, 0, TCPHDR_SYN, 65535, syn_opts, sizeof(syn_opts), NULL,
		    0);
	gen_tseg(T_NEW | T_SEG | T_ACKALL, 0, 0, TCPHDR_ACK, "GET /");
	gen_tcp_seed("listen-handshake");
	gen_tseg(T_NEW | T_FIX, 7000, 0, TCPHDR_SYN, NULL);
	gen_tseg(T_NEW | T_FIX, 7000, 0, TCPHDR_SYN, NULL);
	gen_tseg(T_NEW | T_SEG, 0, 5, TCPHDR_ACK, NULL);
	gen_tseg(T_NEW | T_SEG, 0, 0, TCPHDR_RST, NULL);
	gen_tseg(T_NEW | T_FIX | T_70S, 7000, 0, TCPHDR_SYN, NULL);
	gen_tcp_seed("listen-syn-recv-rst");
	gen_tseg(T_NEW | T_FIX, 1, 777, TCPHDR_ACK, NULL);
	gen_tseg(T_NEW | T_FIX, 1, 0, TCPHDR_RST, NULL);
	gen_tseg(T_NEW | T_FIX, 1, 0, TCPHDR_SYN | TCPHDR_FIN, NULL);
	gen_tseg(T_NEW | T_FIX, 1, 0, TCPHDR_SYN | TCPHDR_RST, NULL);
	gen_tcp_seed("listen-bad-flags");
	/* SYN_SENT: a new connect and bad answers to it (flow 1 follows the
	 * newest socket in slot 2) */
	gen_tapp(0, 2, T_OP_CLOSE, 0);
	gen_tapp(0, 0, T_OP_CONNECT, 0);
	gen_tseg(T_FLOW1 | T_FIX | T_REL | T_ACKALL, 0, 10, TCPHDR_SYN | TCPHDR_ACK, NULL);
	gen_tseg(T_FLOW1 | T_FIX, 9000, 0, TCPHDR_RST, NULL);
	gen_tseg(T_FLOW1 | T_FIX, 9000, 0, TCPHDR_SYN, NULL);
	gen_tseg(T_FLOW1 | T_FIX | T_REL | T_ACKALL | T_1S, 1, 0, TCPHDR_ACK, NULL);
	gen_tcp_seed("syn-sent-simultaneous-open");
	/* a listener with a small backlog, a sysctl change, and a flood */
	gen_tapp(0, 0, T_OP_SYSCTL, 0);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t b[20] = { 0 };

		b[1] = (uint8_t)i; /* source port: flow 2's low bits */
		b[7] = 1;
		b[12] = 5 << 4;
		b[13] = TCPHDR_SYN;
		gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_NEW | T_FIX, b, 20);
	}
	gen_tcp_seed("listen-flood");

	/* malformed: data offsets, checksum, options */
	gen_tseg(T_FLOW0 | T_REL, 0, 0, TCPHDR_ACK, "badcsum");
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_FLOW0 | T_SEG,
		(const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0xff, 0xff }, 16);
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_FLOW0 | T_SEG,
		(const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x10, 0xff, 0xff,
				   0, 0, 0, 0 }, 20);
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++)
		gen_tcp_seg(T_FLOW0 | T_SEG, 0, 0, TCPHDR_ACK, 65535, bad_opts[i], 8, "o", 1);
	gen_tcp_seed("malformed");
	/* raw datagrams: to the broadcast address, a fragment, a short one */
	memset(raw, 0, sizeof(raw));
	raw[0] = 0x45;
	raw[3] = 40;
	raw[8] = 64;
	raw[9] = IPPROTO_TCP;
	memcpy(raw + 12, (const uint8_t[]){ 10, 0, 0, 2, 10, 0, 0, 255 }, 8);
	raw[20] = 0x03;
	raw[21] = 0xe8;
	raw[23] = 80;
	raw[32] = 5 << 4;
	raw[33] = TCPHDR_SYN;
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_RAW | T_FIX, raw, 40);
	raw[19] = 1;
	raw[6] = 0x20; /* more fragments */
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_RAW | T_FIX, raw, 40);
	raw[6] = 0;
	raw[3] = 30;
	gen_rec(gen_tbuf, &gen_tlen, sizeof(gen_tbuf), T_RAW | T_FIX, raw, 30);
	gen_tcp_seed("raw");
}

int main(int argc, char **argv)
{
	if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "tcp"))) {
		fprintf(stderr, "usage: gen_corpus OUTDIR INTEGRATION_DIR [tcp]\n");
		return 2;
	}
	gen_out = argv[1];
	mkdir(gen_out, 0755);
	gen_tcp();
	if (argc == 4) {
		printf("gen_corpus: tcp seeds written to %s\n", gen_out);
		return 0;
	}
	gen_cli_and_rtnl(argv[2]);
	gen_rtnl_malformed();
	gen_frames();
	printf("gen_corpus: seeds written to %s\n", gen_out);
	return 0;
}
