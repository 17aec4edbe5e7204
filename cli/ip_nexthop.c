// SPDX-License-Identifier: MIT
/*
 * `ip nexthop`: add, replace, del, show (list, lst), get and flush of
 * nexthop objects, after iproute2 6.1 ip/ipnexthop.c (ipnh_modify,
 * add_nh_group_attr, ipnh_list_flush, ipnh_get_id, print_nexthop,
 * ipnh_flush): the same words, the same messages (nhmsg + NHA_*), the
 * same text and JSON output and the same argument errors. show filters
 * by device and groups in the kernel's dump (NHA_OIF, NHA_GROUPS) and by
 * protocol client-side, as iproute2 does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static int ipnh_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip nexthop { list | flush } [ protocol ID ] SELECTOR\n"
		   "       ip nexthop { add | replace } id ID NH [ protocol ID ]\n"
		   "       ip nexthop { get | del } id ID\n"
		   "SELECTOR := [ id ID ] [ dev DEV ] [ groups ]\n"
		   "NH := { blackhole | [ via ADDRESS ] [ dev DEV ] | group GROUP }\n"
		   "GROUP := [ <id[,weight]>/<id[,weight]>/... ]\n");
	return f == c->out ? 0 : -EINVAL;
}

/* What show and flush select on (iproute2's nh_filter). */
struct nh_filter {
	int ifindex;
	bool groups;
	bool has_proto;
	uint32_t proto;
	/* flush: the ids to delete, as dumped */
	uint32_t *del;
	unsigned ndel;
	int err;
};

static int nh_parse_reply(struct nlmsghdr *nlh, struct nhmsg **nhm, struct nlattr **tb)
{
	if ((nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP) ||
	    nlmsg_datalen(nlh) < (int)sizeof(**nhm))
		return -1;
	*nhm = nlmsg_data(nlh);
	return nlmsg_parse(nlh, sizeof(**nhm), tb, NHA_MAX, NULL) < 0 ? -1 : 0;
}

/* print_nh_group: "group 1,3/2" ("group": [{"id":1,"weight":3},{"id":2}]) */
static void print_nh_group(const struct nlattr *a)
{
	const struct nexthop_grp *g = nla_data(a);
	int n = nla_len(a) / (int)sizeof(*g);

	open_json_array(PRINT_JSON, "group");
	print_string(PRINT_FP, NULL, "%s", "group ");
	for (int i = 0; i < n; i++) {
		open_json_object(NULL);
		if (i)
			print_string(PRINT_FP, NULL, "%s", "/");
		print_uint(PRINT_ANY, "id", "%u", g[i].id);
		if (g[i].weight)
			print_uint(PRINT_ANY, "weight", ",%u", g[i].weight + 1u);
		close_json_object();
	}
	print_string(PRINT_FP, NULL, "%s", " ");
	close_json_array(PRINT_JSON, NULL);
}

/* print_nexthop */
int print_nexthop(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	const struct nh_filter *f = arg;
	struct nlattr *tb[NHA_MAX + 1];
	struct nhmsg *nhm;
	char b[64];

	if (nh_parse_reply(nlh, &nhm, tb))
		return 0;
	if (f && f->has_proto && nhm->nh_protocol != f->proto)
		return 0;
	open_json_object(NULL);
	if (nlh->nlmsg_type == RTM_DELNEXTHOP)
		print_bool(PRINT_ANY, "deleted", "Deleted ", true);
	if (tb[NHA_ID])
		print_uint(PRINT_ANY, "id", "id %u ", nla_get_u32(tb[NHA_ID]));
	if (tb[NHA_GROUP])
		print_nh_group(tb[NHA_GROUP]);
	if (tb[NHA_GATEWAY] && nla_len(tb[NHA_GATEWAY]) == 4) {
		print_string(PRINT_FP, NULL, "via ", NULL);
		print_color_string(PRINT_ANY, COLOR_INET, "gateway", "%s ",
				   fmt_ip4(nla_get_u32(tb[NHA_GATEWAY]), b));
	}
	if (tb[NHA_OIF]) {
		print_string(PRINT_FP, NULL, "dev ", NULL);
		print_color_string(PRINT_ANY, COLOR_IFNAME, "dev", "%s ",
				   ll_index_to_name((int)nla_get_u32(tb[NHA_OIF])));
	}
	if (nhm->nh_scope != RT_SCOPE_UNIVERSE || c->details)
		print_string(PRINT_ANY, "scope", "scope %s ", rt_scope_n2a(nhm->nh_scope, b, sizeof(b)));
	if (tb[NHA_BLACKHOLE])
		print_null(PRINT_ANY, "blackhole", "blackhole ", NULL);
	if (nhm->nh_protocol != RTPROT_UNSPEC || c->details)
		print_string(PRINT_ANY, "protocol", "proto %s ",
			     rt_proto_n2a(nhm->nh_protocol, b, sizeof(b)));
	print_rt_flags(nhm->nh_flags);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
	return 0;
}

