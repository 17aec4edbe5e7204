// SPDX-License-Identifier: MIT
/*
 * The netdevice notifier chain (raw_notifier_chain_register /
 * call_netdevice_notifiers of net/core/dev.c and kernel/notifier.c): a
 * list of subscribers in priority order that the device core calls on
 * every state change of a registered device. Registration happens at
 * start-up, before workers run; calls walk the list without a lock.
 */
#include <errno.h>

#include "dev.h"

static struct notifier_block *netdev_chain;

int register_netdevice_notifier(struct notifier_block *nb)
{
	struct notifier_block **pp = &netdev_chain;

	/* after every block of the same or higher priority */
	while (*pp && (*pp)->priority >= nb->priority)
		pp = &(*pp)->next;
	nb->next = *pp;
	*pp = nb;
	return 0;
}

int unregister_netdevice_notifier(struct notifier_block *nb)
{
	for (struct notifier_block **pp = &netdev_chain; *pp; pp = &(*pp)->next) {
		if (*pp == nb) {
			*pp = nb->next;
			nb->next = NULL;
			return 0;
		}
	}
	return -ENOENT;
}

int call_netdevice_notifiers(unsigned long event, struct netdev *dev)
{
	int ret = NOTIFY_DONE;

	NS_ASSERT_OWNER(dev->ns);
	for (struct notifier_block *nb = netdev_chain; nb; nb = nb->next) {
		ret = nb->notifier_call(nb, event, dev);
		if (ret & NOTIFY_STOP_MASK)
			break;
	}
	return ret;
}
