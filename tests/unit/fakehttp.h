/*
 * A tiny HTTP server on 127.0.0.1, in a thread of the test, for the unit
 * tests of what talks to a server (the shipper's own calls, a replay):
 * each request is answered by the test's function, which sees the method,
 * the target with its percent-escapes decoded, and the body as sent, and
 * gives the status and the answer's body. One connection at a time, each
 * closed after its answer ("Connection: close"), which is all libcurl
 * needs. Stop it before reading what the function recorded: the join
 * orders the server's writes before the test's reads.
 */
#ifndef FAKEHTTP_H
#define FAKEHTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"

struct fakehttp_req {
	const char *method;
	const char *target; /* "/?query=INSERT INTO t ...", decoded */
	const char *body;
	size_t len;
};

/* Puts the answer's body in resp and returns its status (200, 500...). */
typedef int (*fakehttp_fn)(
    void *arg, const struct fakehttp_req *rq, struct buf *resp);

struct fakehttp {
	int fd;
	pthread_t thread;
	fakehttp_fn answer;
	void *arg;
	char url[64]; /* "http://127.0.0.1:PORT" */
};

/* Decodes %XX in s, in place. */
static inline void
fakehttp_unescape(char *s)
{
	char *out = s, hex[3] = {0};

	for (; *s; s++) {
		if (s[0] == '%' && s[1] && s[2]) {
			hex[0] = s[1];
			hex[1] = s[2];
			*out++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The value of header name ("content-length:") in head, or NULL. */
static inline const char *
fakehttp_header(const char *head, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, n) == 0)
			return p + 2 + n;
	}
	return NULL;
}

/* Reads one request from fd and answers it. */
static inline void
fakehttp_serve(struct fakehttp *f, int fd)
{
	struct buf in = BUF_INIT, resp = BUF_INIT, head = BUF_INIT;
	struct fakehttp_req rq;
	char tmp[65536], *end = NULL, *sp;
	const char *cl;
	size_t need = 0, hlen = 0;
	ssize_t got;
	int status;

	while ((got = read(fd, tmp, sizeof(tmp))) > 0) {
		buf_add(&in, tmp, (size_t)got);
		if (end == NULL &&
		    (end = strstr(in.data, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(end - in.data) + 4;
			*end = '\0';
			cl = fakehttp_header(in.data, "content-length:");
			need = cl ? strtoul(cl, NULL, 10) : 0;
		}
		if (end && in.len >= hlen + need)
			break;
	}
	if (end == NULL || (sp = strchr(in.data, ' ')) == NULL)
		goto out;
	*sp = '\0';
	rq.method = in.data;
	rq.target = sp + 1;
	*strchr(sp + 1, ' ') = '\0';
	fakehttp_unescape(sp + 1);
	rq.body = in.data + hlen;
	rq.len = need;
	status = f->answer(f->arg, &rq, &resp);
	buf_printf(&head,
	    "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, resp.len);
	if (write(fd, head.data, head.len) < 0 ||
	    (resp.len && write(fd, resp.data, resp.len) < 0))
		perror("fakehttp: write");
out:
	buf_release(&in);
	buf_release(&resp);
	buf_release(&head);
}

static inline void *
fakehttp_loop(void *arg)
{
	struct fakehttp *f = arg;
	int fd;

	while ((fd = accept(f->fd, NULL, NULL)) >= 0) {
		fakehttp_serve(f, fd);
		close(fd);
	}
	return NULL;
}

/* Starts the server on a free port (f->url). 0 or -1. */
static inline int
fakehttp_start(struct fakehttp *f, fakehttp_fn answer, void *arg)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->answer = answer;
	f->arg = arg;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((f->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(f->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(f->fd, 16) < 0 ||
	    getsockname(f->fd, (struct sockaddr *)&a, &alen) < 0 ||
	    pthread_create(&f->thread, NULL, fakehttp_loop, f) != 0) {
		perror("fakehttp");
		return -1;
	}
	snprintf(
	    f->url, sizeof(f->url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	return 0;
}

/* Stops the server: accept() fails once the socket is shut down. */
static inline void
fakehttp_stop(struct fakehttp *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
}

#endif
