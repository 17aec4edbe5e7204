// SPDX-License-Identifier: MIT
/*
 * The CLI's transport to the control path, in-process: a request is
 * serialised with libnl into one datagram and handed to rtnl_process(), the
 * same datagram the control socket (ctl/ctl_server.c) hands it for nsemuctl
 * and the shim. A CLI line that arrives over the control socket
 * (NSEMU_MSG_CLI) runs here too, on a thread of its connection, with its own
 * struct cli_ctx and struct rtnl_conn. Before each request the
 * connection is bound to the command's namespace with NSEMU_MSG_HELLO (the
 * per-connection binding of notes/rtnetlink.md §4). Replies are walked as
 * iproute2's libnetlink does: NLMSG_ERROR with errno 0 is an ACK, a non-zero
 * errno is printed as "Error: <extack>." or "RTNETLINK answers: <strerror>",
 * NLMSG_DONE ends a dump, everything else goes to the caller's callback.
 * Also the small lookups every `ip` command needs (ll_map, namespaces).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>

#include "ip_common.h"

/* Thread-local like the interface map below: every thread running CLI lines
 * (the shell, the control socket's connection threads) has its own. */
static _Thread_local uint32_t cli_seq;

void cli_ctx_init(struct cli_ctx *c, FILE *out, FILE *err)
{
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->err = err;
	c->conn.ns_id = 0;
	c->conn.portid = 0;
	c->conn.ext_ack = true; /* iproute2 sets NETLINK_EXT_ACK */
	rtnl_out_init(&c->replies);
}

void cli_ctx_free(struct cli_ctx *c)
{
	rtnl_out_free(&c->replies);
}

/* Text of an NLMSG_ERROR's extended ack (NLMSGERR_ATTR_MSG), or NULL. */
static const char *ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	/* With NLM_F_CAPPED only the request's header is echoed back. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + NLMSG_ALIGN(off)),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off)), NULL) < 0)
		return NULL;
	if (!tb[NLMSGERR_ATTR_MSG] || nla_len(tb[NLMSGERR_ATTR_MSG]) < 1)
		return NULL;
	/* the attribute must be a NUL-terminated string */
	if (((char *)nla_data(tb[NLMSGERR_ATTR_MSG]))[nla_len(tb[NLMSGERR_ATTR_MSG]) - 1])
		return NULL;
	return nla_data(tb[NLMSGERR_ATTR_MSG]);
}

/* iproute2 lib/libnetlink.c nl_dump_ext_ack() + rtnl_talk_error(). */
static void print_nl_error(struct cli_ctx *c, int err, const char *msg)
{
	if (msg && *msg) {
		size_t n = strlen(msg);
		fprintf(c->err, "Error: %s%s\n", msg, msg[n - 1] == '.' ? "" : ".");
	} else {
		fprintf(c->err, "RTNETLINK answers: %s\n", strerror(-err));
	}
}

/* Send one complete datagram and take the replies out of the context, so a
 * callback may itself issue requests. */
static int transmit(struct cli_ctx *c, struct nl_msg *msg, struct rtnl_out *out)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST;
	nlh->nlmsg_seq = ++cli_seq;
	nlh->nlmsg_pid = c->conn.portid;
	rtnl_out_reset(&c->replies);
	ret = rtnl_process(&c->conn, nlh, nlh->nlmsg_len, &c->replies);
	*out = c->replies;
	rtnl_out_init(&c->replies);
	nlmsg_free(msg);
	return ret;
}

/* First error in a reply buffer (0: none), with its ext-ack text. */
static int first_error(const struct rtnl_out *o, const char **msg)
{
	int len = (int)o->len;
	struct nlmsghdr *nlh = (struct nlmsghdr *)o->buf;

	for (; o->buf && nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			return -EPROTO;
		const struct nlmsgerr *e = NLMSG_DATA(nlh);
		if (e->error) {
			*msg = ext_ack_msg(nlh);
			return e->error;
		}
	}
	return 0;
}

/*
 * Bind the connection to c->ns. The default namespace needs no message: a
 * connection that never sent HELLO is bound to it (ns_id 0).
 */
static int cli_bind(struct cli_ctx *c, bool quiet)
{
	struct rtnl_out out;
	const char *msg = NULL;
	struct nl_msg *m;
	int err;

	if (!c->ns || !strcmp(c->ns, NSEMU_DEFAULT_NS)) {
		c->conn.ns_id = 0;
		return 0;
	}
	m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, NLM_F_ACK);
	if (!m)
		return -ENOMEM;
	if (nla_put_string(m, NSEMU_A_NS, c->ns) < 0) {
		nlmsg_free(m);
		return -EINVAL;
	}
	transmit(c, m, &out);
	err = first_error(&out, &msg);
	rtnl_out_free(&out);
	/* `ip -n foo` on a missing namespace: iproute2's netns_switch() text */
	if (err && !quiet)
		fprintf(c->err, "Cannot open network namespace \"%s\": %s\n", c->ns,
			strerror(err == -ENOENT || err == -ENODEV ? ENOENT : -err));
	return err;
}

int cli_check_ns(struct cli_ctx *c)
{
	return cli_bind(c, false);
}

