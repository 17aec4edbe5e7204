// SPDX-License-Identifier: MIT
/*
 * Start-up registration of the device drivers: loopback as a pernet
 * device (every new namespace gets `lo`, as the kernel's loopback_net_ops)
 * and the link kinds `ip link add ... type KIND` knows.
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
	loopback_init();
	veth_init();
	tap_init();
	dummy_init();
	vrf_init();
}
