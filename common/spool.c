/* The spool of batches not delivered; see spool.h for the layout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shipcodec.h"
#include "spool.h"

#define META_MAX (1 << 20) /* a sidecar larger than this is not one */

static unsigned spool_seq; /* batches named by this process so far */

/* "dir/name" followed by suffix, into out (replaced). */
static void
path_of(struct buf *out, const char *dir, const char *prefix, const char *name,
    const char *suffix)
{
	buf_reset(out);
	buf_printf(out, "%s/%s%s%s", dir, prefix, name, suffix);
}

static int
fail(struct buf *err, const char *path, const char *what)
{
	buf_reset(err);
	buf_printf(err, "%s: %s", path, what ? what : strerror(errno));
	return -1;
}

int
spool_mkdir(const char *dir, struct buf *err)
{
	struct stat sb;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return fail(err, dir, NULL);
}

/* Syncs the directory, so that renames and removals in it last. */
static int
sync_dir(const char *dir, struct buf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0)
		return fail(err, dir, NULL);
	rc = fsync(fd);
	close(fd);
	/* Some file systems cannot sync a directory; that is no error. */
	if (rc < 0 && errno != EINVAL && errno != EROFS)
		return fail(err, dir, NULL);
	return 0;
}

/* Writes n bytes as dir/name: a temporary file, fsync, rename. 0 or -1. */
static int
put_file(
    const char *dir, const char *name, const void *p, size_t n, struct buf *err)
{
	struct buf tmp = BUF_INIT, final = BUF_INIT;
	const char *s = p;
	ssize_t w;
	int fd, rc = -1;

	path_of(&tmp, dir, ".tmp-", name, "");
	path_of(&final, dir, "", name, "");
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		fail(err, tmp.data, NULL);
		goto out;
	}
	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		s += w;
		n -= (size_t)w;
	}
	if (n > 0 || fsync(fd) < 0) {
		fail(err, tmp.data, NULL);
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.data, final.data) < 0) {
		fail(err, final.data, NULL);
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	buf_release(&tmp);
	buf_release(&final);
	return rc;
}

/* The sidecar's text for meta. */
static char *
meta_text(const struct spool_meta *m)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "version", json_integer(SPOOL_VERSION));
	json_object_set_new(o, "format", json_string(m->format));
	json_object_set_new(o, "url", json_string(m->url));
	if (m->table)
		json_object_set_new(o, "table", json_string(m->table));
	if (m->query)
		json_object_set_new(o, "query", json_string(m->query));
	if (m->layout)
		json_object_set_new(o, "layout", json_string(m->layout));
	if (m->ddl)
		json_object_set_new(o, "ddl", json_string(m->ddl));
	json_object_set_new(
	    o, "encoding", json_string(m->encoding ? m->encoding : "gzip"));
	json_object_set_new(o, "records", json_integer((json_int_t)m->records));
	json_object_set_new(o, "bytes", json_integer((json_int_t)m->bytes));
	json_object_set_new(o, "size", json_integer((json_int_t)m->size));
	if (m->from)
		json_object_set_new(o, "from", json_string(m->from));
	if (m->to)
		json_object_set_new(o, "to", json_string(m->to));
	json_object_set_new(o, "spooled", json_string(m->spooled));
	if (m->reason)
		json_object_set_new(o, "reason", json_string(m->reason));
	s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* Picks a name no batch in dir has: batch-TIME-PID-SEQ. */
static void
new_name(const char *dir, const struct tm *tm, struct buf *name)
{
	struct buf p = BUF_INIT;
	char ts[32];

	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", tm);
	do {
		buf_reset(name);
		buf_printf(
		    name, "batch-%s-%ld-%06u", ts, (long)getpid(), ++spool_seq);
		path_of(&p, dir, "", name->data, SPOOL_META_SUFFIX);
	} while (access(p.data, F_OK) == 0);
	buf_release(&p);
}

