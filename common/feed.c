/* Input lines read by a thread of their own; see feed.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"
#include "input.h"
#include "lines.h"

/* Queues an item, waiting for room. Returns -1 when asked to stop. */
static int
put(struct feed *f, struct feed_item *it)
{
	int was_empty;

	pthread_mutex_lock(&f->mu);
	/* A full queue is left to drain to half before the reader goes on
	 * (takers signal that crossing, below): one wake-up for cap / 2
	 * lines, not one for each. */
	if (f->n == f->cap)
		while (f->n > f->cap / 2 && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
	if (f->stop) {
		pthread_mutex_unlock(&f->mu);
		free(it->text);
		return -1;
	}
	was_empty = f->n == 0;
	f->ring[(f->head + f->n) % f->cap] = *it;
	f->n++;
	pthread_mutex_unlock(&f->mu);
	/* Only a taker that found the queue empty waits for a line. */
	if (was_empty) {
		pthread_cond_broadcast(&f->cv);
		if (f->wake)
			f->wake(f->wake_arg);
	}
	return 0;
}

/* Whether taking from n lines down to left crossed half the queue: the
 * reader may wait for that (put). */
static int
crossed_half(const struct feed *f, size_t n, size_t left)
{
	return n > f->cap / 2 && left <= f->cap / 2;
}

/*
 * Room for a text of n bytes: one given back when there is one (the pool
 * taken whole into the reader's own when that is empty: one lock for
 * many lines), else a new one.
 */
static char *
text_room(struct feed *f, size_t n, size_t *size)
{
	struct feed_text t, *swap;

	if (f->nmine == 0) {
		pthread_mutex_lock(&f->mu);
		swap = f->mine;
		f->mine = f->pool;
		f->pool = swap;
		f->nmine = f->npool;
		f->npool = 0;
		pthread_mutex_unlock(&f->mu);
	}
	if (f->nmine == 0) {
		*size = n;
		return xmalloc(n);
	}
	t = f->mine[--f->nmine];
	if (t.size < n) {
		free(t.p);
		t.p = xmalloc(n);
		t.size = n;
	}
	*size = t.size;
	return t.p;
}

static int
put_text(struct feed *f, enum feed_kind kind, const char *text, size_t len,
    const char *file, unsigned long long line, int status)
{
	struct feed_item it = {kind, NULL, len, 0, file, line, status};

	it.text = text_room(f, len + 1, &it.size);
	memcpy(it.text, text, len);
	it.text[len] = '\0';
	return put(f, &it);
}

/* Reads one input. Returns 0, or -1 when asked to stop. */
static int
read_one(struct feed *f, int i, const char *path)
{
	struct input in;
	struct lines lr;
	const char *line;
	size_t len;
	enum lines_status s;
	int rc = 0;

	if (input_open(&in, path) != INPUT_OK) {
		f->names[i] = xstrdup(in.name);
		return put_text(f, FEED_ERROR, in.errmsg, strlen(in.errmsg),
		    f->names[i], 0, input_exitcode(in.status));
	}
	f->names[i] = xstrdup(in.name);
	lines_init(&lr, &in, f->max_line);
	while (rc == 0 && (s = lines_next(&lr, &line, &len)) != LINES_EOF) {
		if (s == LINES_ERROR) {
			rc = put_text(f, FEED_ERROR, in.errmsg,
			    strlen(in.errmsg), f->names[i], lr.lineno + 1,
			    input_exitcode(in.status));
			break;
		}
		rc = put_text(f, s == LINES_OK ? FEED_LINE : FEED_TOOLONG, line,
		    len, f->names[i], lr.lineno, 0);
	}
	lines_release(&lr);
	input_close(&in);
	return rc;
}

static void *
reader(void *arg)
{
	struct feed *f = arg;
	int i;

	if (f->nfiles == 0) {
		read_one(f, 0, "-");
	} else {
		for (i = 0; i < f->nfiles; i++) {
			if (read_one(f, i, f->files[i]) < 0)
				break;
		}
	}
	pthread_mutex_lock(&f->mu);
	f->ended = 1;
	pthread_mutex_unlock(&f->mu);
	pthread_cond_broadcast(&f->cv);
	if (f->wake)
		f->wake(f->wake_arg);
	return NULL;
}

int
feed_start(struct feed *f, int nfiles, char **files, size_t max_line,
    size_t cap, void (*wake)(void *arg), void *arg)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap ? cap : 1;
	f->ring = xcalloc(f->cap, sizeof(*f->ring));
	f->nfiles = nfiles;
	f->files = files;
	f->max_line = max_line;
	f->names = xcalloc(nfiles ? (size_t)nfiles : 1, sizeof(*f->names));
	f->pool = xcalloc(FEED_POOL, sizeof(*f->pool));
	f->mine = xcalloc(FEED_POOL, sizeof(*f->mine));
	f->wake = wake;
	f->wake_arg = arg;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->thread, NULL, reader, f) != 0)
		return -1;
	f->started = 1;
	return 0;
}

