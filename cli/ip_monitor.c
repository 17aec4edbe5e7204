// SPDX-License-Identifier: MIT
/*
 * `ip monitor [ all | OBJECT-LIST ] [ label ]`, after iproute2 6.1
 * ip/ipmonitor.c: the notifications the stack multicasts for the bound
 * namespace (links, IPv4 addresses, routes and rules, neighbours) printed as
 * they come, each with the printer `ip OBJECT show` uses: "Deleted " before
 * a removal, "[LINK]"-style labels with `label`. Text only: `ip -j monitor`
 * prints text there too.
 *
 * The command runs on the thread of its CLI line (the shell's, or a control
 * connection's), as ping does, until the line is interrupted: Ctrl-C in the
 * shell or in nsemuctl, or the nsemuctl client going away. One process-wide
 * rtnl sink (added while any monitor runs) copies each notification into the
 * queue of every monitor of that namespace and group; the sink runs under
 * rtnl's control lock, so it only appends and signals, and the printing
 * (which sends requests of its own for interface names) happens on the
 * monitor's thread. Workers are never waited on by the sink.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/rtnetlink.h>

#include "app.h"
#include "ip_common.h"
#include "print.h"

/* A monitor that falls this far behind loses what does not fit (netlink
 * would drop it with ENOBUFS) and says so. */
#define MON_MAX_QUEUED (4u << 20)

struct mon_msg {
	struct mon_msg *next;
	unsigned group;
	size_t len;
	uint8_t data[];
};

struct monitor {
	struct monitor *next;
	uint32_t ns_id;	 /* as rtnl stamps it: 0 = the default namespace */
	uint32_t groups; /* bit g-1 for RTNLGRP g */
	pthread_cond_t cond;
	struct mon_msg *head, **tail;
	size_t queued;
	unsigned long lost;
};

/*
 * Lock order: mon_reg_lock, then rtnl's control lock (rtnl_notify_add/del),
 * then mon_lock; the sink runs under the control lock and takes mon_lock.
 * mon_reg_lock keeps adding and removing the sink in step with the count
 * of monitors; mon_lock guards the list and the queues.
 */
static pthread_mutex_t mon_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned mon_count; /* under mon_reg_lock */
static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;
static struct monitor *monitors; /* under mon_lock */

/* The rtnl sink: any thread calling rtnl_process(), under the control lock. */
static void mon_sink(uint32_t ns_id, unsigned group, const void *nlmsg, size_t len)
{
	if (!group || group > 32)
		return;
	pthread_mutex_lock(&mon_lock);
	for (struct monitor *m = monitors; m; m = m->next) {
		struct mon_msg *msg;

		if (m->ns_id != ns_id || !(m->groups & (1u << (group - 1))))
			continue;
		if (m->queued + len > MON_MAX_QUEUED || !(msg = malloc(sizeof(*msg) + len))) {
			m->lost++;
			continue;
		}
		msg->next = NULL;
		msg->group = group;
		msg->len = len;
		memcpy(msg->data, nlmsg, len);
		*m->tail = msg;
		m->tail = &msg->next;
		m->queued += len;
		pthread_cond_signal(&m->cond);
	}
	pthread_mutex_unlock(&mon_lock);
}

static int mon_register(struct monitor *m)
{
	int err = 0;

	pthread_mutex_lock(&mon_reg_lock);
	if (mon_count == 0)
		err = rtnl_notify_add(mon_sink);
	if (!err) {
		mon_count++;
		pthread_mutex_lock(&mon_lock);
		m->next = monitors;
		monitors = m;
		pthread_mutex_unlock(&mon_lock);
	}
	pthread_mutex_unlock(&mon_reg_lock);
	return err;
}