int
spool_put(const char *dir, const struct spool_meta *meta, const void *body,
    size_t n, struct buf *name, struct buf *err)
{
	struct spool_meta m = *meta;
	struct buf nm = BUF_INIT, file = BUF_INIT;
	char when[32], *text = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	m.spooled = when;
	m.size = n;
	new_name(dir, &tm, &nm);
	if ((text = meta_text(&m)) == NULL) {
		fail(err, dir, "cannot write the sidecar's JSON");
		goto out;
	}
	buf_printf(&file, "%s%s", nm.data, SPOOL_META_SUFFIX);
	if (put_file(dir, file.data, text, strlen(text), err) < 0)
		goto out;
	buf_reset(&file);
	buf_printf(&file, "%s%s", nm.data, SPOOL_BODY_SUFFIX);
	if (put_file(dir, file.data, body, n, err) < 0) {
		path_of(&file, dir, "", nm.data, SPOOL_META_SUFFIX);
		unlink(file.data);
		goto out;
	}
	if (sync_dir(dir, err) < 0)
		goto out;
	if (name) {
		buf_reset(name);
		buf_adds(name, nm.data);
	}
	rc = 0;
out:
	free(text);
	buf_release(&nm);
	buf_release(&file);
	return rc;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
exists(const char *dir, const char *name, size_t len, const char *suffix)
{
	struct buf p = BUF_INIT;
	int rc;

	buf_printf(&p, "%s/%.*s%s", dir, (int)len, name, suffix);
	rc = access(p.data, F_OK) == 0;
	buf_release(&p);
	return rc;
}

/*
 * The suffix of the body of the batch name (len bytes): SPOOL_BODY_SUFFIX,
 * or an older post-quasar's SPOOL_OLD_BODY_SUFFIX; NULL when it has none.
 */
static const char *
body_suffix(const char *dir, const char *name, size_t len)
{
	if (exists(dir, name, len, SPOOL_BODY_SUFFIX))
		return SPOOL_BODY_SUFFIX;
	if (exists(dir, name, len, SPOOL_OLD_BODY_SUFFIX))
		return SPOOL_OLD_BODY_SUFFIX;
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Calls each(dir, name, namelen, arg) for every "batch-" file in dir that
 * ends in suffix, with the name without the suffix. 0 or -1.
 */
static int
each_file(const char *dir, const char *suffix,
    void (*each)(const char *, const char *, size_t, void *), void *arg,
    struct buf *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return fail(err, dir, NULL);
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "batch-", 6) == 0 &&
		    ends_with(e->d_name, suffix))
			each(dir, e->d_name, strlen(e->d_name) - strlen(suffix),
			    arg);
	}
	if (errno != 0) {
		closedir(d);
		return fail(err, dir, NULL);
	}
	closedir(d);
	return 0;
}

struct listing {
	char **names;
	size_t n, cap, orphans;
	int remove; /* remove the orphans rather than count them */
	int old;    /* the bodies listed are SPOOL_OLD_BODY_SUFFIX's */
};

static void
add_body(const char *dir, const char *name, size_t len, void *arg)
{
	struct listing *l = arg;

	if (!exists(dir, name, len, SPOOL_META_SUFFIX))
		return;
	if (l->old && exists(dir, name, len, SPOOL_BODY_SUFFIX))
		return; /* listed under its own suffix (never made so) */
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
	}
	l->names[l->n] = xmalloc(len + 1);
	memcpy(l->names[l->n], name, len);
	l->names[l->n++][len] = '\0';
}

static void
orphan(const char *dir, const char *name, size_t len, void *arg)
{
	struct listing *l = arg;
	struct buf p = BUF_INIT;

	if (body_suffix(dir, name, len))
		return;
	l->orphans++;
	if (l->remove) {
		buf_printf(
		    &p, "%s/%.*s%s", dir, (int)len, name, SPOOL_META_SUFFIX);
		unlink(p.data);
		buf_release(&p);
	}
}

int
spool_list(
    const char *dir, char ***names, size_t *n, size_t *orphans, struct buf *err)
{
	struct listing l = {NULL, 0, 0, 0, 0, 0};
	int rc;

	*names = NULL;
	*n = 0;
	rc = each_file(dir, SPOOL_BODY_SUFFIX, add_body, &l, err);
	l.old = 1;
	if (rc == 0)
		rc = each_file(dir, SPOOL_OLD_BODY_SUFFIX, add_body, &l, err);
	if (rc == 0)
		rc = each_file(dir, SPOOL_META_SUFFIX, orphan, &l, err);
	if (rc < 0) {
		while (l.n)
			free(l.names[--l.n]);
		free(l.names);
		return -1;
	}
	if (l.n)
		qsort(l.names, l.n, sizeof(*l.names), by_name);
	*names = l.names;
	*n = l.n;
	if (orphans)
		*orphans = l.orphans;
	return 0;
}

int
spool_clean(const char *dir, struct buf *err)
{
	struct listing l = {NULL, 0, 0, 0, 1, 0};

	if (each_file(dir, SPOOL_META_SUFFIX, orphan, &l, err) < 0)
		return -1;
	return l.orphans ? sync_dir(dir, err) : 0;
}

