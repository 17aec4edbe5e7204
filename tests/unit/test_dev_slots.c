// SPDX-License-Identifier: MIT
/*
 * The device core's attachment points: a packet_type with a batch entry
 * (dev_add_pack / dev_remove_pack), an rx_handler on a veth end that
 * consumes frames (they never reach the ptypes) or passes them on, one
 * that moves them to another device (RX_HANDLER_ANOTHER), and a qdisc on a
 * veth end that holds frames until it releases them, in order.
 */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"
#include "netns/core/capture.h"
#include "netns/core/sch_generic.h"
#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5

static unsigned rcv_count, list_count, list_calls;
static struct netdev *rcv_dev;
static uint8_t rcv_seq[16];

static void test_rcv(struct pkt *p)
{
	if (rcv_count < sizeof(rcv_seq))
		rcv_seq[rcv_count] = p->data[0];
	rcv_count++;
	rcv_dev = p->dev;
	pkt_consume(p);
}

static void test_list_rcv(struct pkt_batch *b)
{
	unsigned i;

	list_calls++;
	for (i = 0; i < b->n; i++) {
		list_count++;
		pkt_consume(b->p[i]);
	}
}

static struct packet_type test_pt = { .type = ETH_P_TEST, .func = test_rcv };

static int setup(void **state)
{
	(void)state;
	h_setup();
	dev_add_pack(&test_pt);
	rcv_count = list_count = list_calls = 0;
	rcv_dev = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* A test frame whose first payload byte is @seq, sent on @from to @to's MAC. */
static void send_frame(struct netdev *from, const struct netdev *to, uint8_t seq)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 46);

	assert_non_null(p);
	memset(p->data, seq, 46);
	eth_header(p, to->addr, from->addr, ETH_P_TEST);
	p->dev = from;
	dev_queue_xmit(p);
}

static void veth_pair(struct netns *ns, struct netdev **a, struct netdev **b)
{
	assert_int_equal(veth_create_pair(ns, "a0", ns, "b0", NULL), 0);
	*a = dev_get_by_name(ns, "a0");
	*b = dev_get_by_name(ns, "b0");
	dev_open(*a);
	dev_open(*b);
	h_run();
}

static void test_packet_type_list_func_and_remove(void **state)
{
	struct netns *ns = h_ns("n");
	struct packet_type pt = { .type = ETH_P_TEST, .func = test_rcv, .list_func = test_list_rcv };
	struct netdev *a, *b;
	unsigned i;

	(void)state;
	veth_pair(ns, &a, &b);
	dev_add_pack(&pt); /* replaces test_pt */
	for (i = 0; i < 4; i++)
		send_frame(a, b, (uint8_t)i);
	h_run();
	/* queued on the backlog and received as one batch */
	assert_int_equal(list_count, 4);
	assert_int_equal(list_calls, 1);
	assert_int_equal(rcv_count, 0);
	dev_remove_pack(&pt);
	send_frame(a, b, 9);
	h_run();
	assert_int_equal(list_count, 4);
	assert_int_equal(rcv_count, 0);
	assert_drop(ns, UNHANDLED_PROTO, 1);
	dev_add_pack(&test_pt);
}

static unsigned handled;

static rx_handler_result_t consume_handler(struct pkt **pp)
{
	struct pkt *p = *pp;

	assert_ptr_equal(p->dev->rx_handler_data, &handled);
	/* data at L3, the Ethernet header before it */
	assert_ptr_equal(p->data, pkt_l2(p) + ETH_HLEN);
	handled++;
	pkt_consume(p);
	return RX_HANDLER_CONSUMED;
}

static rx_handler_result_t pass_handler(struct pkt **pp)
{
	(void)pp;
	handled++;
	return RX_HANDLER_PASS;
}

static struct netdev *another_dev;

static rx_handler_result_t another_handler(struct pkt **pp)
{
	handled++;
	(*pp)->dev = another_dev;
	return RX_HANDLER_ANOTHER;
}

