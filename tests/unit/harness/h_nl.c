// SPDX-License-Identifier: MIT
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"
#include "devices/devices.h"

#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <sys/socket.h>

struct nl_msg *h_link_msg(int type, int flags, int ifindex, unsigned ifflags, unsigned change)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = ifflags, .ifi_change = change };

	nlmsg_append(m, &ifm, sizeof(ifm), NLMSG_ALIGNTO);
	return m;
}

struct nl_msg *h_veth_msg(int flags, const char *name, const char *peer, uint32_t peer_ns)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, flags, 0, 0, 0);
	struct ifinfomsg pifm = { .ifi_family = AF_UNSPEC };

	nla_put_string(m, IFLA_IFNAME, name);
	struct nlattr *li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "veth");
	struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);
	struct nlattr *p = nla_nest_start(m, VETH_INFO_PEER);
	nlmsg_append(m, &pifm, sizeof(pifm), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, peer);
	if (peer_ns)
		nla_put_u32(m, IFLA_NET_NS_PID, peer_ns);
	nla_nest_end(m, p);
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	return m;
}

size_t h_dgram_add(uint8_t *buf, size_t len, struct nl_msg *m, uint32_t seq)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = seq;
	memcpy(buf + len, h, h->nlmsg_len);
	len += NLMSG_ALIGN(h->nlmsg_len);
	nlmsg_free(m);
	return len;
}

void h_rtnl_open(struct rtnl_conn *conn, struct rtnl_out *out)
{
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	*conn = (struct rtnl_conn){ .portid = 4242, .ext_ack = true };
	rtnl_out_init(out);
}

void h_rtnl_close(struct rtnl_out *out)
{
	rtnl_exit();
	rtnl_out_free(out);
	h_teardown();
}
