// SPDX-License-Identifier: MIT
/*
 * Netfilter hook points on the router fixture
 *   A 10.0.1.2 --- eth0 10.0.1.1 [r] eth1 10.0.2.1 --- B 10.0.2.2
 * A FORWARD hook that drops stops forwarded datagrams on the single and
 * the batch path, counted as DROP_NETFILTER_DROP; LOCAL_IN, PRE_ROUTING and
 * POST_ROUTING hooks see what passes their point, LOCAL_OUT what is sent
 * locally; priorities order the hooks; NF_STOLEN takes the packet;
 * unregistering clears the slow word.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"

#include "netns/core/netfilter.h"
#include "netns/ipv4/ip.h"

static struct netns *ns;
static struct netdev *eth0, *eth1;

static int setup(void **state)
{
	(void)state;
	h_setup();
	ns = h_router("r", &eth0, &eth1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

struct hook_rec {
	unsigned calls;
	unsigned verdict;
	int order[8];
	int id;
	int *log;		/* shared call log for the priority test */
	unsigned *log_n;
	struct netdev *in, *out;
	uint8_t ttl;		/* TTL seen by the last call */
};

static unsigned rec_hook(void *priv, struct pkt *p, const struct nf_hook_state *st)
{
	struct hook_rec *r = priv;

	r->calls++;
	r->in = st->in;
	r->out = st->out;
	r->ttl = ((const struct iphdr *)p->data)->ttl;
	assert_ptr_equal(st->net, ns);
	if (r->log)
		r->log[(*r->log_n)++] = r->id;
	if (r->verdict == NF_STOLEN)
		pkt_free(p);
	return r->verdict;
}

static void frame_ab(uint8_t *f, size_t *len, const char *dst)
{
	static const uint8_t payload[64];
	size_t l = h_eth(f, H_R0_MAC, H_A_MAC, ETH_P_IP);

	l += h_ipv4(f + l, "10.0.1.2", dst, IPPROTO_UDP, 64, payload, sizeof(payload));
	*len = l;
}

static void rx_a(const char *dst)
{
	uint8_t f[200];
	size_t l;

	frame_ab(f, &l, dst);
	h_rx(eth0, f, l);
	h_run();
}

/* @n frames A -> @dst received on eth0 through dev_rx_batch. */
static void rx_a_batch(const char *dst, unsigned n)
{
	struct pkt_batch b;
	uint8_t f[200];
	size_t l;
	unsigned i;

	frame_ab(f, &l, dst);
	for (i = 0; i < n; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)l);

		assert_non_null(p);
		memcpy(p->data, f, l);
		p->dev = eth0;
		b.p[i] = p;
	}
	b.n = n;
	dev_rx_batch(&b);
	h_run();
}

static struct nf_hook_ops hook_ops(struct hook_rec *r, unsigned hooknum, int prio)
{
	struct nf_hook_ops o = {
		.hook = rec_hook, .priv = r, .pf = NFPROTO_IPV4,
		.hooknum = (uint8_t)hooknum, .priority = prio,
	};
	return o;
}

static void test_nf_forward_drop_single_and_batch(void **state)
{
	struct hook_rec r = { .verdict = NF_DROP };
	struct nf_hook_ops o = hook_ops(&r, NF_INET_FORWARD, 0);

	(void)state;
	assert_int_equal(ns->slow, 0);
	assert_int_equal(nf_register_net_hook(ns, &o), 0);
	assert_true(ns->slow & NS_SLOW_NF(NF_INET_FORWARD));
	rx_a("10.0.2.2");
	assert_int_equal(r.calls, 1);
	assert_ptr_equal(r.in, eth0);
	assert_ptr_equal(r.out, eth1);
	assert_int_equal(r.ttl, 63); /* after ip_forward's decrement */
	assert_int_equal(h_tx_count(eth1), 0);
	assert_drop(ns, NETFILTER_DROP, 1);
	assert_mib(ns, IpForwDatagrams, 0);

	rx_a_batch("10.0.2.2", 16);
	assert_int_equal(r.calls, 17);
	assert_int_equal(h_tx_count(eth1), 0);
	assert_drop(ns, NETFILTER_DROP, 17);
	assert_mib(ns, IpForwDatagrams, 0);

	/* gone again: both paths forward, the slow word is clear */
	nf_unregister_net_hook(ns, &o);
	assert_int_equal(ns->slow, 0);
	rx_a("10.0.2.2");
	rx_a_batch("10.0.2.2", 8);
	assert_int_equal(r.calls, 17);
	assert_int_equal(h_tx_count(eth1), 9);
	assert_mib(ns, IpForwDatagrams, 9);
	h_tx_flush(eth1);
}

static void test_nf_post_routing_single_and_batch(void **state)
{
	struct hook_rec r = { .verdict = NF_ACCEPT };
	struct nf_hook_ops o = hook_ops(&r, NF_INET_POST_ROUTING, 0);

	(void)state;
	assert_int_equal(nf_register_net_hook(ns, &o), 0);
	rx_a("10.0.2.2");
	assert_int_equal(r.calls, 1);
	assert_null(r.in);
	assert_ptr_equal(r.out, eth1);
	rx_a_batch("10.0.2.2", 12);
	assert_int_equal(r.calls, 13);
	assert_int_equal(h_tx_count(eth1), 13);

	r.verdict = NF_DROP;
	rx_a_batch("10.0.2.2", 4);
	assert_int_equal(r.calls, 17);
	assert_int_equal(h_tx_count(eth1), 13);
	assert_drop(ns, NETFILTER_DROP, 4);
	nf_unregister_net_hook(ns, &o);
	assert_int_equal(ns->slow, 0);
	h_tx_flush(eth1);
}

