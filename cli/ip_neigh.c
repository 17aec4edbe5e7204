// SPDX-License-Identifier: MIT
/*
 * `ip neigh`: add, change, replace, del, show, flush of ARP entries, after
 * iproute2 6.1 ip/ipneigh.c. Flush is what iproute2 does: dump, then one
 * RTM_DELNEIGH per matching entry; like iproute2 it leaves PERMANENT and
 * NOARP entries alone unless `nud permanent` or `nud all` selects them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "ip_common.h"
#include "print.h"

static int ipneigh_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f, "Usage: ip neigh { add | del | change | replace }\n"
		   "                { ADDR [ lladdr LLADDR ] [ nud STATE ] dev DEV }\n"
		   "       ip neigh { show | flush } [ to PREFIX ] [ dev DEV ] [ nud STATE ]\n"
		   "STATE := { delay | failed | incomplete | noarp | none |\n"
		   "           permanent | probe | reachable | stale | all }\n");
	return f == c->out ? 0 : -EINVAL;
}

static const struct {
	const char *name;
	uint16_t state;
} nud_names[] = {
	{ "INCOMPLETE", NUD_INCOMPLETE }, { "REACHABLE", NUD_REACHABLE }, { "STALE", NUD_STALE },
	{ "DELAY", NUD_DELAY },		  { "PROBE", NUD_PROBE },	  { "FAILED", NUD_FAILED },
	{ "NOARP", NUD_NOARP },		  { "PERMANENT", NUD_PERMANENT },
};

/* "reachable" -> NUD_REACHABLE; "all" -> every state; "none" -> NUD_NONE. */
static int nud_a2n(uint16_t *state, const char *s)
{
	if (!strcmp(s, "all")) {
		*state = 0xFF;
		return 0;
	}
	if (!strcmp(s, "none")) {
		*state = NUD_NONE;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
		if (!strcasecmp(s, nud_names[i].name)) {
			*state = nud_names[i].state;
			return 0;
		}
	uint32_t v;
	if (get_u32(&v, s, 0) || v > 0xFF)
		return -EINVAL;
	*state = (uint16_t)v;
	return 0;
}

struct neigh_filter {
	int ifindex;
	uint16_t state; /* mask of shown states */
	bool has_dst;
	uint32_t dst;
	int dst_len;
	struct nlmsg_list del; /* flush: the entries collected */
};

static bool neigh_match(struct nlmsghdr *nlh, const struct neigh_filter *f, struct nlattr **tb)
{
	struct ndmsg *ndm = nlmsg_data(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nlmsg_datalen(nlh) < (int)sizeof(*ndm) ||
	    ndm->ndm_family != AF_INET || nlmsg_parse(nlh, sizeof(*ndm), tb, NDA_MAX, NULL) < 0 ||
	    !tb[NDA_DST])
		return false;
	if (f->ifindex && ndm->ndm_ifindex != f->ifindex)
		return false;
	/* NUD_NONE entries show only when asked for by number or "none" */
	if (!(ndm->ndm_state & f->state) && !(ndm->ndm_state == NUD_NONE && f->state == NUD_NONE))
		return false;
	if (f->has_dst && f->dst_len) {
		uint32_t mask = htonl(~0u << (32 - f->dst_len));

		if ((nla_get_u32(tb[NDA_DST]) & mask) != (f->dst & mask))
			return false;
	}
	return true;
}

static int print_neigh(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct neigh_filter *f = arg;
	struct nlattr *tb[NDA_MAX + 1];
	struct ndmsg *ndm = nlmsg_data(nlh);
	char buf[64];

	if (!neigh_match(nlh, f, tb))
		return 0;
	open_json_object(NULL);
	if (ip_brief) {
		/* -br: destination, device and address in columns, no state */
		print_color_string(PRINT_ANY, COLOR_INET, "dst", "%-39s ",
				   fmt_ip4(nla_get_u32(tb[NDA_DST]), buf));
		if (!f->ifindex)
			print_color_string(PRINT_ANY, COLOR_IFNAME, "dev", "%-16s ",
					   ll_index_to_name(ndm->ndm_ifindex));
		if (tb[NDA_LLADDR])
			print_color_string(PRINT_ANY, COLOR_MAC, "lladdr", "%s",
					   fmt_mac(nla_data(tb[NDA_LLADDR]),
						   nla_len(tb[NDA_LLADDR]), buf, sizeof(buf)));
		print_string(PRINT_FP, NULL, "\n", NULL);
		close_json_object();
		return 0;
	}
	print_color_string(PRINT_ANY, COLOR_INET, "dst", "%s ",
			   fmt_ip4(nla_get_u32(tb[NDA_DST]), buf));
	if (!f->ifindex) {
		print_string(PRINT_FP, NULL, "dev ", NULL);
		print_color_string(PRINT_ANY, COLOR_IFNAME, "dev", "%s ",
				   ll_index_to_name(ndm->ndm_ifindex));
	}
	if (tb[NDA_LLADDR]) {
		print_string(PRINT_FP, NULL, "lladdr ", NULL);
		print_color_string(PRINT_ANY, COLOR_MAC, "lladdr", "%s ",
				   fmt_mac(nla_data(tb[NDA_LLADDR]), nla_len(tb[NDA_LLADDR]), buf,
					   sizeof(buf)));
	}
	if (ndm->ndm_flags & NTF_ROUTER)
		print_null(PRINT_ANY, "router", " %s", "router");
	if (ndm->ndm_flags & NTF_PROXY)
		print_null(PRINT_ANY, "proxy", " %s", "proxy");
	if (c->stats && tb[NDA_CACHEINFO] &&
	    nla_len(tb[NDA_CACHEINFO]) >= (int)sizeof(struct nda_cacheinfo)) {
		struct nda_cacheinfo *ci = nla_data(tb[NDA_CACHEINFO]);

		/* clock ticks (USER_HZ 100) to seconds, as iproute2 prints them;
		 * with ref 0 no "ref" field */
		print_uint(PRINT_ANY, "used", " used %u", ci->ndm_used / 100);
		print_uint(PRINT_ANY, "confirmed", "/%u", ci->ndm_confirmed / 100);
		print_uint(PRINT_ANY, "updated", "/%u", ci->ndm_updated / 100);
		/* iproute2 6.1 prints "used 0/60/0probes 0 STALE": no blank */
		if (tb[NDA_PROBES])
			print_uint(PRINT_ANY, "probes", "probes %u ", nla_get_u32(tb[NDA_PROBES]));
	}
	open_json_array(PRINT_JSON, "state");
	if (ndm->ndm_state == NUD_NONE) {
		print_string(PRINT_ANY, NULL, "%s ", "NONE");
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
			if (ndm->ndm_state & nud_names[i].state)
				print_string(PRINT_ANY, NULL, "%s ", nud_names[i].name);
	}
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_FP, NULL, "\n", NULL);
	close_json_object();
	return 0;
}

