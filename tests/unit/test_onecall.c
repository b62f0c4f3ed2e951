/*
 * Unit tests for common/onecall.c against a tiny HTTP server on loopback
 * (a thread here, one scripted answer a connection): a call waited for to
 * its end and what it sent wiped; the stop flag and the time limit ending
 * the wait early; a download cut short sent again and written whole from
 * its start; a download whose file cannot be emptied or written stopping
 * the call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "onecall.h"

#define MAX_REPLIES 4

/* The server: the answers it gives, in order (NULL: hang up only when the
 * client does), and the request lines it got. */
struct server {
	int fd;
	int port;
	const char *replies[MAX_REPLIES];
	int n;
	char got[MAX_REPLIES][128];
	pthread_t thread;
};

/* Reads a request (headers and a Content-Length body); its first line in
 * line. 0, or -1 when the client went away. */
static int
read_request(int fd, char *line, size_t size)
{
	char req[8192], *end, *cl;
	size_t len = 0, want;
	ssize_t n;

	while ((end = strstr(req, "\r\n\r\n")) == NULL || len == 0) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			return -1;
		len += (size_t)n;
		req[len] = '\0';
	}
	want = (size_t)(end + 4 - req);
	if ((cl = strstr(req, "Content-Length: ")) != NULL)
		want += strtoul(cl + 16, NULL, 10);
	while (len < want && len < sizeof(req) - 1) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			return -1;
		len += (size_t)n;
	}
	snprintf(line, size, "%.*s", (int)strcspn(req, "\r"), req);
	return 0;
}

static void *
serve(void *arg)
{
	struct server *s = arg;
	char drain[256];
	int i, c;

	for (i = 0; i < s->n; i++) {
		if ((c = accept(s->fd, NULL, NULL)) < 0)
			break;
		if (read_request(c, s->got[i], sizeof(s->got[i])) == 0) {
			if (s->replies[i])
				(void)!write(
				    c, s->replies[i], strlen(s->replies[i]));
			else
				while (read(c, drain, sizeof(drain)) > 0)
					;
		}
		close(c);
	}
	return NULL;
}

/* Starts a server giving the n answers. 0 or -1. */
static int
server_start(struct server *s, int n, const char *const *replies)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->fd, 4) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	s->n = n;
	memcpy(s->replies, replies, (size_t)n * sizeof(*replies));
	return pthread_create(&s->thread, NULL, serve, s) == 0 ? 0 : -1;
}

