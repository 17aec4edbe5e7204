// SPDX-License-Identifier: MIT
/*
 * veth across two real workers (runs under TSan too: the _mt suffix). The
 * test thread is the control thread: it creates a namespace on each
 * worker, a pair across them, and drives traffic by posting sender calls
 * to the workers. Frames cross through the pair's SPSC rings; every frame
 * sent is either received on the far end or counted as RING_FULL on the
 * sender. Deleting the pair (or a namespace) while traffic flows in both
 * directions must be clean: no leak, no use after free, no race.
 */
#include <string.h>
#include <time.h>

#include "devices/devices.h"
#include "netns/ipv4/ip.h"
#include "netns/rtnl/rtnl.h"
#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5
#define NFRAMES 100000u
#define CHUNK 256u

/* Frames received per worker, written only by that worker's ptype calls. */
static uint64_t rx_count[2];

static void test_ptype_rcv(struct pkt *p)
{
	rx_count[loop_worker_id(loop_current())]++;
	pkt_consume(p);
}

static struct packet_type test_ptype = { .type = ETH_P_TEST, .func = test_ptype_rcv };

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- running things on a worker ---- */

struct ns_req {
	const char *name;
	struct worker *w;
	struct netns *ns;
};

static void ns_create_fn(void *arg)
{
	struct ns_req *r = arg;

	r->ns = netns_create(r->name, r->w);
}

static struct netns *mt_ns(const char *name, unsigned worker)
{
	struct ns_req r = { .name = name, .w = loop_worker(worker) };

	loop_call_sync(r.w, ns_create_fn, &r);
	assert_non_null(r.ns);
	assert_int_equal(netns_register(r.ns), 0);
	return r.ns;
}

static void ns_destroy_fn(void *arg)
{
	netns_destroy(arg);
}

static void mt_ns_destroy(struct netns *ns)
{
	netns_unregister(ns);
	loop_call_sync(ns->owner, ns_destroy_fn, ns);
}

struct dev_req {
	struct netns *ns;
	const char *name;
	struct netdev *dev;
	bool open;
	uint32_t flags;
	uint64_t rx_packets, tx_dropped, ring_full, dev_down, dev_gone;
	uint8_t addr[ETH_ALEN];
};

/* Look a device up on the owner and snapshot what the test needs (O5). */
static void dev_snap_fn(void *arg)
{
	struct dev_req *r = arg;

	r->dev = dev_get_by_name(r->ns, r->name);
	r->ring_full = r->ns->drop[DROP_RING_FULL];
	r->dev_down = r->ns->drop[DROP_DEV_DOWN];
	r->dev_gone = r->ns->drop[DROP_DEV_GONE];
	if (!r->dev)
		return;
	if (r->open)
		dev_open(r->dev);
	r->flags = r->dev->flags;
	r->rx_packets = r->dev->stats.rx_packets;
	r->tx_dropped = r->dev->stats.tx_dropped;
	memcpy(r->addr, r->dev->addr, ETH_ALEN);
}

static struct dev_req dev_snap(struct netns *ns, const char *name, bool open)
{
	struct dev_req r = { .ns = ns, .name = name, .open = open };

	loop_call_sync(ns->owner, dev_snap_fn, &r);
	return r;
}

static void read_rx_fn(void *arg)
{
	uint64_t *out = arg;

	*out = rx_count[loop_worker_id(loop_current())];
}

static uint64_t read_rx(unsigned worker)
{
	uint64_t v;

	loop_call_sync(loop_worker(worker), read_rx_fn, &v);
	return v;
}

/* ---- a sender living on one worker ---- */

struct sender {
	struct netns *ns; /* the fields below belong to ns's owner */
	int ifindex;
	uint8_t dst[ETH_ALEN];
	uint64_t limit, sent;
	bool done;
};

static void sender_chunk(void *arg)
{
	struct sender *s = arg;
	struct netdev *dev = dev_get_by_index(s->ns, s->ifindex);
	unsigned i;

	/* The device is looked up per chunk, as an application would: once
	 * it has been deleted the sender stops. */
	if (!dev) {
		s->done = true;
		return;
	}
	for (i = 0; i < CHUNK && s->sent < s->limit; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_LINK, 46);

		if (!p)
			break; /* pool cap: try again next chunk */
		memset(p->data, 0x5a, 46);
		eth_header(p, s->dst, dev->addr, ETH_P_TEST);
		p->dev = dev;
		dev_queue_xmit(p);
		s->sent++;
	}
	if (s->sent < s->limit)
		loop_call(s->ns->owner, sender_chunk, s);
	else
		s->done = true;
}

struct sender_snap {
	struct sender *s;
	struct sender out;
};

static void sender_read_fn(void *arg)
{
	struct sender_snap *r = arg;

	r->out = *r->s;
}

/* Snapshot of a sender, read on its worker. */
static struct sender sender_read(struct sender *s)
{
	struct sender_snap r = { .s = s };