/* add_nh_group_attr: "ID[,WEIGHT]/..." as NHA_GROUP. 0, -EINVAL after
 * printing the weight's error, or 1 for any other malformed value. */
static int add_nh_group_attr(struct cli_ctx *c, struct nl_msg *m, char *arg)
{
	struct nexthop_grp *g;
	int count = *arg ? 1 : 0, err = 1;

	for (char *s = strchr(arg, '/'); s; s = strchr(s + 1, '/'))
		count++;
	if (!count)
		return 1;
	g = calloc((size_t)count, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (int i = 0; i < count; i++) {
		char *sep = strchr(arg, '/'), *wsep;

		if (sep)
			*sep = '\0';
		wsep = strchr(arg, ',');
		if (wsep)
			*wsep = '\0';
		if (get_u32(&g[i].id, arg, 0))
			goto out;
		if (wsep) {
			uint32_t w;

			wsep++;
			if (get_u32(&w, wsep, 0) || w == 0 || w > 256) {
				err = invarg(c, "\"weight\" is invalid\n", wsep);
				goto out;
			}
			g[i].weight = (uint8_t)(w - 1);
		}
		if (!sep)
			break;
		arg = sep + 1;
	}
	err = nla_put(m, NHA_GROUP, count * (int)sizeof(*g), g) ? -ENOMEM : 0;
out:
	free(g);
	return err;
}

/* ipnh_modify */
static int ipnh_modify(struct cli_ctx *c, int cmd, int flags, int argc, char **argv)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(cmd, flags);
	uint32_t v;
	int err;

	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "id")) {
			if (--argc <= 0)
				goto incomplete;
			argv++;
			if (get_u32(&v, argv[0], 0)) {
				err = invarg(c, "invalid id value", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, NHA_ID, v);
		} else if (!strcmp(argv[0], "dev")) {
			int ifindex;

			if (--argc <= 0)
				goto incomplete;
			argv++;
			ifindex = cli_ifindex(c, argv[0]);
			if (ifindex <= 0) {
				err = invarg(c, "Device does not exist\n", argv[0]);
				goto out_free;
			}
			nla_put_u32(m, NHA_OIF, (uint32_t)ifindex);
			if (nhm.nh_family == AF_UNSPEC)
				nhm.nh_family = AF_INET;
		} else if (!strcmp(argv[0], "via")) {
			if (--argc <= 0)
				goto incomplete;
			argv++;
			if (get_addr4(&v, argv[0])) {
				fprintf(c->err, "Error: any valid address is expected rather than "
						"\"%s\".\n", argv[0]);
				err = -EINVAL;
				goto out_free;
			}
			nhm.nh_family = AF_INET;
			nla_put(m, NHA_GATEWAY, 4, &v);
		} else if (!strcmp(argv[0], "blackhole")) {
			nla_put(m, NHA_BLACKHOLE, 0, NULL);
			if (nhm.nh_family == AF_UNSPEC)
				nhm.nh_family = AF_INET;
		} else if (!strcmp(argv[0], "onlink")) {
			nhm.nh_flags |= RTNH_F_ONLINK;
		} else if (!strcmp(argv[0], "group")) {
			if (--argc <= 0)
				goto incomplete;
			argv++;
			err = add_nh_group_attr(c, m, argv[0]);
			if (err > 0)
				err = invarg(c, "\"group\" value is invalid\n", argv[0]);
			if (err)
				goto out_free;
		} else if (matches(argv[0], "protocol")) {
			if (--argc <= 0)
				goto incomplete;
			argv++;
			if (rt_proto_a2n(&v, argv[0])) {
				err = invarg(c, "\"protocol\" value is invalid\n", argv[0]);
				goto out_free;
			}
			nhm.nh_protocol = (uint8_t)v;
		} else if (!strcmp(argv[0], "help")) {
			nlmsg_free(m);
			return ipnh_usage(c, c->out);
		} else {
			err = invarg(c, "", argv[0]);
			goto out_free;
		}
	}
	memcpy(nlmsg_data(nlmsg_hdr(m)), &nhm, sizeof(nhm));
	return cli_request(c, m, NULL, NULL, false);

