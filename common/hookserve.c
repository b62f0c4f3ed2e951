/* The webhook receiver's server; see hookserve.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exitcode.h"
#include "hookserve.h"

#ifndef SLUICE_VENDORS_DIR
#define SLUICE_VENDORS_DIR "vendors"
#endif

#define MIB (1024 * 1024)

void
hookserve_defaults(struct hookserve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->max_body = MIB;
	o->backlog = 64 * MIB;
	o->segment_size = 64 * MIB;
	o->max_conn = 1000;
	o->timeout = 10;
	o->threads = 2;
	o->request_timeout = 30;
	o->segment_age = 60;
}

int
hookserve_option(
    struct hookserve_opts *o, int c, const char *arg, struct buf *err)
{
	int bad = 0;

	switch (c) {
	case 'v':
		o->vendors =
		    xrealloc(o->vendors, (o->nvendors + 1) * sizeof(char *));
		o->vendors[o->nvendors++] = arg;
		break;
	case 'l':
		o->listen = arg;
		break;
	case 'j':
		o->journal = arg;
		break;
	case 'b':
		bad = cli_size(arg, &o->max_body) < 0 || o->max_body == 0;
		break;
	case 'B':
		bad = cli_size(arg, &o->backlog) < 0 || o->backlog == 0;
		break;
	case 's':
		bad =
		    cli_size(arg, &o->segment_size) < 0 || o->segment_size == 0;
		break;
	case 'c':
		bad =
		    cli_uint(arg, 100000, &o->max_conn) < 0 || o->max_conn == 0;
		break;
	case 't':
		bad = cli_uint(arg, 3600, &o->timeout) < 0 || o->timeout == 0;
		break;
	case 'p':
		bad = cli_uint(arg, 64, &o->threads) < 0 || o->threads == 0;
		break;
	case 'T':
		bad = cli_seconds(arg, &o->request_timeout) < 0;
		break;
	case 'a':
		bad = cli_seconds(arg, &o->segment_age) < 0;
		break;
	case 'F':
		o->fsync_each = 1;
		break;
	case 'd':
		o->dictionary = arg;
		break;
	default:
		bad = 1;
	}
	if (bad)
		buf_printf(err, "'%s': not a value of -%c", arg ? arg : "", c);
	return bad ? -1 : 0;
}

/*
 * Adds route i of vendor which (of n, *n set by the first); 1 when it has
 * no receive section.
 */
static int
add_one(struct server *srv, const char *which, int all, size_t i, size_t *n,
    struct buf *err)
{
	const json_t *recv;
	struct route *rt;
	int rc;

	srv->routes =
	    xrealloc(srv->routes, (srv->nroutes + 1) * sizeof(*srv->routes));
	rt = &srv->routes[srv->nroutes];
	memset(rt, 0, sizeof(*rt));
	if ((rc = vendor_load(&rt->vendor, which, err)) < 0) {
		vendor_release(&rt->vendor);
		return rc == -2 ? EXIT_NOINPUT : EXIT_DATAERR;
	}
	if (rt->vendor.receive == NULL) {
		if (!all)
			buf_printf(err,
			    "%s: no receive section (hook-recv serves "
			    "the vendors that have one)",
			    rt->vendor.path);
		vendor_release(&rt->vendor);
		return all ? 1 : EXIT_DATAERR;
	}
	srv->nroutes++;
	recv = rt->vendor.receive;
	*n = json_is_array(recv) ? json_array_size(recv) : 1;
	if (json_is_array(recv))
		recv = json_array_get(recv, i);
	if (*n == 0)
		buf_adds(err, "receive: an empty list of routes");
	if (*n == 0 || hookroute_load(&rt->route, recv, err) < 0 ||
	    hookevent_load(&rt->ev, recv, srv->o.dictionary, err) < 0) {
		if (json_is_array(rt->vendor.receive))
			buf_printf(
			    err, " (route %zu of %s)", i, rt->vendor.path);
		else
			buf_printf(err, " (%s)", rt->vendor.path);
		return EXIT_DATAERR;
	}
	rt->source = rt->vendor.source ? rt->vendor.source : rt->vendor.name;
	if (rt->route.keys_var && (rt->nkeys = hookroute_secrets(
	                               rt->route.keys_var, &rt->keys, err)) < 0)
		return EXIT_USAGE;
	if (rt->route.secrets_var &&
	    (rt->nsecrets = hookroute_secrets(
	         rt->route.secrets_var, &rt->secrets, err)) < 0)
		return EXIT_USAGE;
	return 0;
}

/* Adds the routes of vendor which; 1 when it has no receive section. */
static int
add_route(struct server *srv, const char *which, int all, struct buf *err)
{
	size_t i, n = 1;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++)
		rc = add_one(srv, which, all, i, &n, err);
	return rc;
}