int print_neigh_msg(struct cli_ctx *c, struct nlmsghdr *nlh)
{
	struct neigh_filter all = { .state = 0xFFFF };

	/* `ip monitor` shows every state, NONE included */
	if (nlmsg_datalen(nlh) >= (int)sizeof(struct ndmsg) &&
	    ((struct ndmsg *)nlmsg_data(nlh))->ndm_state == NUD_NONE)
		all.state = NUD_NONE;
	return print_neigh(c, nlh, &all);
}

static int collect_neigh(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct neigh_filter *f = arg;
	struct nlattr *tb[NDA_MAX + 1];

	if (!neigh_match(nlh, f, tb))
		return 0;
	return nlmsg_list_add(&f->del, nlh);
}

static int ipneigh_list(struct cli_ctx *c, int argc, char **argv, bool flush)
{
	struct neigh_filter f = { .state = 0xFF & ~NUD_NOARP };
	struct ndmsg ndm = { .ndm_family = AF_INET };
	struct nl_msg *m;
	bool any = false, nud_given = false;
	int err;

	if (flush)
		f.state &= ~NUD_PERMANENT;
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "dev")) {
			NEXT_ARG();
			f.ifindex = cli_ifindex(c, argv[0]);
			if (f.ifindex < 0) {
				fprintf(c->err, "Cannot find device \"%s\"\n", argv[0]);
				return -ENODEV;
			}
			any = true;
		} else if (!strcmp(argv[0], "nud")) {
			uint16_t st;

			NEXT_ARG();
			if (nud_a2n(&st, argv[0]))
				return invarg(c, "nud state is bad", argv[0]);
			/* the first "nud" replaces the default mask, later ones add */
			f.state = nud_given ? f.state | st : st;
			nud_given = true;
			any = true;
		} else if (!strcmp(argv[0], "all")) {
			any = true;
		} else {
			if (!strcmp(argv[0], "to"))
				NEXT_ARG();
			if (get_prefix4(&f.dst, &f.dst_len, argv[0], true)) {
				fprintf(c->err, "Error: any valid prefix is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
			f.has_dst = true;
			any = true;
		}
	}
	if (flush && !any) {
		fprintf(c->err, "Flush requires arguments.\n");
		return -EINVAL;
	}
	err = ll_init_map(c);
	if (err)
		return err;
	m = nlmsg_alloc_simple(RTM_GETNEIGH, NLM_F_DUMP);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	if (!flush) {
		new_json_obj(c->out, c->json, c->pretty);
		err = cli_request(c, m, print_neigh, &f, false);
		delete_json_obj();
		return err;
	}
	err = cli_request(c, m, collect_neigh, &f, false);
	for (size_t i = 0; !err && i < f.del.n; i++) {
		struct nlattr *tb[NDA_MAX + 1];
		struct ndmsg *d = nlmsg_data(f.del.msg[i]), req = { .ndm_family = AF_INET };

		if (nlmsg_parse(f.del.msg[i], sizeof(*d), tb, NDA_MAX, NULL) < 0 || !tb[NDA_DST])
			continue;
		req.ndm_ifindex = d->ndm_ifindex;
		m = nlmsg_alloc_simple(RTM_DELNEIGH, 0);
		if (!m) {
			err = -ENOMEM;
			break;
		}
		nlmsg_append(m, &req, sizeof(req), NLMSG_ALIGNTO);
		nla_put_u32(m, NDA_DST, nla_get_u32(tb[NDA_DST]));
		err = cli_request(c, m, NULL, NULL, false);
	}
	if (!err && c->stats)
		fprintf(c->out, "\n*** Round 1, deleting %zu entries ***\n"
				"*** Flush is complete after 1 round ***\n", f.del.n);
	nlmsg_list_free(&f.del);
	return err;
}