/* Takes the head item; the lock is held. */
static int
take_locked(struct feed *f, struct feed_item *it)
{
	if (f->n == 0)
		return f->ended ? -1 : 0;
	*it = f->ring[f->head];
	f->head = (f->head + 1) % f->cap;
	f->n--;
	if (crossed_half(f, f->n + 1, f->n))
		pthread_cond_broadcast(&f->cv);
	return 1;
}

int
feed_take(struct feed *f, struct feed_item *it)
{
	int rc;

	pthread_mutex_lock(&f->mu);
	rc = take_locked(f, it);
	pthread_mutex_unlock(&f->mu);
	return rc;
}

int
feed_take_many(struct feed *f, struct feed_item *items, size_t max)
{
	size_t k = 0, n;
	int rc, wake;

	pthread_mutex_lock(&f->mu);
	n = f->n;
	while (k < max && f->n > 0) {
		items[k++] = f->ring[f->head];
		f->head = (f->head + 1) % f->cap;
		f->n--;
	}
	rc = k ? (int)k : f->ended ? -1 : 0;
	wake = crossed_half(f, n, f->n);
	pthread_mutex_unlock(&f->mu);
	if (wake)
		pthread_cond_broadcast(&f->cv);
	return rc;
}

int
feed_wait(struct feed *f, struct feed_item *it)
{
	int rc;

	pthread_mutex_lock(&f->mu);
	while ((rc = take_locked(f, it)) == 0)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void
feed_recycle(struct feed *f, struct feed_item *items, size_t n)
{
	size_t i;

	pthread_mutex_lock(&f->mu);
	for (i = 0; i < n; i++) {
		if (items[i].text && items[i].size <= FEED_POOL_TEXT &&
		    f->npool < FEED_POOL) {
			f->pool[f->npool].p = items[i].text;
			f->pool[f->npool++].size = items[i].size;
		} else {
			free(items[i].text);
		}
		items[i].text = NULL;
	}
	pthread_mutex_unlock(&f->mu);
}

void
feed_release(struct feed *f)
{
	size_t i;

	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_mutex_unlock(&f->mu);
		pthread_cond_broadcast(&f->cv);
		/* A reader blocked in a read of a pipe returns when input
		 * arrives or ends; stages read their input to its end. */
		pthread_join(f->thread, NULL);
	}
	for (i = 0; i < f->n; i++)
		free(f->ring[(f->head + i) % f->cap].text);
	for (i = 0; i < (f->nfiles ? (size_t)f->nfiles : 1); i++)
		free(f->names[i]);
	free(f->names);
	free(f->ring);
	for (i = 0; i < f->npool; i++)
		free(f->pool[i].p);
	for (i = 0; i < f->nmine; i++)
		free(f->mine[i].p);
	free(f->pool);
	free(f->mine);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	memset(f, 0, sizeof(*f));
}