static void test_nf_local_in_and_pre_routing_count(void **state)
{
	struct hook_rec li = { .verdict = NF_ACCEPT }, pre = { .verdict = NF_ACCEPT };
	struct nf_hook_ops o_li = hook_ops(&li, NF_INET_LOCAL_IN, 0);
	struct nf_hook_ops o_pre = hook_ops(&pre, NF_INET_PRE_ROUTING, 0);

	(void)state;
	assert_int_equal(nf_register_net_hook(ns, &o_li), 0);
	assert_int_equal(nf_register_net_hook(ns, &o_pre), 0);
	/* to the router itself: both hooks (UDP to a closed port then sends
	 * port unreachable, which goes out on eth0) */
	rx_a("10.0.1.1");
	assert_int_equal(pre.calls, 1);
	assert_int_equal(li.calls, 1);
	assert_ptr_equal(li.in, eth0);
	assert_null(li.out);
	rx_a_batch("10.0.1.1", 5);
	assert_int_equal(pre.calls, 6);
	assert_int_equal(li.calls, 6);
	/* forwarded: PRE_ROUTING only, on both paths */
	rx_a("10.0.2.2");
	rx_a_batch("10.0.2.2", 7);
	assert_int_equal(pre.calls, 14);
	assert_int_equal(li.calls, 6);
	assert_int_equal(h_tx_count(eth1), 8);

	/* a PRE_ROUTING drop stops the datagram before routing */
	pre.verdict = NF_DROP;
	rx_a_batch("10.0.2.2", 3);
	assert_int_equal(h_tx_count(eth1), 8);
	assert_drop(ns, NETFILTER_DROP, 3);
	assert_mib(ns, IpForwDatagrams, 8);

	nf_unregister_net_hook(ns, &o_pre);
	assert_int_equal(ns->slow, NS_SLOW_NF(NF_INET_LOCAL_IN));
	nf_unregister_net_hook(ns, &o_li);
	assert_int_equal(ns->slow, 0);
	h_tx_flush(eth0);
	h_tx_flush(eth1);
}

static void test_nf_priority_order_and_stolen(void **state)
{
	int log[8];
	unsigned log_n = 0;
	struct hook_rec a = { .verdict = NF_ACCEPT, .id = 1, .log = log, .log_n = &log_n };
	struct hook_rec b = { .verdict = NF_STOLEN, .id = 2, .log = log, .log_n = &log_n };
	struct hook_rec c = { .verdict = NF_ACCEPT, .id = 3, .log = log, .log_n = &log_n };
	struct nf_hook_ops oa = hook_ops(&a, NF_INET_FORWARD, -10);
	struct nf_hook_ops ob = hook_ops(&b, NF_INET_FORWARD, 0);
	struct nf_hook_ops oc = hook_ops(&c, NF_INET_FORWARD, 10);
	struct nf_hook_ops bad = hook_ops(&a, NF_INET_NUMHOOKS, 0);

	(void)state;
	assert_int_equal(nf_register_net_hook(ns, &bad), -EINVAL);
	assert_int_equal(nf_register_net_hook(ns, &oc), 0);
	assert_int_equal(nf_register_net_hook(ns, &oa), 0);
	assert_int_equal(nf_register_net_hook(ns, &ob), 0);
	assert_int_equal(nf_register_net_hook(ns, &ob), -EBUSY);
	rx_a("10.0.2.2");
	/* a, then b steals: c never runs, nothing sent, no drop counted */
	assert_int_equal(log_n, 2);
	assert_int_equal(log[0], 1);
	assert_int_equal(log[1], 2);
	assert_int_equal(h_tx_count(eth1), 0);
	assert_drop(ns, NETFILTER_DROP, 0);
	nf_unregister_net_hook(ns, &ob);
	rx_a("10.0.2.2");
	assert_int_equal(log_n, 4);
	assert_int_equal(log[2], 1);
	assert_int_equal(log[3], 3);
	assert_int_equal(h_tx_count(eth1), 1);
	nf_unregister_net_hook(ns, &oa);
	nf_unregister_net_hook(ns, &oc);
	assert_int_equal(ns->slow, 0);
	h_tx_flush(eth1);
}

static void test_nf_local_out_sees_local_datagrams(void **state)
{
	struct hook_rec r = { .verdict = NF_ACCEPT };
	struct nf_hook_ops o = hook_ops(&r, NF_INET_LOCAL_OUT, 0);
	struct ip_send_args a = { .daddr = h_ip("10.0.2.2"), .protocol = IPPROTO_UDP };
	struct pkt *p;

	(void)state;
	assert_int_equal(nf_register_net_hook(ns, &o), 0);
	p = pkt_alloc(PKT_HR_NET, 8);
	assert_non_null(p);
	memset(p->data, 0, 8);
	assert_int_equal(ip_send(ns, p, &a), 0);
	assert_int_equal(r.calls, 1);
	assert_null(r.in);
	assert_ptr_equal(r.out, eth1);
	assert_int_equal(h_tx_count(eth1), 1);

	r.verdict = NF_DROP;
	p = pkt_alloc(PKT_HR_NET, 8);
	assert_non_null(p);
	memset(p->data, 0, 8);
	assert_int_equal(ip_send(ns, p, &a), 0);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, NETFILTER_DROP, 1);
	nf_unregister_net_hook(ns, &o);
	assert_int_equal(ns->slow, 0);
	h_tx_flush(eth1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nf_forward_drop_single_and_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nf_post_routing_single_and_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nf_local_in_and_pre_routing_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nf_priority_order_and_stolen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nf_local_out_sees_local_datagrams, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
