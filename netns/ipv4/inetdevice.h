/* SPDX-License-Identifier: MIT */
/*
 * The IPv4 state of a device (Linux's struct in_device, inetdevice.h):
 * its addresses and its net.ipv4.conf.DEV.* values, reached through
 * dev->ip_ptr. devinet.c creates it on NETDEV_REGISTER (devconf from
 * conf.default at that moment) and frees it after every other handler of
 * NETDEV_UNREGISTER has run, so a registered device always has one.
 */
#ifndef NSEMU_NETNS_IPV4_INETDEVICE_H
#define NSEMU_NETNS_IPV4_INETDEVICE_H

#include "netns/core/dev.h"
#include "netns/core/sysctl.h"

struct in_ifaddr;

struct in_device {
	struct in_ifaddr *ifa_list; /* IPv4 addresses, primary first (devinet.c) */
	struct ipv4_devconf cnf;    /* net.ipv4.conf.DEV.* */
	/* IPv4 is off on the device: its MTU fell below 68 (inetdev_valid_mtu);
	 * Linux then destroys the in_device, so the device has no addresses
	 * and takes none (-ENOBUFS) until its MTU is 68 or more again */
	bool dead;
};

/* The IPv4 state of @dev: non-NULL from NETDEV_REGISTER to the end of
 * NETDEV_UNREGISTER. */
static inline struct in_device *__in_dev_get(const struct netdev *dev)
{
	return dev->ip_ptr;
}

#endif