static int ipneigh_modify(struct cli_ctx *c, int cmd, int flags, int argc, char **argv)
{
	struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_state = NUD_PERMANENT };
	const char *dev = NULL, *dst_arg = NULL;
	uint8_t mac[6];
	bool have_ll = false;
	uint32_t dst = 0;
	struct nl_msg *m;
	int ifindex;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "lladdr")) {
			NEXT_ARG();
			if (have_ll)
				return duparg(c, "lladdr", argv[0]);
			if (get_mac(mac, argv[0])) {
				fprintf(c->err, "\"%s\" is invalid lladdr.\n", argv[0]);
				return -EINVAL;
			}
			have_ll = true;
		} else if (!strcmp(argv[0], "nud")) {
			uint16_t st;

			NEXT_ARG();
			if (nud_a2n(&st, argv[0]) || st == 0xFF)
				return invarg(c, "nud state is bad", argv[0]);
			ndm.ndm_state = st;
		} else if (!strcmp(argv[0], "router")) {
			ndm.ndm_flags |= NTF_ROUTER;
		} else if (!strcmp(argv[0], "proxy")) {
			ndm.ndm_flags |= NTF_PROXY;
		} else if (!strcmp(argv[0], "dev")) {
			NEXT_ARG();
			dev = argv[0];
		} else {
			if (!strcmp(argv[0], "to"))
				NEXT_ARG();
			if (dst_arg)
				return duparg2(c, "to", argv[0]);
			dst_arg = argv[0];
			if (get_addr4(&dst, argv[0])) {
				fprintf(c->err, "Error: inet address is expected rather than \"%s\".\n",
					argv[0]);
				return -EINVAL;
			}
		}
	}
	if (!dev || !dst_arg) {
		fprintf(c->err, "Device and destination are required arguments.\n");
		return -EINVAL;
	}
	ifindex = cli_ifindex(c, dev);
	if (ifindex < 0) {
		fprintf(c->err, "Cannot find device \"%s\"\n", dev);
		return -ENODEV;
	}
	ndm.ndm_ifindex = ifindex;
	m = nlmsg_alloc_simple(cmd, flags);
	if (!m)
		return -ENOMEM;
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	nla_put_u32(m, NDA_DST, dst);
	if (have_ll)
		nla_put(m, NDA_LLADDR, 6, mac);
	return cli_request(c, m, NULL, NULL, false);
}

static int do_add(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_modify(c, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, argc - 1, argv + 1);
}
static int do_change(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_modify(c, RTM_NEWNEIGH, NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_replace(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_modify(c, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, argc - 1, argv + 1);
}
static int do_del(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_modify(c, RTM_DELNEIGH, 0, argc - 1, argv + 1);
}
static int do_show(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_list(c, argc - 1, argv + 1, false);
}
static int do_flush(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_list(c, argc - 1, argv + 1, true);
}
static int do_help(struct cli_ctx *c, int argc, char **argv)
{
	return ipneigh_usage(c, c->out);
}

static const struct cmd ipneigh_cmds[] = {
	{ "add", do_add, "" },	   { "change", do_change, "" }, { "replace", do_replace, "" },
	{ "delete", do_del, "" },  { "show", do_show, "" },	{ "list", do_show, "" },
	{ "lst", do_show, "" },	   { "flush", do_flush, "" },	{ "help", do_help, "" },
	{ NULL, NULL, NULL },
};

int cmd_ip_neigh(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return ipneigh_list(c, 0, NULL, false);
	return cmd_dispatch(c, ipneigh_cmds, "ip neigh", argc - 1, argv + 1);
}
