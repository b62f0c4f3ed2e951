/*
 * hookserve: the webhook receiver's server, its routes and its life: the
 * part of hook-recv that is not a request's handling.
 *
 *	struct server srv;                   (zeroed: a static one)
 *	hookserve_defaults(&srv.o);  hookserve_option(&srv.o, c, arg, err)...
 *	hookserve_open(&srv, err)            the routes from the vendor files,
 *	                                     their keys, the journal's streams
 *	hookserve_start(&srv, handle, completed, err)
 *	hookserve_wait(&srv, &inflight)      until SIGTERM, then drained
 *	hookserve_close(&srv)
 *
 * A route is a vendor file's "receive" section (hookroute.h), or each
 * section of a list of them, and the vendor's stream of the journal,
 * DIR/NAME/ (one for all the routes of a vendor). An event route
 * (hookevent.h) has its dictionary loaded at open, --dictionary FILE (or
 * SLUICE_DICTIONARY) in place of the route's own. The keys and secrets its
 * section names are read from the environment (or their files) once, at
 * open, and kept only in memory. The server listens on --listen (IPv4
 * ADDR:PORT, default 127.0.0.1:8080; port 0 takes a free one, read back
 * in srv.port), with libmicrohttpd's internal threads (--threads, epoll)
 * and suspended connections while the journal writes.
 *
 * The counts of answers per status, the connections open and the
 * journal's counters make the summary line. Nothing here prints: errors
 * come back in err, and the exit status to use.
 */
#ifndef HOOKSERVE_H
#define HOOKSERVE_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>

#include "buf.h"
#include "hookevent.h"
#include "hookroute.h"
#include "journal.h"
#include "vendor.h"

struct hookserve_opts {
	const char **vendors; /* --vendor, or none: every one with a route */
	size_t nvendors;
	const char *listen, *journal;
	const char *dictionary; /* --dictionary, SLUICE_DICTIONARY, or NULL */
	size_t max_body, backlog, segment_size;
	unsigned long long max_conn, timeout, threads;
	double request_timeout, segment_age;
	int fsync_each;
};

struct route {
	struct vendor vendor;
	struct hookroute route;
	struct hookevent ev; /* an event route's (ev.dict), else zeroed */
	char **keys, **secrets;
	int nkeys, nsecrets;
	int stream;                  /* the journal's */
	struct MHD_Response *answer; /* the 2xx, made once */
	const char *source;          /* _meta.source */
};

struct server {
	struct hookserve_opts o;
	struct route *routes;
	size_t nroutes;
	struct journal *journal;
	struct MHD_Daemon *d;
	unsigned port;
	atomic_long conns;
	atomic_ulong counts[600];   /* answers, by status */
	struct journal_stats stats; /* the journal's, once closed */
	char *journal_dir;          /* the default --journal, owned */
};

void hookserve_defaults(struct hookserve_opts *o);

/*
 * Takes option c (the short letter of hook-recv's --help) with arg.
 * 0, or -1 with err saying what is wrong with arg.
 */
int hookserve_option(
    struct hookserve_opts *o, int c, const char *arg, struct buf *err);

/*
 * Loads the routes and their keys, and adds each one's journal stream.
 * Returns 0, or the exit status with err saying why (64 a route's keys
 * missing or two routes on one path, 65 a vendor file wrong, 66 missing,
 * 74 the journal unreadable).
 */
int hookserve_open(struct server *srv, struct buf *err);

/*
 * Starts the journal's writer and the server, with the access handler and
 * the request-completed callback of libmicrohttpd. Blocks SIGTERM, SIGINT,
 * SIGHUP and SIGUSR1 first (every thread inherits it; hookserve_wait takes
 * them). Returns 0, or the exit status with err.
 */
int hookserve_start(struct server *srv, MHD_AccessHandlerCallback handle,
    MHD_RequestCompletedCallback completed, struct buf *err);

/*
 * Waits for SIGTERM or SIGINT (SIGHUP, SIGUSR1: the journal's segments
 * closed), then stops accepting, waits for the requests in hand (*inflight
 * reaching 0, at most 30 seconds), stops the server and closes the
 * journal. Returns 0, or 74 when the journal failed a write.
 */
int hookserve_wait(struct server *srv, atomic_long *inflight);

/* The route of url's path, or NULL. */
struct route *hookserve_route(struct server *srv, const char *url);

/* 1 when more connections are open than --max-connections. */
int hookserve_crowded(struct server *srv);

/* Counts an answer of status. */
void hookserve_count(struct server *srv, int status);

/*
 * Makes rec (the body read, borrowed and changed: _meta added, with
 * violations, borrowed, as its "violations" when not NULL) a journal line
 * for conn's request: its id into id, the line into line. Returns 0, or
 * -1 when the request's id header is not an id.
 */
int hookserve_record(struct server *srv, const struct route *rt,
    struct MHD_Connection *conn, json_t *rec, json_t *violations,
    struct buf *id, struct buf *line);

/* "accepted=N duplicates=N refused=N (401=N ...) flushes=N" into out. */
void hookserve_summary(struct server *srv, struct buf *out);

/* Frees the routes and their keys. */
void hookserve_close(struct server *srv);

#endif
