// SPDX-License-Identifier: MIT
/*
 * The Linux kernel's side of `make bench` (scripts/bench-kernel.sh): a UDP
 * sender that pushes fixed-size datagrams with sendmmsg() in batches of 64
 * (the cheapest way a process can make the kernel forward packets), and a
 * receiver that drains them with recvmmsg(); each pinned to a CPU, each
 * run inside a namespace of the chain with `ip netns exec`.
 *   kudp send ADDR PORT SECONDS SIZE CPU   -> "sent N SECONDS"
 *   kudp recv PORT SECONDS CPU             -> "received N SECONDS"
 * The receiver counts for SECONDS after the first datagram arrives and
 * exits; the sender stops after SECONDS. Traffic goes only to ADDR, an
 * address inside the chain the script built.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXSZ 9000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("kudp: sched_setaffinity");
}

static int do_send(const char *addr, int port, double secs, int size, int cpu)
{
	static char buf[MAXSZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	unsigned long long sent = 0;
	double t0, t;
	int fd;

	pin(cpu);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || size < 1 || size > MAXSZ) {
		fprintf(stderr, "kudp: bad address or size\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("kudp: socket/connect");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = (size_t)size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	do {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		/* A full queue somewhere down the chain: the kernel drops and
		 * counts; the sender just goes on. */
		if (n > 0)
			sent += (unsigned)n;
		else if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
			perror("kudp: sendmmsg");
			return 1;
		}
		t = now_s();
	} while (t - t0 < secs);
	printf("sent %llu %.6f\n", sent, t - t0);
	close(fd);
	return 0;
}

static int do_recv(int port, double secs, int cpu)
{
	static char bufs[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	unsigned long long rcvd = 0;
	double t0 = 0, t = 0, deadline = now_s() + secs + 10;
	int fd, one = 1, rcvbuf = 8 << 20;

	pin(cpu);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("kudp: socket/bind");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int n = recvmmsg(fd, msgs, BATCH, 0, NULL);

		t = now_s();
		if (n > 0) {
			if (!rcvd)
				t0 = t;
			rcvd += (unsigned)n;
		}
		if (rcvd && t - t0 >= secs)
			break;
		if (t > deadline)
			break; /* nothing came: report 0 */
	}
	printf("received %llu %.6f\n", rcvd, rcvd ? t - t0 : 0.0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(atoi(argv[2]), atof(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: kudp send ADDR PORT SECONDS SIZE CPU | kudp recv PORT SECONDS CPU\n");
	return 2;
}
