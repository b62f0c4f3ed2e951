/* The journal; see journal.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

#define MIB (1024ULL * 1024)
#define SEG_DIGITS 16

/* A waiter: a submit of an id whose record is still on its way. */
struct waiter {
	journal_done_fn done;
	void *arg;
	struct waiter *next;
};

/* A record submitted and not yet written. */
struct item {
	int stream;
	char *line;
	size_t len;
	struct entry *entry;
	struct waiter *waiters; /* the submit's own first, then duplicates' */
	struct item *next;
	int ok;
};

/* An id taken: pending while its record is on its way. */
struct entry {
	char *id;
	int stream;
	uint64_t hash;
	struct item *pending;
};

struct stream {
	char *dir;
	int fd;                  /* the open segment, or -1 */
	unsigned long long seq;  /* the open segment's number, or the next */
	unsigned long long size; /* bytes in the open segment */
	struct timespec opened;  /* when it was opened */
	int broken;
	struct buf out; /* the writer's lines for this turn */
};

struct journal {
	struct journal_opts o;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t writer;
	int started, stop, rotate, failed;
	struct stream *streams;
	size_t nstreams;
	struct item *head, **tail; /* submitted, in order */
	size_t backlog;
	struct entry **slots; /* the ids: open addressing, cap a power of 2 */
	size_t cap, n;
	struct journal_stats stats;
};

static uint64_t
hash_id(int stream, const char *id)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)stream;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return h;
}

/* The slot of (stream, id): the entry's, or the free one it would take. */
static size_t
slot_of(struct journal *j, int stream, const char *id, uint64_t h)
{
	size_t i = (size_t)h & (j->cap - 1);
	struct entry *e;

	while ((e = j->slots[i]) != NULL) {
		if (e->hash == h && e->stream == stream &&
		    strcmp(e->id, id) == 0)
			return i;
		i = (i + 1) & (j->cap - 1);
	}
	return i;
}

static void
grow(struct journal *j)
{
	struct entry **old = j->slots;
	size_t oldcap = j->cap, i;

	j->cap = oldcap ? oldcap * 2 : 1024;
	j->slots = xcalloc(j->cap, sizeof(*j->slots));
	for (i = 0; i < oldcap; i++) {
		if (old[i])
			j->slots[slot_of(j, old[i]->stream, old[i]->id,
			    old[i]->hash)] = old[i];
	}
	free(old);
}

static struct entry *
find(struct journal *j, int stream, const char *id)
{
	uint64_t h = hash_id(stream, id);

	if (j->cap == 0)
		return NULL;
	return j->slots[slot_of(j, stream, id, h)];
}

static struct entry *
add(struct journal *j, int stream, const char *id)
{
	uint64_t h = hash_id(stream, id);
	struct entry *e;

	if ((j->n + 1) * 2 > j->cap)
		grow(j);
	e = xcalloc(1, sizeof(*e));
	e->id = xstrdup(id);
	e->stream = stream;
	e->hash = h;
	j->slots[slot_of(j, stream, id, h)] = e;
	j->n++;
	return e;
}

/* Removes e (linear probing: the run after it is put back). */
static void
forget(struct journal *j, struct entry *e)
{
	size_t i = slot_of(j, e->stream, e->id, e->hash), k;
	struct entry *moved;

	j->slots[i] = NULL;
	j->n--;
	for (k = (i + 1) & (j->cap - 1); (moved = j->slots[k]) != NULL;
	     k = (k + 1) & (j->cap - 1)) {
		j->slots[k] = NULL;
		j->slots[slot_of(j, moved->stream, moved->id, moved->hash)] =
		    moved;
	}
	free(e->id);
	free(e);
}

