// SPDX-License-Identifier: MIT
/*
 * Start-up registration of the device drivers: the loopback constructor
 * that every new namespace calls (netns/ may not include devices/, so the
 * hook is handed over here, as the kernel registers loopback_net_ops as a
 * pernet subsystem) and the link kinds `ip link add ... type KIND` knows.
 */
#include <stdbool.h>

#include "devices.h"
#include "tap.h"

void devices_init(void)
{
	static bool done;

	/* Called once from main() and from every unit-test setup. */
	if (done)
		return;
	done = true;
	netns_set_lo_create(loopback_create);
	veth_init();
	tap_init();
	dummy_init();
}