static void test_rx_handler_consumes_frames(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b;
	unsigned i;

	(void)state;
	veth_pair(ns, &a, &b);
	handled = 0;
	assert_int_equal(netdev_rx_handler_register(b, consume_handler, &handled), 0);
	assert_int_equal(netdev_rx_handler_register(b, pass_handler, NULL), -EBUSY);
	for (i = 0; i < 5; i++)
		send_frame(a, b, (uint8_t)i);
	h_run();
	assert_int_equal(handled, 5);
	assert_int_equal(rcv_count, 0);
	assert_int_equal(b->stats.rx_packets, 5);
	netdev_rx_handler_unregister(b);
	assert_null(b->rx_handler);
	send_frame(a, b, 7);
	h_run();
	assert_int_equal(handled, 5);
	assert_int_equal(rcv_count, 1);
}

static void test_rx_handler_pass_and_another(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b, *other = h_fake_dev(ns, "other", NULL);

	(void)state;
	veth_pair(ns, &a, &b);
	handled = 0;
	assert_int_equal(netdev_rx_handler_register(b, pass_handler, NULL), 0);
	send_frame(a, b, 1);
	h_run();
	assert_int_equal(handled, 1);
	assert_int_equal(rcv_count, 1);
	assert_ptr_equal(rcv_dev, b);
	netdev_rx_handler_unregister(b);

	another_dev = other;
	assert_int_equal(netdev_rx_handler_register(b, another_handler, NULL), 0);
	assert_int_equal(netdev_rx_handler_register(other, pass_handler, NULL), 0);
	send_frame(a, b, 2);
	h_run();
	/* b's handler, then other's, then the ptype sees it on other */
	assert_int_equal(handled, 3);
	assert_int_equal(rcv_count, 2);
	assert_ptr_equal(rcv_dev, other);
	netdev_rx_handler_unregister(b);
	netdev_rx_handler_unregister(other);
}

/* RX_HANDLER_ANOTHER (__netif_receive_skb_core's another_round): a
 * capture on the device the frame moves to sees it, link header included,
 * as tcpdump on a bridge or VLAN device does. */
static void test_rx_handler_another_device_is_captured(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b, *other = h_fake_dev(ns, "other", NULL);
	struct capture_config cfg = { 0 };
	struct capture *cap = capture_create(&cfg);
	enum capture_end end = CAPTURE_RUNNING;
	struct capture_batch *batch;
	const struct capture_rec *r;
	size_t off = 0;
	uint16_t type;

	(void)state;
	veth_pair(ns, &a, &b);
	assert_int_equal(dev_open(other), 0);
	assert_non_null(cap);
	assert_int_equal(capture_attach(ns, "other", cap, &type, NULL), 0);
	another_dev = other;
	assert_int_equal(netdev_rx_handler_register(b, another_handler, NULL), 0);
	send_frame(a, b, 9);
	h_run();
	assert_int_equal(rcv_count, 1);
	assert_ptr_equal(rcv_dev, other);
	batch = capture_next(cap, 0, &end);
	assert_non_null(batch);
	r = capture_batch_rec(batch, &off);
	assert_non_null(r);
	assert_int_equal(r->len, ETH_HLEN + 46);
	assert_memory_equal(r->data, b->addr, ETH_ALEN); /* the Ethernet header */
	assert_int_equal(r->data[ETH_HLEN], 9);
	assert_null(capture_batch_rec(batch, &off));
	capture_batch_release(cap, batch);
	netdev_rx_handler_unregister(b);
	capture_request_stop(cap);
	h_run();
	while (capture_next(cap, 0, &end))
		;
	capture_destroy(cap);
}

/* A test FIFO that holds frames until it has `hold` of them, then lets
 * every queued frame go. */
struct hold_fifo {
	unsigned hold;
	bool open;
};

static int hold_enqueue(struct pkt *p, struct Qdisc *q)
{
	if (q->q.len >= 8)
		return qdisc_drop(p, q);
	pkt_queue_push(&q->q, p);
	return NET_XMIT_SUCCESS;
}

static struct pkt *hold_dequeue(struct Qdisc *q)
{
	struct hold_fifo *f = qdisc_priv(q);