struct journal *
journal_new(const struct journal_opts *o)
{
	struct journal *j = xcalloc(1, sizeof(*j));

	j->o = *o;
	if (j->o.segment_bytes == 0)
		j->o.segment_bytes = 64 * MIB;
	if (j->o.segment_secs == 0)
		j->o.segment_secs = 60;
	if (j->o.backlog_bytes == 0)
		j->o.backlog_bytes = 64 * MIB;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->wake, NULL);
	j->tail = &j->head;
	return j;
}

/* --- Reading a stream's segments at start ----------------------------- */

/* The segment number of a name "N.ndjson" or "N.ndjson.open", else 0. */
static unsigned long long
seg_number(const char *name, int *open)
{
	char *end;
	unsigned long long n;

	if (strspn(name, "0123456789") != SEG_DIGITS)
		return 0;
	n = strtoull(name, &end, 10);
	*open = strcmp(end, ".ndjson.open") == 0;
	if (!*open && strcmp(end, ".ndjson") != 0)
		return 0;
	return n;
}

static void
seg_path(struct buf *b, const char *dir, unsigned long long n, int open)
{
	buf_reset(b);
	buf_printf(
	    b, "%s/%0*llu.ndjson%s", dir, SEG_DIGITS, n, open ? ".open" : "");
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Reads the ids of a segment's lines; cuts a torn last line (cut set). */
static int
read_ids(struct journal *j, int s, const char *path, int cut, struct buf *err)
{
	FILE *f = fopen(path, "r+");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	off_t whole = 0;
	json_t *rec, *id;
	int rc = -1;

	if (f == NULL)
		return buf_printf(err, "%s: %s", path, strerror(errno)), -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			if (!cut)
				break;
			if (ftruncate(fileno(f), whole) < 0 ||
			    fsync(fileno(f)) < 0) {
				buf_printf(
				    err, "%s: %s", path, strerror(errno));
				goto out;
			}
			break;
		}
		whole += n;
		rec = json_loadb(line, (size_t)n, 0, NULL);
		id = json_object_get(
		    json_object_get(rec, "_meta"), "request_id");
		if (!json_is_string(id)) {
			json_decref(rec);
			buf_printf(
			    err, "%s:%zu: not a journal record", path, lineno);
			goto out;
		}
		if (!find(j, s, json_string_value(id)))
			add(j, s, json_string_value(id));
		json_decref(rec);
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

int
journal_stream(struct journal *j, const char *dir, struct buf *err)
{
	struct stream *st;
	struct dirent *de;
	struct buf a = BUF_INIT, b = BUF_INIT;
	unsigned long long n, last = 0;
	int s = (int)j->nstreams, open_seg, rc = -1;
	DIR *d;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return buf_printf(err, "%s: %s", dir, strerror(errno)), -1;
	if ((d = opendir(dir)) == NULL)
		return buf_printf(err, "%s: %s", dir, strerror(errno)), -1;
	j->streams = xrealloc(j->streams, (j->nstreams + 1) * sizeof(*st));
	st = &j->streams[j->nstreams++];
	memset(st, 0, sizeof(*st));
	st->dir = xstrdup(dir);
	st->fd = -1;
	buf_init(&st->out, BUF_UNLIMITED);
	while ((de = readdir(d)) != NULL) {
		if ((n = seg_number(de->d_name, &open_seg)) == 0)
			continue;
		if (n > last)
			last = n;
		seg_path(&a, dir, n, open_seg);
		if (read_ids(j, s, a.data, open_seg, err) < 0)
			goto out;
		if (open_seg) {
			seg_path(&b, dir, n, 0);
			if (rename(a.data, b.data) < 0) {
				buf_printf(
				    err, "%s: %s", a.data, strerror(errno));
				goto out;
			}
		}
	}
	if (sync_dir(dir) < 0) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	st->seq = last + 1;
	rc = s;
out:
	closedir(d);
	buf_release(&a);
	buf_release(&b);
	return rc;
}

/* --- Submitting -------------------------------------------------------- */

static void
add_waiter(struct item *it, journal_done_fn done, void *arg)
{
	struct waiter *w = xmalloc(sizeof(*w)), **p;

	w->done = done;
	w->arg = arg;
	w->next = NULL;
	for (p = &it->waiters; *p; p = &(*p)->next)
		;
	*p = w;
}

enum journal_answer
journal_submit(struct journal *j, int s, const char *id, const char *line,
    size_t len, journal_done_fn done, void *arg)
{
	enum journal_answer a = JOURNAL_QUEUED;
	struct entry *e;
	struct item *it;

	pthread_mutex_lock(&j->mu);
	if (j->streams[s].broken) {
		a = JOURNAL_BROKEN;
	} else if ((e = find(j, s, id)) != NULL) {
		j->stats.duplicates++;
		if (e->pending)
			add_waiter(e->pending, done, arg);
		else
			a = JOURNAL_DUPLICATE;
	} else if (j->backlog + len > j->o.backlog_bytes || j->stop) {
		a = JOURNAL_BUSY;
	} else {
		it = xcalloc(1, sizeof(*it));
		it->stream = s;
		it->line = xmalloc(len + 1);
		memcpy(it->line, line, len);
		it->line[len] = '\n';
		it->len = len + 1;
		it->entry = add(j, s, id);
		it->entry->pending = it;
		add_waiter(it, done, arg);
		*j->tail = it;
		j->tail = &it->next;
		j->backlog += it->len;
		pthread_cond_signal(&j->wake);
	}
	pthread_mutex_unlock(&j->mu);
	return a;
}

int
journal_has(struct journal *j, int s, const char *id)
{
	int has;

	pthread_mutex_lock(&j->mu);
	has = find(j, s, id) != NULL;
	pthread_mutex_unlock(&j->mu);
	return has;
}

void
journal_rotate(struct journal *j)
{
	pthread_mutex_lock(&j->mu);
	j->rotate = 1;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->mu);
}

