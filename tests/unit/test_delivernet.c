/*
 * Unit tests of common/deliver.c's loop and of keylock's guarantee as the
 * delivery stages use it, with a small stage of the test's own against
 * the scripted server (scripted.h): records written in input order though
 * their answers come in another; a service that stays unavailable (69) or
 * refuses the credentials (77) stops delivery, no request starts after,
 * and every record not delivered is rejected with the reason; two records
 * of one key are never in flight together, while records of different
 * keys are; with --concurrency auto, a 429 cuts the limit and the stage
 * says where it settled.
 *
 * The small stage sends one request per record: GET URL + the record's
 * "path", holding the record's "key" (when it has one) while it is in
 * flight. It runs in a child process, which takes stdout over as a stage
 * does; the test reads the files it wrote and its exit status.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver.h"
#include "diag.h"
#include "harness.h"
#include "keylock.h"
#include "scripted.h"

enum { J_NEW, J_WAITING, J_FLYING };

struct mini {
	const char *url;
	struct keylock locks;
	int auth;
};

static struct hash128
job_key(struct job *j, int *has)
{
	const char *k = json_string_value(json_object_get(j->rec, "key"));

	*has = k != NULL;
	return hash128(k ? k : "", k ? strlen(k) : 0);
}

static void
mini_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct mini *m = j->d->ctx;
	int has;
	struct hash128 k = job_key(j, &has);

	if (has)
		keylock_drop(&m->locks, k);
	if (c->result == HTTP_ANSWER && c->status / 100 == 2)
		job_finish(j);
	else if (c->result == HTTP_ANSWER || c->result == HTTP_TRANSIENT)
		job_reject(j, "HTTP %ld", c->status);
	else
		job_failed(j, "Test");
}

/* Sends the job's request once its key is free. */
static void
try_send(struct deliver *d, struct job *j)
{
	struct mini *m = d->ctx;
	int has;
	struct hash128 k = job_key(j, &has);

	if (has && keylock_take(&m->locks, k) < 0) {
		j->state = J_WAITING;
		return;
	}
	j->state = J_FLYING;
	buf_reset(&j->call.url);
	buf_printf(&j->call.url, "%s%s", m->url,
	    json_string_value(json_object_get(j->rec, "path")));
	j->call.method = "GET";
	j->call.auth = m->auth;
	j->call.done = mini_done;
	j->call.arg = j;
	job_call(j, 0);
}

static void
mini_start(struct deliver *d, struct job *j)
{
	try_send(d, j);
}

static void
mini_advance(struct deliver *d)
{
	size_t i;
	struct job *j;

	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		if (!j->done && j->state == J_WAITING)
			try_send(d, j);
	}
}

static void
mini_release(struct deliver *d, struct job *j)
{
	(void)d;
	(void)j;
}

static const struct deliver_ops mini_ops = {
    mini_start, mini_advance, mini_release};

struct run {
	char in[sizeof(HARNESS_TMP)], out[sizeof(HARNESS_TMP)];
	char rej[sizeof(HARNESS_TMP)], err[sizeof(HARNESS_TMP)];
	int adaptive;     /* --concurrency auto */
	unsigned retries; /* --retries */
	struct buf diag;  /* what the stage said on stderr */
	int status;
	json_t *outs, *rejects; /* arrays of what was written */
};