	if (q->q.len >= f->hold)
		f->open = true;
	if (!f->open)
		return NULL;
	if (q->q.len == 1)
		f->open = false;
	return pkt_queue_pop(&q->q);
}

static const struct Qdisc_ops hold_ops = {
	.id = "hold",
	.priv_size = sizeof(struct hold_fifo),
	.enqueue = hold_enqueue,
	.dequeue = hold_dequeue,
};

static void test_qdisc_holds_then_releases_in_order(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b;
	struct Qdisc *q;
	unsigned i;

	(void)state;
	veth_pair(ns, &a, &b);
	q = qdisc_create(a, &hold_ops);
	assert_non_null(q);
	((struct hold_fifo *)qdisc_priv(q))->hold = 3;
	assert_int_equal(dev_qdisc_attach(a, q), 0);
	assert_int_equal(dev_qdisc_attach(a, q), -EBUSY);
	send_frame(a, b, 1);
	send_frame(a, b, 2);
	h_run();
	/* waiting in the qdisc: nothing sent or counted yet */
	assert_int_equal(q->q.len, 2);
	assert_int_equal(a->stats.tx_packets, 0);
	assert_int_equal(rcv_count, 0);
	send_frame(a, b, 3);
	h_run();
	assert_int_equal(q->q.len, 0);
	assert_int_equal(a->stats.tx_packets, 3);
	assert_int_equal(rcv_count, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(rcv_seq[i], i + 1);

	/* what is still queued when the qdisc goes is dropped as its own */
	send_frame(a, b, 4);
	assert_int_equal(q->q.len, 1);
	dev_qdisc_detach(a);
	assert_null(a->qdisc);
	assert_drop(ns, QDISC_DROP, 1);
	send_frame(a, b, 5);
	h_run();
	assert_int_equal(rcv_count, 4);
	assert_int_equal(rcv_seq[3], 5);
}

/* dev_shutdown: a device that goes takes its qdisc and the frames it held
 * (dropped as QDISC_DROP, nothing leaked). */
static void test_qdisc_goes_with_its_device(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b;
	struct Qdisc *q;

	(void)state;
	veth_pair(ns, &a, &b);
	q = qdisc_create(a, &hold_ops);
	assert_non_null(q);
	((struct hold_fifo *)qdisc_priv(q))->hold = 8;
	assert_int_equal(dev_qdisc_attach(a, q), 0);
	send_frame(a, b, 1);
	send_frame(a, b, 2);
	assert_int_equal(q->q.len, 2);
	dev_unregister(a);
	h_run();
	assert_drop(ns, QDISC_DROP, 2);
	assert_int_equal(rcv_count, 0);
}

/* dev_deactivate on `ip link set dev down`: what the qdisc holds is
 * dropped as QDISC_DROP; the qdisc stays and carries frames once the
 * device is up again. */
static void test_qdisc_reset_when_its_device_goes_down(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *a, *b;
	struct Qdisc *q;

	(void)state;
	veth_pair(ns, &a, &b);
	q = qdisc_create(a, &hold_ops);
	assert_non_null(q);
	((struct hold_fifo *)qdisc_priv(q))->hold = 2;
	assert_int_equal(dev_qdisc_attach(a, q), 0);
	send_frame(a, b, 1);
	assert_int_equal(q->q.len, 1);
	assert_int_equal(dev_close(a), 0);
	assert_int_equal(q->q.len, 0);
	assert_drop(ns, QDISC_DROP, 1);
	assert_ptr_equal(a->qdisc, q);
	assert_int_equal(dev_open(a), 0);
	send_frame(a, b, 2);
	send_frame(a, b, 3);
	h_run();
	assert_int_equal(rcv_count, 2);
	assert_int_equal(rcv_seq[0], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packet_type_list_func_and_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_handler_consumes_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_handler_pass_and_another, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_handler_another_device_is_captured, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_qdisc_holds_then_releases_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_qdisc_goes_with_its_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qdisc_reset_when_its_device_goes_down, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