static void
server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* A connection to the server (its socket), or -1. */
static int
socket_to(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A client with quick retries, and the call's URL set to path on s. */
static int
connect_to(struct onecall *o, const struct server *s, const char *path,
    const volatile sig_atomic_t *stop)
{
	struct http_opts opts;
	struct buf err = BUF_INIT;
	int rc;

	http_opts_default(&opts);
	opts.concurrency = 1;
	opts.retries = 2;
	opts.backoff_base = 0.01;
	opts.backoff_max = 0.02;
	onecall_init(o, stop);
	rc = onecall_connect(o, &opts, &err);
	buf_release(&err);
	buf_printf(&o->call.url, "http://127.0.0.1:%d%s", s->port, path);
	return rc;
}

TEST(run_to_the_end)
{
	static const char *const replies[] = {
	    "HTTP/1.1 201 Created\r\nContent-Length: 8\r\n"
	    "Connection: close\r\n\r\n{\"id\":1}"};
	struct server s;
	struct onecall o;
	json_t *body = json_pack("{s:s}", "key", "s3cret");

	CHECK(server_start(&s, 1, replies) == 0);
	CHECK(connect_to(&o, &s, "/reports?key=s3cret", NULL) == 0);
	CHECK(http_set_json(&o.call, body) == 0);
	CHECK(onecall_run(&o, "POST", 0, http_now() + 30) == ONECALL_ENDED);
	CHECK(o.call.result == HTTP_ANSWER && o.call.status == 201);
	CHECK_STR(o.call.resp.data, "{\"id\":1}");
	/* What was sent, the key with it, is gone. */
	CHECK(o.call.url.len == 0 && o.call.body.len == 0);
	CHECK(o.call.url.data == NULL || strstr(o.call.url.data, "s3") == NULL);
	onecall_release(&o);
	server_stop(&s);
	CHECK_STR(s.got[0], "POST /reports?key=s3cret HTTP/1.1");
	json_decref(body);
}

TEST(late)
{
	static const char *const replies[] = {NULL};
	struct server s;
	struct onecall o;
	double t;

	CHECK(server_start(&s, 1, replies) == 0);
	CHECK(connect_to(&o, &s, "/status", NULL) == 0);
	/* The server never answers: the wait ends at the limit. */
	t = http_now();
	CHECK(onecall_run(&o, "GET", 0, t + 0.3) == ONECALL_LATE);
	CHECK(http_now() - t >= 0.29 && http_now() - t < 5);
	CHECK(o.call.url.len == 0);
	onecall_release(&o); /* hangs up: the server thread ends */
	server_stop(&s);
}

TEST(stopped)
{
	static const char *const replies[] = {NULL};
	static volatile sig_atomic_t stop;
	struct server s;
	struct onecall o;
	double t;

	CHECK(server_start(&s, 1, replies) == 0);
	CHECK(connect_to(&o, &s, "/status", &stop) == 0);
	/* A signal's flag ends the wait at once, the call still out. */
	stop = SIGTERM;
	t = http_now();
	CHECK(onecall_run(&o, "GET", 0, 0) == ONECALL_STOPPED);
	CHECK(http_now() - t < 1 && o.call.url.len == 0);
	onecall_release(&o);
	/* The call never reached the server: a connection that hangs up
	 * ends the server's thread. */
	close(socket_to(s.port));
	server_stop(&s);
}

TEST(download_cut_short_sent_again)
{
	static const char *const replies[] = {
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
	    "Connection: close\r\n\r\nabc",
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
	    "Connection: close\r\n\r\n0123456789"};
	struct server s;
	struct onecall o;
	struct wholefile w;
	char got[32];
	ssize_t n;

	CHECK(server_start(&s, 2, replies) == 0);
	CHECK(connect_to(&o, &s, "/file.csv", NULL) == 0);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, NULL, "unit") == 0);
	CHECK(onecall_download(&o, &w, NULL) == ONECALL_ENDED);
	CHECK(o.call.result == HTTP_ANSWER && o.call.status == 200);
	CHECK(o.call.tries == 2 && w.bytes == 10 && w.err == 0);
	CHECK(o.call.sink == NULL && o.call.resp.len == 0);
	CHECK(lseek(w.fd, 0, SEEK_SET) == 0);
	n = read(w.fd, got, sizeof(got));
	CHECK(n == 10 && memcmp(got, "0123456789", 10) == 0);
	wholefile_release(&w);
	onecall_release(&o);
	server_stop(&s);
	CHECK_STR(s.got[1], "GET /file.csv HTTP/1.1");
}

/* A download to w, which cannot take it: the call stops, unavailable. */
static void
not_written(struct wholefile *w)
{
	static const char *const replies[] = {
	    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
	    "Connection: close\r\n\r\nabcd"};
	struct server s;
	struct onecall o;

	CHECK(server_start(&s, 1, replies) == 0);
	CHECK(connect_to(&o, &s, "/file.csv", NULL) == 0);
	CHECK(onecall_download(&o, w, NULL) == ONECALL_ENDED);
	CHECK(o.call.result == HTTP_UNAVAILABLE);
	onecall_release(&o);
	server_stop(&s);
}

TEST(download_not_written)
{
	struct wholefile w;
	struct rlimit was, none;

	/* A file that cannot be emptied for the first try. */
	wholefile_init(&w);
	w.fd = open("/dev/full", O_WRONLY);
	not_written(&w);
	CHECK(w.err != 0 && w.where == NULL);
	wholefile_release(&w);
	/* A file that cannot grow: the write fails. */
	signal(SIGXFSZ, SIG_IGN);
	CHECK(getrlimit(RLIMIT_FSIZE, &was) == 0);
	none = was;
	none.rlim_cur = 0;
	wholefile_init(&w);
	CHECK(wholefile_open(&w, NULL, "unit") == 0);
	CHECK(setrlimit(RLIMIT_FSIZE, &none) == 0);
	not_written(&w);
	CHECK(setrlimit(RLIMIT_FSIZE, &was) == 0);
	CHECK(w.err == EFBIG && w.bytes == 0);
	wholefile_release(&w);
}

int
main(void)
{
	RUN(run_to_the_end);
	RUN(late);
	RUN(stopped);
	RUN(download_cut_short_sent_again);
	RUN(download_not_written);
	return harness_done();
}