static json_t *
read_lines(const char *path)
{
	json_t *all = json_array(), *v;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp = fopen(path, "r");

	while (fp && getline(&line, &cap, fp) > 0)
		if ((v = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(all, v);
	free(line);
	if (fp)
		fclose(fp);
	return all;
}

/* The child: the small stage on r->in, stdout to r->out. */
static int
child(struct run *r, const struct scripted *s, unsigned conc, int auth)
{
	struct stage st;
	struct deliver d;
	struct mini m;
	struct http_opts o;
	struct oauth oa;
	char *files[1] = {r->in};
	int rc;

	if (freopen(r->out, "w", stdout) == NULL ||
	    freopen(r->err, "w", stderr) == NULL)
		return 70;
	diag_init("mini");
	stage_init(&st, "mini", "mini");
	st.rejects_path = r->rej;
	if ((rc = stage_start(&st)) != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.url = s->url;
	m.auth = auth;
	keylock_init(&m.locks);
	http_opts_default(&o);
	o.concurrency = conc;
	o.adaptive = r->adaptive;
	o.retries = r->retries;
	o.backoff_base = 0.01;
	if (auth)
		oauth_init(&oa, s->url, "id", "unit-secret-0123456789", NULL);
	deliver_init(&d, &st, &mini_ops, &m, 64);
	if ((rc = deliver_connect(&d, &o, auth ? &oa : NULL)) == 0)
		rc = deliver_run(&d, 1, files);
	deliver_release(&d);
	if (auth)
		oauth_release(&oa);
	keylock_release(&m.locks);
	return stage_finish(&st, rc);
}

/* Runs the small stage on the records (NDJSON text); fills r. */
static int
run_stage(struct run *r, const struct scripted *s, const char *records,
    unsigned conc, int auth)
{
	pid_t pid;
	int ws, adaptive = r->adaptive;
	unsigned retries = r->retries;
	FILE *fp;
	char tmp[4096];
	size_t n;

	memset(r, 0, sizeof(*r));
	r->adaptive = adaptive;
	r->retries = retries;
	buf_init(&r->diag, BUF_UNLIMITED);
	if (harness_tmpfile(r->in, records, strlen(records)) < 0 ||
	    harness_tmpfile(r->out, "", 0) < 0 ||
	    harness_tmpfile(r->rej, "", 0) < 0 ||
	    harness_tmpfile(r->err, "", 0) < 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		ws = child(r, s, conc, auth);
		fflush(NULL); /* stderr, a file now, is buffered */
		_exit(ws);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) < 0)
		return -1;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	r->outs = read_lines(r->out);
	r->rejects = read_lines(r->rej);
	buf_adds(&r->diag, "");
	if ((fp = fopen(r->err, "r")) != NULL) {
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_add(&r->diag, tmp, n);
		fclose(fp);
	}
	remove(r->err);
	remove(r->in);
	remove(r->out);
	remove(r->rej);
	return 0;
}

static void
run_release(struct run *r)
{
	json_decref(r->outs);
	json_decref(r->rejects);
	buf_release(&r->diag);
}

static long long
rec_int(json_t *a, size_t i, const char *name)
{
	return json_integer_value(json_object_get(json_array_get(a, i), name));
}

TEST(window_in_order)
{
	struct scripted s;
	struct run r;
	json_t *log;
	size_t i;
	int ok = 1;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"GET /slow\":[{\"delay_ms\":500}],"
	          "\"GET /fast\":[{}]}}") == 0);
	r.adaptive = 0;
	r.retries = 0; /* a retry's wait would let the queued calls go */
	CHECK(run_stage(&r, &s,
	          "{\"i\":1,\"path\":\"/slow\"}\n{\"i\":2,\"path\":\"/fast\"}\n"
	          "{\"i\":3,\"path\":\"/fast\"}\n{\"i\":4,\"path\":\"/fast\"}\n"
	          "{\"i\":5,\"path\":\"/fast\"}\n",
	          8, 0) == 0);
	CHECK(r.status == 0 && json_array_size(r.outs) == 5);
	for (i = 0; i < json_array_size(r.outs); i++)
		ok &= rec_int(r.outs, i, "i") == (long long)i + 1;
	CHECK(ok);
	/* The fast ones were all on the wire while the slow one was. */
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 5);
	CHECK(scripted_int(log, 4, "inflight") >= 2);
	json_decref(log);
	run_release(&r);
	scripted_stop(&s);
}

TEST(stop_on_unavailable)
{
	struct scripted s;
	struct run r;
	json_t *log;
	size_t i;
	int oks = 0;
	const char *why;

	CHECK(scripted_start(&s, "{\"routes\":{\"GET /ok\":[{}],\"GET /down\":"
	                         "[{\"status\":503}]}}") == 0);
	r.adaptive = 0;
	r.retries = 0; /* a retry's wait would let the queued calls go */
	CHECK(run_stage(&r, &s,
	          "{\"i\":1,\"path\":\"/ok\"}\n{\"i\":2,\"path\":\"/down\"}\n"
	          "{\"i\":3,\"path\":\"/ok\"}\n{\"i\":4,\"path\":\"/ok\"}\n"
	          "{\"i\":5,\"path\":\"/ok\"}\n",
	          1, 0) == 0);
	CHECK(r.status == 69);
	CHECK(json_array_size(r.outs) == 1 && rec_int(r.outs, 0, "i") == 1);
	/* The failed one and the rest, each with the reason. */
	CHECK(json_array_size(r.rejects) == 4);
	for (i = 0; i < json_array_size(r.rejects); i++) {
		why = json_string_value(
		    json_object_get(json_array_get(r.rejects, i), "reason"));
		CHECK(why &&
		      strncmp(why, "not delivered: Test unavailable", 31) == 0);
	}
	/* No request after the failure: /ok once, then /down. */
	log = scripted_log(&s);
	for (i = 0; i < json_array_size(log); i++)
		oks += strcmp(scripted_str(log, i, "path"), "/ok") == 0;
	CHECK(oks == 1 && json_array_size(log) == 2);
	json_decref(log);
	run_release(&r);
	scripted_stop(&s);
}