/* Every vendor folder whose vendor file has a receive section. */
static int
all_routes(struct server *srv, struct buf *err)
{
	const char *dir = getenv("SLUICE_VENDORS");
	struct buf p = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	dir = dir && *dir ? dir : SLUICE_VENDORS_DIR;
	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		return EXIT_NOINPUT;
	}
	while (rc <= 1 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&p);
		buf_printf(&p, "%s/%s/vendor.json", dir, de->d_name);
		if (access(p.data, R_OK) == 0)
			rc = add_route(srv, p.data, 1, err);
	}
	closedir(d);
	buf_release(&p);
	if (rc <= 1 && srv->nroutes == 0) {
		buf_printf(err, "%s: no vendor has a receive section", dir);
		return EXIT_DATAERR;
	}
	return rc <= 1 ? 0 : rc;
}

int
hookserve_open(struct server *srv, struct buf *err)
{
	struct journal_opts jo = {0};
	struct buf dir = BUF_INIT;
	const char *data = getenv("SLUICE_DATA");
	const char *dict = getenv("SLUICE_DICTIONARY");
	size_t i, k;
	int rc = 0;

	if (srv->o.dictionary == NULL && dict && *dict)
		srv->o.dictionary = dict;
	for (i = 0; rc == 0 && i < srv->o.nvendors; i++)
		rc = add_route(srv, srv->o.vendors[i], 0, err);
	if (rc == 0 && srv->o.nvendors == 0)
		rc = all_routes(srv, err);
	for (i = 0; rc == 0 && i < srv->nroutes; i++) {
		for (k = 0; k < i; k++) {
			if (strcmp(srv->routes[i].route.path,
			        srv->routes[k].route.path) == 0) {
				buf_printf(err, "%s: the path of %s too",
				    srv->routes[i].vendor.path,
				    srv->routes[k].vendor.name);
				rc = EXIT_USAGE;
			}
		}
	}
	if (rc)
		return rc;
	jo.segment_bytes = srv->o.segment_size;
	jo.segment_secs = srv->o.segment_age;
	jo.backlog_bytes = srv->o.backlog;
	jo.fsync_each = srv->o.fsync_each;
	srv->journal = journal_new(&jo);
	if (srv->o.journal == NULL && getenv("SLUICE_JOURNAL") &&
	    *getenv("SLUICE_JOURNAL"))
		srv->o.journal = getenv("SLUICE_JOURNAL");
	if (srv->o.journal == NULL) {
		buf_printf(&dir, "%s/journal", data && *data ? data : ".");
		srv->o.journal = srv->journal_dir = xstrdup(dir.data);
	}
	if (mkdir(srv->o.journal, 0700) < 0 && errno != EEXIST) {
		buf_printf(err, "%s: %s", srv->o.journal, strerror(errno));
		rc = EXIT_IOERR;
	}
	for (i = 0; rc == 0 && i < srv->nroutes; i++) {
		/* A vendor's routes share its stream. */
		for (k = 0; k < i && strcmp(srv->routes[k].vendor.name,
		                         srv->routes[i].vendor.name) != 0;
		     k++)
			;
		if (k < i) {
			srv->routes[i].stream = srv->routes[k].stream;
			continue;
		}
		buf_reset(&dir);
		buf_printf(
		    &dir, "%s/%s", srv->o.journal, srv->routes[i].vendor.name);
		srv->routes[i].stream =
		    journal_stream(srv->journal, dir.data, err);
		if (srv->routes[i].stream < 0)
			rc = EXIT_IOERR;
	}
	buf_release(&dir);
	return rc;
}

static void
notify(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;

	(void)c;
	(void)ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv->conns, 1);
	else
		atomic_fetch_sub(&srv->conns, 1);
}

static int
parse_listen(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	unsigned long long port;
	char host[64];

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (colon == NULL || (size_t)(colon - s) >= sizeof(host) ||
	    cli_uint(colon + 1, 65535, &port) < 0)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	sa->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
hookserve_start(struct server *srv, MHD_AccessHandlerCallback handle,
    MHD_RequestCompletedCallback completed, struct buf *err)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;
	struct route *rt;
	sigset_t set;
	size_t i;

	if (parse_listen(srv->o.listen, &sa) < 0) {
		buf_printf(
		    err, "--listen '%s': not ADDR:PORT (IPv4)", srv->o.listen);
		return EXIT_USAGE;
	}
	for (i = 0; i < srv->nroutes; i++) {
		rt = &srv->routes[i];
		rt->answer =
		    MHD_create_response_from_buffer(strlen(rt->route.answer),
		        (void *)rt->route.answer, MHD_RESPMEM_PERSISTENT);
		if (*rt->route.answer)
			MHD_add_response_header(
			    rt->answer, "Content-Type", "application/json");
	}
	block_signals(&set);
	if (journal_start(srv->journal) < 0) {
		buf_printf(err, "the journal's writer: %s", strerror(errno));
		return EXIT_IOERR;
	}
	/* Past the cap a connection still gets its 503; past a second as
	 * many, the kernel's backlog holds it. */
	srv->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	                              MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->o.threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->o.timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(srv->o.max_conn * 2 + 16),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U, MHD_OPTION_NOTIFY_COMPLETED,
	    completed, srv, MHD_OPTION_NOTIFY_CONNECTION, notify, srv,
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		buf_printf(err, "cannot listen on %s", srv->o.listen);
		return EXIT_UNAVAILABLE;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	return 0;
}