/* Reads the whole file path into out (replaced), at most max bytes. */
static int
read_file(const char *path, size_t max, struct buf *out, struct buf *err)
{
	struct stat sb;
	ssize_t r;
	int fd = open(path, O_RDONLY), rc = -1;

	buf_reset(out);
	if (fd < 0)
		return fail(err, path, NULL);
	if (fstat(fd, &sb) < 0) {
		fail(err, path, NULL);
		goto out;
	}
	if ((size_t)sb.st_size > max || buf_grow(out, (size_t)sb.st_size) < 0) {
		fail(err, path, "too large");
		goto out;
	}
	for (;;) {
		if (buf_reserve(out, 65536) < 0) {
			fail(err, path, "too large");
			goto out;
		}
		r = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(err, path, NULL);
			goto out;
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
		out->data[out->len] = '\0';
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* A copy of the string member key of o, or NULL. */
static char *
member(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

static int
count(const json_t *o, const char *key, unsigned long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (unsigned long long)json_integer_value(v);
	return 0;
}

/* Fills meta from the sidecar's object. 0, or -1 when it is not one. */
static int
take_meta(const json_t *o, struct spool_meta *m)
{
	m->format = member(o, "format");
	m->url = member(o, "url");
	m->table = member(o, "table");
	m->query = member(o, "query");
	m->layout = member(o, "layout");
	m->ddl = member(o, "ddl");
	m->encoding = member(o, "encoding");
	m->from = member(o, "from");
	m->to = member(o, "to");
	m->reason = member(o, "reason");
	m->spooled = member(o, "spooled");
	/* A sidecar without a version is taken for the first one. */
	if (count(o, "version", &m->version) < 0)
		m->version = 1;
	if (m->format == NULL || m->url == NULL ||
	    count(o, "records", &m->records) < 0 ||
	    count(o, "bytes", &m->bytes) < 0 || count(o, "size", &m->size) < 0)
		return -1;
	if (shipcodec_parse(m->encoding) < 0)
		return -1;
	if (strcmp(m->format, "ndjson") == 0)
		return 0;
	if (strcmp(m->format, "rowbinary") != 0 &&
	    strcmp(m->format, "jsoneachrow") != 0)
		return -1;
	return m->query ? 0 : -1;
}

int
spool_load(const char *dir, const char *name, struct spool_meta *meta,
    struct buf *body, struct buf *err)
{
	struct buf p = BUF_INIT, text = BUF_INIT;
	const char *suffix;
	json_t *o = NULL;
	int rc = -1;

	memset(meta, 0, sizeof(*meta));
	path_of(&p, dir, "", name, SPOOL_META_SUFFIX);
	if (read_file(p.data, META_MAX, &text, err) < 0)
		goto out;
	o = json_loadb(text.data, text.len, 0, NULL);
	if (!json_is_object(o) || take_meta(o, meta) < 0) {
		fail(err, p.data, "not a post-quasar spool sidecar");
		goto out;
	}
	if (body == NULL) {
		rc = 0;
		goto out;
	}
	suffix = body_suffix(dir, name, strlen(name));
	path_of(&p, dir, "", name, suffix ? suffix : SPOOL_BODY_SUFFIX);
	if (read_file(p.data, BUF_UNLIMITED, body, err) < 0)
		goto out;
	if (body->len != meta->size) {
		buf_reset(&text);
		buf_printf(&text, "%zu bytes, its sidecar says %llu: damaged",
		    body->len, meta->size);
		fail(err, p.data, text.data);
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	buf_release(&p);
	buf_release(&text);
	return rc;
}

void
spool_meta_release(struct spool_meta *m)
{
	free(m->format);
	free(m->url);
	free(m->table);
	free(m->query);
	free(m->layout);
	free(m->ddl);
	free(m->encoding);
	free(m->from);
	free(m->to);
	free(m->reason);
	free(m->spooled);
	memset(m, 0, sizeof(*m));
}

int
spool_remove(const char *dir, const char *name, struct buf *err)
{
	struct buf p = BUF_INIT;
	int rc = -1;

	path_of(&p, dir, "", name, SPOOL_BODY_SUFFIX);
	if (unlink(p.data) < 0 && errno != ENOENT) {
		fail(err, p.data, NULL);
		goto out;
	}
	path_of(&p, dir, "", name, SPOOL_OLD_BODY_SUFFIX);
	if (unlink(p.data) < 0 && errno != ENOENT) {
		fail(err, p.data, NULL);
		goto out;
	}
	path_of(&p, dir, "", name, SPOOL_META_SUFFIX);
	if (unlink(p.data) < 0 && errno != ENOENT) {
		fail(err, p.data, NULL);
		goto out;
	}
	rc = sync_dir(dir, err);
out:
	buf_release(&p);
	return rc;
}

int
spool_lock(const char *dir, struct buf *err)
{
	struct buf p = BUF_INIT;
	struct flock fl;
	int fd;

	path_of(&p, dir, "", ".lock", "");
	if ((fd = open(p.data, O_RDWR | O_CREAT, 0600)) < 0) {
		fail(err, p.data, NULL);
		buf_release(&p);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			fail(err, p.data, NULL);
			close(fd);
			fd = -1;
			break;
		}
	}
	buf_release(&p);
	return fd;
}