	loop_call_sync(s->ns->owner, sender_read_fn, &r);
	return r.out;
}

static void sender_start(struct sender *s, struct netns *ns, const struct dev_req *from,
			 const struct dev_req *to, uint64_t limit)
{
	memset(s, 0, sizeof(*s));
	s->ns = ns;
	s->ifindex = from->dev->ifindex;
	memcpy(s->dst, to->addr, ETH_ALEN);
	s->limit = limit;
	loop_call(ns->owner, sender_chunk, s);
}

/* ---- fixtures ---- */

static struct netns *n0, *n1;

static int group_setup(void **state)
{
	assert_int_equal(loop_init(2), 0);
	inet_init();
	devices_init();
	dev_add_pack(&test_ptype);
	return 0;
}

static int group_teardown(void **state)
{
	loop_shutdown();
	return 0;
}

/* Two namespaces on two workers joined by a0 (worker 0) - b0 (worker 1),
 * both up, waiting until the carrier messages made both ends RUNNING. */
static int setup(void **state)
{
	struct dev_req a, b;
	unsigned i;

	n0 = mt_ns("w0", 0);
	n1 = mt_ns("w1", 1);
	assert_int_equal(veth_create_pair(n0, "a0", n1, "b0", NULL), 0);
	dev_snap(n0, "a0", true);
	dev_snap(n1, "b0", true);
	for (i = 0; i < 10000; i++) {
		a = dev_snap(n0, "a0", false);
		b = dev_snap(n1, "b0", false);
		if ((a.flags & IFF_RUNNING) && (b.flags & IFF_RUNNING))
			break;
		sleep_us(100);
	}
	assert_true(a.flags & IFF_RUNNING);
	assert_true(b.flags & IFF_RUNNING);
	return 0;
}

static void pair_count_fn(void *arg)
{
	*(unsigned *)arg = veth_pair_count();
}

/* Cross-worker pairs not yet freed, summed over the workers. */
static unsigned pairs_live(void)
{
	unsigned i, n, sum = 0;

	for (i = 0; i < loop_nworkers(); i++) {
		loop_call_sync(loop_worker(i), pair_count_fn, &n);
		sum += n;
	}
	return sum;
}

static int teardown(void **state)
{
	unsigned i;

	if (n0)
		mt_ns_destroy(n0);
	if (n1)
		mt_ns_destroy(n1);
	n0 = n1 = NULL;
	/* a teardown chain across workers may still be finishing */
	for (i = 0; i < 10000 && pairs_live() != 0; i++)
		sleep_us(100);
	assert_int_equal(pairs_live(), 0);
	/* packets freed on one worker may still be counted by the other for
	 * a moment: wait for the count to settle */
	for (i = 0; i < 1000 && pkt_in_use() != 0; i++)
		sleep_us(1000);
	assert_int_equal(pkt_in_use(), 0);
	return 0;
}

/* ---- tests ---- */

static void test_veth_mt_frames_cross_workers_or_count_ring_full(void **state)
{
	struct dev_req a = dev_snap(n0, "a0", false), b = dev_snap(n1, "b0", false);
	uint64_t rx0 = read_rx(1), received = 0;
	struct sender s, snap;
	unsigned i;

	sender_start(&s, n0, &a, &b, NFRAMES);
	for (i = 0; i < 20000; i++) {
		snap = sender_read(&s);
		a = dev_snap(n0, "a0", false);
		received = read_rx(1) - rx0;
		if (snap.done && received + a.ring_full == NFRAMES)
			break;
		sleep_us(1000);
	}
	print_message("veth_mt: %llu received, %llu RING_FULL\n", (unsigned long long)received,
		      (unsigned long long)a.ring_full);
	assert_true(snap.done);
	assert_int_equal(snap.sent, NFRAMES);
	assert_int_equal(received + a.ring_full, NFRAMES);
	assert_true(received > 0);
	/* each end counts its own side */
	b = dev_snap(n1, "b0", false);
	assert_int_equal(b.rx_packets, received);
	assert_int_equal(a.tx_dropped, a.ring_full);
	assert_int_equal(a.dev_down, 0);
}

static void test_veth_mt_delete_while_traffic_flows_is_clean(void **state)
{
	struct dev_req a = dev_snap(n0, "a0", false), b = dev_snap(n1, "b0", false);
	struct sender sa, sb;
	unsigned i;

	/* both directions at once, far more than will be sent */
	sender_start(&sa, n0, &a, &b, UINT64_MAX);
	sender_start(&sb, n1, &b, &a, UINT64_MAX);
	sleep_us(20000);
	veth_delete(a.dev);
	/* both ends are gone, and the pair freed, when veth_delete returns */
	assert_int_equal(pairs_live(), 0);
	assert_null(dev_snap(n0, "a0", false).dev);
	assert_null(dev_snap(n1, "b0", false).dev);
	for (i = 0; i < 10000; i++) {
		if (sender_read(&sa).done && sender_read(&sb).done)
			break;
		sleep_us(1000);
	}
	assert_true(sender_read(&sa).done);
	assert_true(sender_read(&sb).done);
	assert_true(sender_read(&sa).sent > 0);
}