TEST(stop_on_refused)
{
	struct scripted s;
	struct run r;
	json_t *log;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"POST /v2/auth/token\":[{\"status\":401,"
	          "\"body\":{\"error\":\"invalid_client\"}}],"
	          "\"GET /ok\":[{}]}}") == 0);
	r.adaptive = 0;
	r.retries = 0; /* a retry's wait would let the queued calls go */
	CHECK(run_stage(&r, &s,
	          "{\"i\":1,\"path\":\"/ok\"}\n{\"i\":2,\"path\":\"/ok\"}\n"
	          "{\"i\":3,\"path\":\"/ok\"}\n",
	          4, 1) == 0);
	CHECK(r.status == 77);
	CHECK(json_array_size(r.outs) == 0 && json_array_size(r.rejects) == 3);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 1);
	CHECK_STR(scripted_str(log, 0, "path"), "/v2/auth/token");
	json_decref(log);
	run_release(&r);
	scripted_stop(&s);
}

/* The most requests for path in flight at once, as the server saw. */
static long long
most_same(json_t *log, const char *path)
{
	long long most = 0;
	size_t i;

	for (i = 0; i < json_array_size(log); i++)
		if (strcmp(scripted_str(log, i, "path"), path) == 0 &&
		    scripted_int(log, i, "same") > most)
			most = scripted_int(log, i, "same");
	return most;
}

TEST(one_key_at_a_time)
{
	struct scripted s;
	struct run r;
	json_t *log;
	struct buf in = BUF_INIT;
	int i;

	CHECK(scripted_start(&s, "{\"routes\":{\"GET /k\":[{\"delay_ms\":100}],"
	                         "\"GET /m\":[{\"delay_ms\":100}]}}") == 0);
	for (i = 0; i < 6; i++)
		buf_printf(
		    &in, "{\"i\":%d,\"key\":\"k\",\"path\":\"/k\"}\n", i);
	for (i = 0; i < 6; i++)
		buf_printf(&in, "{\"i\":%d,\"key\":\"m%d\",\"path\":\"/m\"}\n",
		    i + 6, i);
	r.adaptive = 0;
	r.retries = 0; /* a retry's wait would let the queued calls go */
	CHECK(run_stage(&r, &s, in.data, 8, 0) == 0);
	CHECK(r.status == 0 && json_array_size(r.outs) == 12);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 12);
	CHECK(most_same(log, "/k") == 1);
	CHECK(most_same(log, "/m") > 1); /* the server can see overlap */
	json_decref(log);
	run_release(&r);
	buf_release(&in);
	scripted_stop(&s);
}

TEST(auto_concurrency)
{
	struct scripted s;
	struct run r;
	struct buf in = BUF_INIT;
	int i;

	/* One 429 among the answers: the limit is cut once, and the stage
	 * says where it settled. */
	CHECK(scripted_start(&s,
	          "{\"routes\":{\"GET /r\":[{\"status\":429,\"headers\":"
	          "{\"Retry-After\":\"0\"}},{\"delay_ms\":20}]}}") == 0);
	for (i = 0; i < 40; i++)
		buf_printf(&in, "{\"i\":%d,\"path\":\"/r\"}\n", i);
	r.adaptive = 1;
	r.retries = 2;
	CHECK(run_stage(&r, &s, in.data, 8, 0) == 0);
	CHECK(r.status == 0 && json_array_size(r.outs) == 40);
	CHECK(
	    strstr(r.diag.data, "mini: concurrency auto: settled at ") != NULL);
	CHECK(strstr(r.diag.data, " 1 on 429 or 503; at most 256)") != NULL);
	run_release(&r);
	buf_release(&in);
	scripted_stop(&s);
}

int
main(void)
{
	RUN(window_in_order);
	RUN(stop_on_unavailable);
	RUN(stop_on_refused);
	RUN(one_key_at_a_time);
	RUN(auto_concurrency);
	return harness_done();
}