int
hookserve_wait(struct server *srv, atomic_long *inflight)
{
	struct timespec nap = {0, 10 * 1000 * 1000};
	sigset_t set;
	int sig = 0, i;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	while (sig != SIGTERM && sig != SIGINT) {
		if (sigwait(&set, &sig) != 0)
			sig = 0;
		if (sig == SIGHUP || sig == SIGUSR1)
			journal_rotate(srv->journal);
	}
	MHD_quiesce_daemon(srv->d);
	for (i = 0; i < 3000 && atomic_load(inflight) > 0; i++)
		nanosleep(&nap, NULL);
	/* What is left is kept-alive connections with no request. */
	MHD_stop_daemon(srv->d);
	srv->d = NULL;
	journal_stats(srv->journal, &srv->stats);
	i = journal_close(srv->journal);
	srv->journal = NULL;
	return i < 0 ? EXIT_IOERR : EXIT_OK;
}

struct route *
hookserve_route(struct server *srv, const char *url)
{
	size_t i, n = strcspn(url, "?");

	for (i = 0; i < srv->nroutes; i++) {
		if (strlen(srv->routes[i].route.path) == n &&
		    strncmp(srv->routes[i].route.path, url, n) == 0)
			return &srv->routes[i];
	}
	return NULL;
}

int
hookserve_crowded(struct server *srv)
{
	return atomic_load(&srv->conns) > (long)srv->o.max_conn;
}

void
hookserve_count(struct server *srv, int status)
{
	if (status >= 0 && status < 600)
		atomic_fetch_add(&srv->counts[status], 1);
}

/* Now as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
static void
stamp(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static void
remote(struct MHD_Connection *conn, char out[64])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	strcpy(out, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, 64);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out, 64);
}

static int
dump(const char *p, size_t n, void *b)
{
	return buf_add(b, p, n);
}

int
hookserve_record(struct server *srv, const struct route *rt,
    struct MHD_Connection *conn, json_t *rec, json_t *violations,
    struct buf *id, struct buf *line)
{
	const char *h =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "webhook-id");
	unsigned char rnd[16];
	char when[32], from[64];
	int rc, i;

	(void)srv;
	if (h == NULL)
		h = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, "Idempotency-Key");
	if ((rc = hookroute_id(&rt->route, h, rec, id)) < 0)
		return -1;
	if (rc == 0) {
		/* No id: the request is its own, never a duplicate. */
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -1;
		buf_adds(id, "own:");
		for (i = 0; i < 16; i++)
			buf_printf(id, "%02x", rnd[i]);
	}
	stamp(when);
	remote(conn, from);
	json_object_set_new(rec, "_meta",
	    json_pack("{s:s,s:s,s:s,s:s,s:s}", "source", rt->source, "route",
	        rt->route.path, "received_at", when, "request_id", id->data,
	        "remote", from));
	if (violations)
		json_object_set(
		    json_object_get(rec, "_meta"), "violations", violations);
	buf_reset(line);
	return json_dump_callback(rec, dump, line, JSON_COMPACT) == 0 ? 0 : -1;
}

void
hookserve_summary(struct server *srv, struct buf *out)
{
	struct journal_stats st = srv->stats;
	unsigned long long ok = 0, no = 0, n;
	int s;

	if (srv->journal)
		journal_stats(srv->journal, &st);
	for (s = 200; s < 300; s++)
		ok += atomic_load(&srv->counts[s]);
	for (s = 300; s < 600; s++)
		no += atomic_load(&srv->counts[s]);
	buf_printf(out, "answered=%llu refused=%llu", ok, no);
	for (s = 300; s < 600; s++) {
		if ((n = atomic_load(&srv->counts[s])) != 0)
			buf_printf(out, " %d=%llu", s, n);
	}
	buf_printf(out, " written=%llu duplicates=%llu flushes=%llu",
	    st.records, st.duplicates, st.flushes);
}

void
hookserve_close(struct server *srv)
{
	struct route *rt;
	size_t i;

	if (srv->d)
		MHD_stop_daemon(srv->d);
	if (srv->journal)
		journal_close(srv->journal);
	for (i = 0; i < srv->nroutes; i++) {
		rt = &srv->routes[i];
		if (rt->answer)
			MHD_destroy_response(rt->answer);
		hookroute_free_secrets(rt->keys, rt->nkeys > 0 ? rt->nkeys : 0);
		hookroute_free_secrets(
		    rt->secrets, rt->nsecrets > 0 ? rt->nsecrets : 0);
		hookroute_release(&rt->route);
		hookevent_release(&rt->ev);
		vendor_release(&rt->vendor);
	}
	free(srv->routes);
	free(srv->o.vendors);
	free(srv->journal_dir);
	memset(srv, 0, sizeof(*srv));
}