/* On a0's worker, in one call: send a few frames (fewer than a stage
 * holds, so they wait in a0's stage for its task), then delete a0. */
struct staged_req {
	struct netns *ns;
	unsigned n;
};

static void send_then_delete_fn(void *arg)
{
	struct staged_req *r = arg;
	struct netdev *dev = dev_get_by_name(r->ns, "a0");
	uint8_t dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };

	for (unsigned i = 0; i < r->n; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_LINK, 46);

		assert_non_null(p);
		memset(p->data, 0x5a, 46);
		eth_header(p, dst, dev->addr, ETH_P_TEST);
		p->dev = dev;
		dev_queue_xmit(p);
	}
	dev_unregister(dev);
}

static void test_veth_mt_delete_with_staged_frames_drops_them_dev_gone(void **state)
{
	struct staged_req r = { .ns = n0, .n = 5 };
	uint64_t rx0 = read_rx(1), gone0 = dev_snap(n0, "a0", false).dev_gone;
	unsigned i;

	loop_call_sync(n0->owner, send_then_delete_fn, &r);
	for (i = 0; i < 10000 && pairs_live() != 0; i++)
		sleep_us(100);
	assert_int_equal(pairs_live(), 0);
	assert_null(dev_snap(n1, "b0", false).dev);
	/* the staged frames never reached the ring: dropped with their end */
	assert_int_equal(dev_snap(n0, "a0", false).dev_gone - gone0, r.n);
	assert_int_equal(read_rx(1) - rx0, 0);
}

/* Once dev_async_wait returns (what `ip netns del` waits for), the far
 * end of a pair across workers is gone and the pair freed. */
static void test_veth_mt_netns_destroy_then_async_wait_far_end_gone(void **state)
{
	assert_int_equal(pairs_live(), 1);
	mt_ns_destroy(n0);
	n0 = NULL;
	assert_true(dev_async_wait());
	assert_int_equal(pairs_live(), 0);
	assert_null(dev_snap(n1, "b0", false).dev);
}

static void test_veth_mt_netns_destroy_removes_far_end(void **state)
{
	struct dev_req a = dev_snap(n0, "a0", false), b = dev_snap(n1, "b0", false);
	struct sender sb;
	unsigned i;

	/* traffic toward the namespace being destroyed */
	sender_start(&sb, n1, &b, &a, UINT64_MAX);
	sleep_us(10000);
	mt_ns_destroy(n0);
	n0 = NULL;
	/* without dev_async_wait the far end goes asynchronously */
	for (i = 0; i < 10000 && dev_snap(n1, "b0", false).dev; i++)
		sleep_us(100);
	assert_null(dev_snap(n1, "b0", false).dev);
	for (i = 0; i < 10000 && !sender_read(&sb).done; i++)
		sleep_us(1000);
	assert_true(sender_read(&sb).done);
}

static void destroy_here_fn(void *arg)
{
	rtnl_netns_destroy_here(arg);
}

/* DELNS as a run does it (the namespace and its devices freed in one
 * call on the owner) while the far end keeps sending: frames that
 * reach the dead end's ring afterwards are dropped without counting into
 * the freed namespace (ASan: no use after free). */
static void test_veth_mt_delns_in_a_run_while_frames_arrive(void **state)
{
	struct dev_req a = dev_snap(n0, "a0", false), b = dev_snap(n1, "b0", false);
	struct sender sb;
	unsigned i;

	sender_start(&sb, n1, &b, &a, UINT64_MAX);
	sleep_us(10000);
	loop_call_sync(n0->owner, destroy_here_fn, n0);
	n0 = NULL;
	for (i = 0; i < 10000 && pairs_live() != 0; i++)
		sleep_us(100);
	assert_int_equal(pairs_live(), 0);
	assert_null(dev_snap(n1, "b0", false).dev);
	for (i = 0; i < 10000 && !sender_read(&sb).done; i++)
		sleep_us(1000);
	assert_true(sender_read(&sb).done);
	assert_true(sender_read(&sb).sent > 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_veth_mt_frames_cross_workers_or_count_ring_full),
		T(test_veth_mt_delete_while_traffic_flows_is_clean),
		T(test_veth_mt_delete_with_staged_frames_drops_them_dev_gone),
		T(test_veth_mt_netns_destroy_then_async_wait_far_end_gone),
		T(test_veth_mt_netns_destroy_removes_far_end),
		T(test_veth_mt_delns_in_a_run_while_frames_arrive),
	};

	return cmocka_run_group_tests_name("veth_mt", tests, group_setup, group_teardown);
}