incomplete:
	err = incomplete_command(c);
out_free:
	nlmsg_free(m);
	return err;
}

/* ipnh_get_id: GETNEXTHOP for one id, its answer printed */
static int ipnh_get_id(struct cli_ctx *c, uint32_t id)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNEXTHOP, 0);
	int err;

	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	nla_put_u32(m, NHA_ID, id);
	err = ll_init_map(c);
	if (err) {
		nlmsg_free(m);
		return err;
	}
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, print_nexthop, NULL, false);
	delete_json_obj();
	return err;
}

/* flush_nexthop, first half: remember what to delete */
static int collect_nexthop(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nh_filter *f = arg;
	struct nlattr *tb[NHA_MAX + 1];
	struct nhmsg *nhm;
	uint32_t *v;

	(void)c;
	if (nh_parse_reply(nlh, &nhm, tb) || !tb[NHA_ID])
		return 0;
	if (f->has_proto && nhm->nh_protocol != f->proto)
		return 0;
	v = realloc(f->del, (f->ndel + 1) * sizeof(*v));
	if (!v) {
		f->err = -ENOMEM;
		return 0;
	}
	f->del = v;
	f->del[f->ndel++] = nla_get_u32(tb[NHA_ID]);
	return 0;
}

/* The dump request of @f: NHA_OIF and NHA_GROUPS filter in the kernel. */
static struct nl_msg *nh_dump_msg(const struct nh_filter *f)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNEXTHOP, NLM_F_DUMP);

	if (!m)
		return NULL;
	nlmsg_append(m, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	if (f->ifindex)
		nla_put_u32(m, NHA_OIF, (uint32_t)f->ifindex);
	if (f->groups)
		nla_put(m, NHA_GROUPS, 0, NULL);
	return m;
}