static void mon_unregister(struct monitor *m)
{
	pthread_mutex_lock(&mon_reg_lock);
	pthread_mutex_lock(&mon_lock);
	for (struct monitor **pp = &monitors; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	pthread_mutex_unlock(&mon_lock);
	/* outside mon_lock: rtnl takes the control lock, under which the
	 * sink takes mon_lock; a sink call racing with this finds no monitor */
	if (--mon_count == 0)
		rtnl_notify_del(mon_sink);
	pthread_mutex_unlock(&mon_reg_lock);
	while (m->head) {
		struct mon_msg *next = m->head->next;

		free(m->head);
		m->head = next;
	}
}

/* ---- printing, as ipmonitor.c's accept_msg ---- */

/* The device an address, route or neighbour message names, or 0. */
static int mon_msg_ifindex(struct nlmsghdr *nlh)
{
	struct nlattr *tb[(IFLA_MAX > RTA_MAX ? IFLA_MAX : RTA_MAX) + 1];

	switch (nlh->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (nlmsg_datalen(nlh) >= (int)sizeof(struct ifaddrmsg))
			return (int)((struct ifaddrmsg *)nlmsg_data(nlh))->ifa_index;
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (nlmsg_datalen(nlh) >= (int)sizeof(struct ndmsg))
			return ((struct ndmsg *)nlmsg_data(nlh))->ndm_ifindex;
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) >= 0 && tb[RTA_OIF])
			return (int)nla_get_u32(tb[RTA_OIF]);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		/* the peer a veth end names (IFLA_LINK), if in this namespace */
		if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) >= 0 &&
		    tb[IFLA_LINK] && !tb[IFLA_LINK_NETNSID])
			return (int)nla_get_u32(tb[IFLA_LINK]);
		break;
	}
	return 0;
}

/* A device the map does not know yet (made since the monitor started, and
 * no link event seen for it): dump the links again, as iproute2's
 * ll_index_to_name asks the kernel on a miss. */
static void mon_learn_ifindex(struct cli_ctx *c, int ifindex)
{
	if (ifindex > 0 && !ll_index_known(ifindex))
		ll_init_map(c);
}

static void mon_print(struct cli_ctx *c, struct mon_msg *msg, bool label)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg->data;
	const char *lbl = NULL;
	bool deleted = false;

	if (msg->len < NLMSG_HDRLEN || nlh->nlmsg_len > msg->len)
		return;
	switch (nlh->nlmsg_type) {
	case RTM_DELLINK:
		deleted = true;
		/* fall through */
	case RTM_NEWLINK:
		lbl = "[LINK]";
		/* names and flags of links as the events tell them; a deleted
		 * device is forgotten (its peer's deletion then shows "@ifN") */
		ll_remember_index(nlh);
		break;
	case RTM_DELADDR:
		deleted = true;
		/* fall through */
	case RTM_NEWADDR:
		lbl = "[ADDR]";
		break;
	case RTM_DELROUTE:
		deleted = true;
		/* fall through */
	case RTM_NEWROUTE:
		lbl = "[ROUTE]";
		break;
	case RTM_DELNEIGH:
		deleted = true;
		/* fall through */
	case RTM_NEWNEIGH:
		lbl = "[NEIGH]";
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		lbl = "[RULE]"; /* print_rule says "Deleted " itself */
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		lbl = "[NEXTHOP]"; /* and print_nexthop */
		break;
	default:
		return;
	}
	mon_learn_ifindex(c, mon_msg_ifindex(nlh));
	new_json_obj(c->out, false, false);
	if (label)
		print_string(PRINT_FP, NULL, "%s", lbl);
	if (deleted)
		print_string(PRINT_FP, NULL, "%s", "Deleted ");
	/* the printers show RTM_NEW* messages: a deletion carries the same
	 * object */
	if (nlh->nlmsg_type != RTM_DELRULE && nlh->nlmsg_type != RTM_DELNEXTHOP)
		nlh->nlmsg_type = (uint16_t)(nlh->nlmsg_type & ~1u);
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		print_linkinfo(c, nlh, LI_MONITOR);
		break;
	case RTM_NEWADDR:
		print_addrinfo(c, nlh, true);
		break;
	case RTM_NEWROUTE:
		print_route(c, nlh, NULL);
		break;
	case RTM_NEWNEIGH:
		print_neigh_msg(c, nlh);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		print_rule(c, nlh, NULL);
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		print_nexthop(c, nlh, NULL);
		break;
	}
	delete_json_obj();
}