int cli_request(struct cli_ctx *c, struct nl_msg *msg, cli_reply_fn cb, void *arg, bool quiet)
{
	struct nlmsghdr *nlh;
	struct rtnl_out out;
	int err, ret = 0, len;

	err = cli_bind(c, quiet);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	nlh = nlmsg_hdr(msg);
	/* Like rtnl_talk(): a request whose answer nobody reads asks for an ACK. */
	if (!cb && !(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	transmit(c, msg, &out);

	len = (int)out.len;
	for (nlh = (struct nlmsghdr *)out.buf; out.buf && nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_DONE)
			break;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				ret = -EPROTO;
				break;
			}
			if (!e->error)
				continue; /* ACK */
			ret = e->error;
			if (!quiet)
				print_nl_error(c, e->error, ext_ack_msg(nlh));
			break;
		}
		if (cb && !ret) {
			int r = cb(c, nlh, arg);

			if (r < 0) {
				ret = r;
				break;
			}
		}
	}
	rtnl_out_free(&out);
	return ret;
}

/* ---- the interface map of one command (iproute2 lib/ll_map.c) ---- */

#define LL_MAX 1024
static _Thread_local struct {
	int index;
	unsigned flags;
	char name[IFNAMSIZ];
} ll_map[LL_MAX];
static _Thread_local unsigned ll_n;

static int ll_add(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK || ll_n >= LL_MAX)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return 0;
	ifi = nlmsg_data(nlh);
	ll_map[ll_n].index = ifi->ifi_index;
	ll_map[ll_n].flags = ifi->ifi_flags;
	snprintf(ll_map[ll_n].name, IFNAMSIZ, "%s", (char *)nla_data(tb[IFLA_IFNAME]));
	ll_n++;
	return 0;
}

int ll_init_map(struct cli_ctx *c)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);

	ll_n = 0;
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	return cli_request(c, m, ll_add, NULL, true);
}

const char *ll_index_to_name(int ifindex)
{
	static _Thread_local char buf[IFNAMSIZ + 8];

	for (unsigned i = 0; i < ll_n; i++)
		if (ll_map[i].index == ifindex)
			return ll_map[i].name;
	snprintf(buf, sizeof(buf), "if%d", ifindex);
	return buf;
}

unsigned ll_index_to_flags(int ifindex)
{
	for (unsigned i = 0; i < ll_n; i++)
		if (ll_map[i].index == ifindex)
			return ll_map[i].flags;
	return ~0u; /* iproute2: -1 for a device it does not know */
}

bool ll_index_known(int ifindex)
{
	for (unsigned i = 0; i < ll_n; i++)
		if (ll_map[i].index == ifindex)
			return true;
	return false;
}

void ll_remember_index(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	unsigned i;

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    nlmsg_datalen(nlh) < (int)sizeof(*ifi))
		return;
	for (i = 0; i < ll_n && ll_map[i].index != ifi->ifi_index; i++)
		;
	if (i < ll_n) {
		/* forget it; a NEWLINK adds it back with what it says now */
		ll_map[i] = ll_map[--ll_n];
	}
	if (nlh->nlmsg_type == RTM_NEWLINK)
		ll_add(NULL, nlh, NULL);
}

static int ifindex_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	if (nlh->nlmsg_type == RTM_NEWLINK && nlmsg_datalen(nlh) >= (int)sizeof(struct ifinfomsg))
		*(int *)arg = ((struct ifinfomsg *)nlmsg_data(nlh))->ifi_index;
	return 0;
}

int cli_ifindex(struct cli_ctx *c, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *m;
	int idx = 0, err;

	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	m = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, name);
	err = cli_request(c, m, ifindex_cb, &idx, true);
	if (err)
		return err == -ENOMEM ? err : -ENODEV;
	return idx > 0 ? idx : -ENODEV;
}

/* ---- namespace lookups: GETNS doit, answered with a NEWNS message ---- */

struct ns_query {
	uint32_t id;
	char *name;
	size_t len;
	bool found;
};

static int ns_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	struct ns_query *q = arg;

	if (nlh->nlmsg_type != NSEMU_MSG_NEWNS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0)
		return 0;
	if (tb[NSEMU_A_NSID] && nla_len(tb[NSEMU_A_NSID]) >= 4)
		q->id = nla_get_u32(tb[NSEMU_A_NSID]);
	if (tb[NSEMU_A_NS] && q->name)
		nla_strlcpy(q->name, tb[NSEMU_A_NS], q->len);
	q->found = true;
	return 0;
}

static int ns_query(struct cli_ctx *c, struct ns_query *q, const char *name, uint32_t id)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_GETNS, 0);
	const char *saved = c->ns;
	int err;

	if (!m)
		return -ENOMEM;
	if (name)
		nla_put_string(m, NSEMU_A_NS, name);
	else
		nla_put_u32(m, NSEMU_A_NSID, id);
	/* the registry is global: ask from the default namespace */
	c->ns = NULL;
	err = cli_request(c, m, ns_cb, q, true);
	c->ns = saved;
	if (!err && !q->found)
		err = -ENOENT;
	return err;
}

int cli_ns_id(struct cli_ctx *c, const char *name, uint32_t *id)
{
	struct ns_query q = { 0 };
	int err;

	if (!strcmp(name, NSEMU_DEFAULT_NS)) {
		*id = 0;
		return 0;
	}
	err = ns_query(c, &q, name, 0);
	if (!err)
		*id = q.id;
	return err;
}

int cli_ns_name(struct cli_ctx *c, uint32_t id, char *buf, size_t len)
{
	struct ns_query q = { .name = buf, .len = len };

	buf[0] = '\0';
	return ns_query(c, &q, NULL, id);
}
