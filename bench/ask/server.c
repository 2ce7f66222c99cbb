/*
 * server.c - a tiny HTTP/1.1 keep-alive server for bench/ask.sh.
 *
 * It answers every request at once with the same valid chat completion,
 * so that the benchmark measures the client (kc-ask, or the reference
 * load generator) and not a model.  One thread, epoll, non-blocking
 * sockets, loopback only.  A Python server tops out far below the
 * 5,000 requests/s the client must reach; this one does not.
 *
 * Usage: server [SECONDS]   prints its port on stdout, then serves until
 *                           killed or for SECONDS (default 300), so a
 *                           forgotten server does not outlive the bench.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX (1 << 22)

static const char body[] =
	"{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
	"\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,"
	"\"message\":{\"role\":\"assistant\",\"content\":\"The answer is "
	"Paris.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
	"21,\"completion_tokens\":5,\"total_tokens\":26}}";

static char response[1024];
static size_t response_len;

struct conn {
	int fd;
	char *in;
	size_t len, cap;
	char *out;              /* what could not be written yet */
	size_t out_len, out_off;
};

/* Bytes of the first complete request in c->in, or 0 when incomplete,
 * or -1 when it is not HTTP we understand. */
static long request_size(struct conn *c)
{
	char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
	long head, clen = 0;

	if (!end)
		return c->len > 65536 ? -1 : 0;
	head = end - c->in + 4;
	for (char *p = c->in; p < end; p++) {
		if ((p == c->in || p[-1] == '\n') &&
		    !strncasecmp(p, "content-length:", 15)) {
			clen = strtol(p + 15, NULL, 10);
			break;
		}
	}
	if (clen < 0 || clen > BUF_MAX)
		return -1;
	return c->len >= (size_t)(head + clen) ? head + clen : 0;
}

static int queue_out(struct conn *c, const char *p, size_t n)
{
	char *o = realloc(c->out, c->out_len + n);

	if (!o)
		return -1;
	memcpy(o + c->out_len, p, n);
	c->out = o;
	c->out_len += n;
	return 0;
}

static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = write(c->fd, c->out + c->out_off,
		                  c->out_len - c->out_off);
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* Read what there is and answer every complete request; -1 to close. */
static int on_readable(struct conn *c)
{
	for (;;) {
		ssize_t r;

		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 131072;
			char *in;

			if (cap > BUF_MAX)
				return -1;
			in = realloc(c->in, cap);
			if (!in)
				return -1;
			c->in = in;
			c->cap = cap;
		}
		r = read(c->fd, c->in + c->len, c->cap - c->len);
		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EAGAIN)
				break;
			return -1;
		}
		c->len += (size_t)r;
	}
	for (;;) {
		long n = request_size(c);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (queue_out(c, response, response_len))
			return -1;
		memmove(c->in, c->in + n, c->len - (size_t)n);
		c->len -= (size_t)n;
	}
	return flush_out(c);
}

static void drop(struct conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { 0 };
	socklen_t alen = sizeof a;
	struct epoll_event ev, evs[256];
	int lfd, ep, one = 1;
	long life = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
	time_t end = time(NULL) + life;

	signal(SIGPIPE, SIG_IGN);
	response_len = (size_t)snprintf(response, sizeof response,
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		"Content-Length: %zu\r\n\r\n%s", sizeof body - 1, body);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 1024) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		perror("server");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (time(NULL) < end) {
		int n = epoll_wait(ep, evs, 256, 1000);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL,
				                     SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof *c);
					if (!c) {
						close(fd);
						continue;
					}
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
					           &one, sizeof one);
					ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if ((evs[i].events & (EPOLLERR | EPOLLHUP)) ||
			    ((evs[i].events & EPOLLIN) && on_readable(c)) ||
			    ((evs[i].events & EPOLLOUT) && flush_out(c))) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				drop(c);
			}
		}
	}
	return 0;
}
