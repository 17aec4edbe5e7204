// SPDX-License-Identifier: MIT
/*
 * The Linux kernel's side of `bench tcp --conns` and `--cps`
 * (scripts/bench-kernel.sh; iperf3 does the bulk transfer): the same loops
 * nsemu's bench runs, with blocking sockets, each end inside a namespace
 * of the pair with `ip netns exec`.
 *   ktcp serve ADDR PORT hold N   accept N connections and keep them:
 *                                 "held N" once they are all in, then
 *                                 sleep until killed
 *   ktcp serve ADDR PORT close N  accept, read to the end of stream,
 *                                 close, N times: "served N SECONDS"
 *   ktcp conns ADDR PORT N        open N connections and keep them:
 *                                 "established N SECONDS", then sleep
 *   ktcp cps ADDR PORT N          connect and close, one at a time, N
 *                                 times: "cps N SECONDS"
 * Each prints "ready" once listening (serve). Traffic goes only to ADDR,
 * an address of the pair the script built.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Room for N descriptors held at once: the soft limit raised to the hard
 * one, the hard one too when it is short and we may (root). */
static void fd_room(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= (rlim_t)n + 64)
		return;
	rl.rlim_cur = (rlim_t)n + 64;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "ktcp: cannot hold %ld descriptors: %s\n", n, strerror(errno));
}

static int addr_of(const char *s, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, s, &sa->sin_addr) != 1) {
		fprintf(stderr, "ktcp: bad address %s\n", s);
		return -1;
	}
	return 0;
}

static int serve(const char *addr, int port, int hold, long n)
{
	struct sockaddr_in sa;
	char buf[256];
	double t0 = 0;
	int fd, one = 1;

	if (addr_of(addr, port, &sa))
		return 2;
	if (hold)
		fd_room(n);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096)) {
		perror("ktcp: socket/bind/listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (long i = 0; i < n; i++) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			perror("ktcp: accept");
			return 1;
		}
		if (!i)
			t0 = now_s();
		if (hold)
			continue; /* kept open until the process ends */
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
	if (hold) {
		printf("held %ld\n", n);
		fflush(stdout);
		pause();
	}
	printf("served %ld %.6f\n", n, now_s() - t0);
	return 0;
}

static int client(const char *addr, int port, int keep, long n)
{
	struct sockaddr_in sa;
	double t0;

	if (addr_of(addr, port, &sa))
		return 2;
	if (keep)
		fd_room(n);
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "ktcp: connection %ld: %s\n", i, strerror(errno));
			return 1;
		}
		if (!keep)
			close(fd);
	}
	printf("%s %ld %.6f\n", keep ? "established" : "cps", n, now_s() - t0);
	fflush(stdout);
	if (keep)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "serve") &&
	    (!strcmp(argv[4], "hold") || !strcmp(argv[4], "close")))
		return serve(argv[2], atoi(argv[3]), !strcmp(argv[4], "hold"), atol(argv[5]));
	if (argc == 5 && (!strcmp(argv[1], "conns") || !strcmp(argv[1], "cps")))
		return client(argv[2], atoi(argv[3]), !strcmp(argv[1], "conns"), atol(argv[4]));
	fprintf(stderr, "usage: ktcp serve ADDR PORT hold|close N | ktcp conns|cps ADDR PORT N\n");
	return 2;
}