static int ipmon_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip monitor [ all | OBJECTS ] [ label ]\n"
		   "OBJECTS :=  address | link | neigh | route | rule | nexthop\n");
	return f == c->out ? 0 : -EINVAL;
}

/* The namespace id rtnl stamps notifications of c->ns with. */
static int mon_ns_id(struct cli_ctx *c, uint32_t *id)
{
	if (!c->ns || !strcmp(c->ns, NSEMU_DEFAULT_NS)) {
		*id = 0;
		return 0;
	}
	if (cli_ns_id(c, c->ns, id)) {
		fprintf(c->err, "Cannot open network namespace \"%s\": No such file or directory\n",
			c->ns);
		return -ENOENT;
	}
	return 0;
}

int cmd_ip_monitor(struct cli_ctx *c, int argc, char **argv)
{
	struct monitor m = { .tail = &m.head };
	bool label = false;
	uint32_t groups = 0;
	int err;

	for (argc--, argv++; argc > 0; argc--, argv++) {
		if (matches(argv[0], "link")) {
			groups |= 1u << (RTNLGRP_LINK - 1);
		} else if (matches(argv[0], "address")) {
			groups |= 1u << (RTNLGRP_IPV4_IFADDR - 1);
		} else if (matches(argv[0], "route")) {
			groups |= 1u << (RTNLGRP_IPV4_ROUTE - 1);
		} else if (matches(argv[0], "neigh")) {
			groups |= 1u << (RTNLGRP_NEIGH - 1);
		} else if (matches(argv[0], "rule")) {
			groups |= 1u << (RTNLGRP_IPV4_RULE - 1);
		} else if (matches(argv[0], "nexthop")) {
			groups |= 1u << (RTNLGRP_NEXTHOP - 1);
		} else if (!strcmp(argv[0], "all")) {
			groups = ~0u;
		} else if (matches(argv[0], "label")) {
			label = true;
		} else if (matches(argv[0], "help")) {
			return ipmon_usage(c, c->out);
		} else {
			fprintf(c->err, "Argument \"%s\" is unknown, try \"ip monitor help\".\n",
				argv[0]);
			return -EINVAL;
		}
	}
	if (!groups)
		groups = ~0u; /* nothing named: everything, as `all` */
	err = mon_ns_id(c, &m.ns_id);
	if (err)
		return err;
	m.groups = groups;
	err = ll_init_map(c);
	if (err)
		return err;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m.cond, &ca);
	pthread_condattr_destroy(&ca);
	err = mon_register(&m);
	if (err) {
		fprintf(c->err, "Cannot listen: too many monitors\n");
		pthread_cond_destroy(&m.cond);
		return err;
	}
	pthread_mutex_lock(&mon_lock);
	while (!(c->interrupt && *c->interrupt)) {
		struct mon_msg *msg = m.head;
		unsigned long lost = m.lost;

		if (msg || lost) {
			if (msg) {
				m.head = msg->next;
				if (!m.head)
					m.tail = &m.head;
				m.queued -= msg->len;
			}
			m.lost = 0;
			pthread_mutex_unlock(&mon_lock);
			if (lost)
				fprintf(c->err, "ip monitor: %lu notifications lost (fell behind)\n",
					lost);
			if (msg) {
				mon_print(c, msg, label);
				free(msg);
			}
			pthread_mutex_lock(&mon_lock);
			continue;
		}
		/* look at *c->interrupt every 50 ms */
		app_cond_wait_tick(&m.cond, &mon_lock);
	}
	pthread_mutex_unlock(&mon_lock);
	mon_unregister(&m);
	pthread_cond_destroy(&m.cond);
	return 0;
}