void
journal_stats(struct journal *j, struct journal_stats *out)
{
	pthread_mutex_lock(&j->mu);
	*out = j->stats;
	pthread_mutex_unlock(&j->mu);
}

/* --- The writer -------------------------------------------------------- */

static double
age(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int
seg_open(struct stream *st)
{
	struct buf p = BUF_INIT;

	seg_path(&p, st->dir, st->seq, 1);
	st->fd = open(p.data, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	buf_release(&p);
	if (st->fd < 0 || sync_dir(st->dir) < 0)
		return -1;
	st->size = 0;
	clock_gettime(CLOCK_MONOTONIC, &st->opened);
	return 0;
}

/* Closes the open segment: renamed to its closed name. */
static int
seg_close(struct journal *j, struct stream *st)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int rc = 0;

	if (st->fd < 0)
		return 0;
	if (close(st->fd) < 0)
		rc = -1;
	st->fd = -1;
	seg_path(&a, st->dir, st->seq, 1);
	seg_path(&b, st->dir, st->seq, 0);
	if (rename(a.data, b.data) < 0 || sync_dir(st->dir) < 0)
		rc = -1;
	st->seq++;
	buf_release(&a);
	buf_release(&b);
	pthread_mutex_lock(&j->mu);
	j->stats.segments++;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Writes the lines gathered for st with one write and flushes them with
 * one fdatasync. Returns 1 when they are durable, 0 when not.
 */
static int
flush_stream(struct journal *j, struct stream *st)
{
	int ok = 1;

	if (st->out.len == 0)
		return 1;
	if (st->broken || (st->fd < 0 && seg_open(st) < 0))
		ok = 0;
	else if (write_all(st->fd, st->out.data, st->out.len) < 0) {
		/* A segment holds whole lines only: cut what went. */
		if (ftruncate(st->fd, (off_t)st->size) < 0)
			st->broken = 1;
		ok = 0;
	} else if (fdatasync(st->fd) < 0) {
		st->broken = 1;
		ok = 0;
	} else {
		st->size += st->out.len;
	}
	pthread_mutex_lock(&j->mu);
	j->stats.flushes++;
	if (!ok)
		j->failed = 1;
	pthread_mutex_unlock(&j->mu);
	buf_reset(&st->out);
	return ok;
}

/* Writes a batch of items, then tells their waiters. */
static void
write_batch(struct journal *j, struct item *batch)
{
	struct item *it, *next;
	struct waiter *w, *wn;
	size_t i, bytes = 0;
	unsigned long long good = 0;
	int *ok = xcalloc(j->nstreams, sizeof(*ok));

	for (it = batch; it; it = it->next)
		buf_add(&j->streams[it->stream].out, it->line, it->len);
	for (i = 0; i < j->nstreams; i++)
		ok[i] = flush_stream(j, &j->streams[i]);
	pthread_mutex_lock(&j->mu);
	for (it = batch; it; it = it->next) {
		it->ok = ok[it->stream];
		bytes += it->len;
		it->entry->pending = NULL;
		if (it->ok)
			good++;
		else
			forget(j, it->entry);
	}
	j->backlog -= bytes;
	j->stats.records += good;
	pthread_mutex_unlock(&j->mu);
	free(ok);
	for (it = batch; it; it = next) {
		next = it->next;
		for (w = it->waiters; w; w = wn) {
			wn = w->next;
			w->done(w->arg, it->ok);
			free(w);
		}
		free(it->line);
		free(it);
	}
}

/* Closes the segments that are due (all with force). */
static void
rotate_due(struct journal *j, int force)
{
	struct stream *st;
	size_t i;

	for (i = 0; i < j->nstreams; i++) {
		st = &j->streams[i];
		if (st->fd < 0)
			continue;
		if (force || st->size >= j->o.segment_bytes ||
		    (j->o.segment_secs > 0 &&
		        age(&st->opened) >= j->o.segment_secs)) {
			if (seg_close(j, st) < 0) {
				pthread_mutex_lock(&j->mu);
				j->failed = 1;
				pthread_mutex_unlock(&j->mu);
			}
		}
	}
}

static void *
writer(void *arg)
{
	struct journal *j = arg;
	struct item *batch;
	struct timespec until;
	int stop, force;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (j->head == NULL && !j->stop && !j->rotate) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 200 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			if (pthread_cond_timedwait(&j->wake, &j->mu, &until) ==
			    ETIMEDOUT)
				break;
		}
		batch = j->head;
		if (batch && j->o.fsync_each) {
			j->head = batch->next;
			batch->next = NULL;
			if (j->head == NULL)
				j->tail = &j->head;
		} else {
			j->head = NULL;
			j->tail = &j->head;
		}
		stop = j->stop && j->head == NULL && batch == NULL;
		force = j->rotate || stop;
		j->rotate = 0;
		pthread_mutex_unlock(&j->mu);
		if (batch)
			write_batch(j, batch);
		rotate_due(j, force);
		pthread_mutex_lock(&j->mu);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

int
journal_start(struct journal *j)
{
	int rc = pthread_create(&j->writer, NULL, writer, j);

	if (rc != 0) {
		errno = rc;
		return -1;
	}
	j->started = 1;
	return 0;
}

int
journal_close(struct journal *j)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&j->mu);
	j->stop = 1;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->mu);
	if (j->started)
		pthread_join(j->writer, NULL);
	rc = j->failed ? -1 : 0;
	for (i = 0; i < j->nstreams; i++) {
		if (j->streams[i].fd >= 0)
			close(j->streams[i].fd);
		free(j->streams[i].dir);
		buf_release(&j->streams[i].out);
	}
	for (i = 0; i < j->cap; i++) {
		if (j->slots[i]) {
			free(j->slots[i]->id);
			free(j->slots[i]);
		}
	}
	free(j->slots);
	free(j->streams);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->wake);
	free(j);
	return rc;
}