/* delete_nexthop: 0, or -errno after iproute2's message */
static int delete_nexthop(struct cli_ctx *c, uint32_t id)
{
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	struct nl_msg *d = nlmsg_alloc_simple(RTM_DELNEXTHOP, 0);
	int err;

	if (!d)
		return -ENOMEM;
	nlmsg_append(d, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	nla_put_u32(d, NHA_ID, id);
	err = cli_request(c, d, NULL, NULL, false);
	if (err)
		fprintf(c->err, "Error deleting nexthop %u\n", id);
	return err;
}

enum { IPNH_LIST, IPNH_FLUSH };

/* ipnh_list_flush */
static int ipnh_list_flush(struct cli_ctx *c, int argc, char **argv, int action)
{
	struct nh_filter f = { 0 };
	struct nl_msg *m;
	unsigned flushed = 0;
	int err = 0;

	for (; argc > 0; argc--, argv++) {
		if (matches(argv[0], "dev")) {
			NEXT_ARG();
			f.ifindex = cli_ifindex(c, argv[0]);
			if (f.ifindex <= 0)
				return invarg(c, "Device does not exist\n", argv[0]);
		} else if (matches(argv[0], "groups")) {
			f.groups = true;
		} else if (matches(argv[0], "id")) {
			uint32_t id;

			NEXT_ARG();
			if (get_u32(&id, argv[0], 0))
				return invarg(c, "invalid id value", argv[0]);
			return ipnh_get_id(c, id);
		} else if (matches(argv[0], "protocol")) {
			NEXT_ARG();
			/* iproute2 6.1 takes a number here, not a name; 0
			 * selects everything */
			if (get_u32(&f.proto, argv[0], 0))
				return invarg(c, "invalid protocol value", argv[0]);
			f.has_proto = f.proto != 0;
		} else if (matches(argv[0], "help")) {
			return ipnh_usage(c, c->out);
		} else {
			return invarg(c, "", argv[0]);
		}
	}
	if (action == IPNH_LIST) {
		m = nh_dump_msg(&f);
		if (!m)
			return -ENOMEM;
		err = ll_init_map(c);
		if (err) {
			nlmsg_free(m);
			return err;
		}
		new_json_obj(c->out, c->json, c->pretty);
		err = cli_request(c, m, print_nexthop, &f, false);
		delete_json_obj();
		return err;
	}
	/* ipnh_flush: the groups first (so that none goes away with its
	 * last member before its turn), then everything the filter selects */
	for (int pass = f.groups ? 1 : 0; !err && pass < 2; pass++) {
		struct nh_filter pf = f;

		pf.groups = pass == 0 || f.groups;
		pf.del = NULL;
		pf.ndel = 0;
		m = nh_dump_msg(&pf);
		if (!m)
			return -ENOMEM;
		err = cli_request(c, m, collect_nexthop, &pf, false);
		if (!err)
			err = pf.err;
		for (unsigned i = 0; !err && i < pf.ndel; i++)
			if (!delete_nexthop(c, pf.del[i]))
				flushed++;
		free(pf.del);
	}
	if (err)
		return err;
	if (!flushed)
		fprintf(c->out, "Nothing to flush\n");
	else
		fprintf(c->out, "Flushed %u nexthops\n", flushed);
	return 0;
}

/* ipnh_get */
static int ipnh_get(struct cli_ctx *c, int argc, char **argv)
{
	uint32_t id = 0;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "id")) {
			NEXT_ARG();
			if (get_u32(&id, argv[0], 0))
				return invarg(c, "invalid id value", argv[0]);
		} else {
			return invarg(c, "", argv[0]);
		}
	}
	if (!id)
		return ipnh_usage(c, c->err);
	return ipnh_get_id(c, id);
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_modify(c, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL, argc - 1, argv + 1);
}
static int do_replace(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_modify(c, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_modify(c, RTM_DELNEXTHOP, 0, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_list_flush(c, argc - 1, argv + 1, IPNH_LIST);
}
static int do_get(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_get(c, argc - 1, argv + 1);
}
static int do_flush(struct cli_ctx *c, int argc, char **argv)
{
	return ipnh_list_flush(c, argc - 1, argv + 1, IPNH_FLUSH);
}
static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ipnh_usage(c, c->out);
}

/* do_ipnh's order: add, replace, delete, list, show, lst, get, flush, help */
static const struct cmd ipnh_cmds[] = {
	{ "add", do_add, "" },	   { "replace", do_replace, "" }, { "delete", do_del, "" },
	{ "list", do_show, "" },   { "show", do_show, "" },	  { "lst", do_show, "" },
	{ "get", do_get, "" },	   { "flush", do_flush, "" },	  { "help", do_help, "" },
	{ NULL, NULL, NULL },
};

int cmd_ip_nexthop(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return ipnh_list_flush(c, 0, NULL, IPNH_LIST);
	return cmd_dispatch(c, ipnh_cmds, "ip nexthop", argc - 1, argv + 1);
}
