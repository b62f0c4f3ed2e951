/* The delivery ledger; see ledger.h for the format and crash safety. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exitcode.h"
#include "hash128.h"
#include "ledger.h"
#include "ndjson.h"
#include "reckey.h"

#define CHUNK (64 * 1024)

/* Where reading is: the line being gathered and what came before it. */
struct scan {
	struct buf line; /* the current line so far (without its \n) */
	int overlong;    /* the current line passed LEDGER_MAX_LINE */
	off_t start;     /* file offset of the current line */
	unsigned long long lineno; /* of the current line, from 1 */
	unsigned long long bad;    /* the first line that is not an entry */
};

/* The index of status in the interned table, adding it when new. */
static uint32_t
intern(struct ledger *l, const char *status)
{
	struct hash128 h = hash128(status, strlen(status));
	uint32_t *idx;
	int added;

	idx = keymap_ref(&l->names, h, (uint32_t)l->nstatus, &added);
	if (!added)
		return *idx;
	if (l->nstatus == l->capstatus) {
		l->capstatus = l->capstatus ? 2 * l->capstatus : 8;
		l->status =
		    xrealloc(l->status, l->capstatus * sizeof(*l->status));
	}
	l->status[l->nstatus] = xstrdup(status);
	return (uint32_t)l->nstatus++;
}

/* The identity of an entry: hash128(fields 0x1f key-bytes). */
static struct hash128
entry_hash(struct ledger *l, const char *fields, const char *key, size_t keylen)
{
	buf_reset(&l->hb);
	buf_adds(&l->hb, fields);
	buf_addc(&l->hb, '\x1f');
	buf_add(&l->hb, key, keylen);
	return hash128(l->hb.data, l->hb.len);
}

/*
 * Records in memory that the key whose bytes are in l->kb (reckey_join)
 * was delivered at status.
 */
static void
remember(struct ledger *l, const char *fields, const char *status)
{
	keymap_put(&l->keys, entry_hash(l, fields, l->kb.data, l->kb.len),
	    intern(l, status));
	l->lines++;
}

/* Records one line as an entry. Returns 0, or -1 when it is not one. */
static int
take_line(struct ledger *l, const char *s, size_t n)
{
	json_t *v = json_loadb(s, n, 0, NULL);
	const char *fields, *status;
	json_t *key;
	int rc = -1;

	if (v == NULL)
		return -1;
	fields = json_string_value(json_object_get(v, "fields"));
	status = json_string_value(json_object_get(v, "status"));
	key = json_object_get(v, "key");
	if (fields == NULL || status == NULL || reckey_join(key, &l->kb) < 0)
		goto out;
	if (l->take) {
		l->take(l->take_arg, v);
		l->lines++;
	} else {
		remember(l, fields, status);
	}
	rc = 0;
out:
	json_decref(v);
	return rc;
}

/* Handles the end of a complete line; next is the offset after its \n. */
static void
line_done(struct ledger *l, struct scan *sc, off_t next)
{
	if (sc->bad == 0 &&
	    (sc->overlong || take_line(l, sc->line.data ? sc->line.data : "",
	                         sc->line.len) < 0))
		sc->bad = sc->lineno;
	buf_reset(&sc->line);
	sc->overlong = 0;
	sc->start = next;
	sc->lineno++;
}

/* Feeds n bytes read at file offset off into the line scanner. */
static void
feed(struct ledger *l, struct scan *sc, const char *p, size_t n, off_t off)
{
	const char *nl;
	size_t seg;

	while (n > 0 && sc->bad == 0) {
		nl = memchr(p, '\n', n);
		seg = nl ? (size_t)(nl - p) : n;
		if (!sc->overlong && buf_add(&sc->line, p, seg) < 0) {
			sc->overlong = 1;
			buf_release(&sc->line);
			buf_init(&sc->line, LEDGER_MAX_LINE);
		}
		if (nl == NULL)
			return;
		seg++;
		off += (off_t)seg;
		line_done(l, sc, off);
		p += seg;
		n -= seg;
	}
}

/*
 * Whether the n bytes of a last line without its \n can be an append cut
 * short: the start of an entry, which always begins as format_entry()
 * writes it, maybe followed by the NUL bytes some file systems leave where
 * a crash lost the data of a file's end. Anything else (the last line of a
 * CSV file, say) is not a ledger's.
 */
static int
torn_entry(const char *s, size_t n)
{
	static const char start[] = "{\"fields\":\"";
	size_t k = sizeof(start) - 1;

	while (n > 0 && s[n - 1] == '\0')
		n--;
	return memcmp(s, start, n < k ? n : k) == 0;
}

/*
 * Reads the whole file, then decides about its end: bytes after the last
 * \n that can be an append cut short are a torn tail starting at *tail;
 * otherwise *tail is the file's size. Returns 0, -1 when the file cannot
 * be read, or LEDGER_NOT_A_LEDGER when a line is not an entry (err names
 * it).
 */
static int
read_all(struct ledger *l, int fd, off_t *tail, struct buf *err)
{
	struct scan sc = {BUF_INIT_MAX(LEDGER_MAX_LINE), 0, 0, 1, 0};
	char *chunk = xmalloc(CHUNK);
	off_t off = 0;
	ssize_t got;
	int rc = 0;

	while (sc.bad == 0) {
		got = read(fd, chunk, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			buf_printf(err, "%s: cannot read: %s", l->path,
			    strerror(errno));
			rc = -1;
			goto out;
		}
		if (got == 0)
			break;
		feed(l, &sc, chunk, (size_t)got, off);
		off += got;
	}
	*tail = off;
	if (sc.bad == 0 && sc.start < off) {
		/* A last line without its \n: cut short by a crash? */
		if (!sc.overlong && torn_entry(sc.line.data, sc.line.len)) {
			l->torn++;
			*tail = sc.start;
		} else {
			sc.bad = sc.lineno;
		}
	}
	if (sc.bad) {
		buf_printf(err,
		    "%s:%llu: not a ledger entry: refusing a file that is "
		    "not a ledger",
		    l->path, sc.bad);
		rc = LEDGER_NOT_A_LEDGER;
	}
out:
	buf_release(&sc.line);
	free(chunk);
	return rc;
}

int
ledger_lock_open(const char *path, int *fd, int *created, struct buf *err)
{
	struct flock fl;

	*created = 0;
	*fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT) {
		*fd = open(path,
		    O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		*created = *fd >= 0;
	}
	if (*fd < 0) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(*fd, F_SETLK, &fl) < 0) {
		if (errno == EACCES || errno == EAGAIN)
			buf_printf(err,
			    "%s: in use by another process "
			    "(locked)",
			    path);
		else
			buf_printf(
			    err, "%s: cannot lock: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ledger_open(struct ledger *l, const char *path, int writable, struct buf *err)
{
	return ledger_open_with(l, path, writable, NULL, NULL, err);
}

int
ledger_open_with(struct ledger *l, const char *path, int writable,
    void (*take)(void *arg, const json_t *entry), void *arg, struct buf *err)
{
	off_t tail = 0;
	int fd, rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->take = take;
	l->take_arg = arg;
	l->path = xstrdup(path);
	keymap_init(&l->keys);
	keymap_init(&l->names);
	buf_init(&l->kb, BUF_UNLIMITED);
	buf_init(&l->hb, BUF_UNLIMITED);
	if (writable) {
		if (ledger_lock_open(path, &l->fd, &l->created, err) < 0)
			return -1;
		fd = l->fd;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0; /* nothing delivered yet */
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if ((rc = read_all(l, fd, &tail, err)) < 0)
		goto out;
	l->size = tail;
	if (writable && l->torn && ftruncate(fd, tail) < 0) {
		buf_printf(err, "%s: cannot cut off the torn last line: %s",
		    path, strerror(errno));
		rc = -1;
	}
out:
	if (!writable)
		close(fd);
	return rc;
}

int
ledger_exitcode(int rc)
{
	return rc == LEDGER_NOT_A_LEDGER ? EXIT_DATAERR : EXIT_IOERR;
}

const char *
ledger_lookup(
    struct ledger *l, const char *fields, const char *key, size_t keylen)
{
	const uint32_t *idx;

	if (l->keys.n == 0)
		return NULL;
	idx = keymap_get(&l->keys, entry_hash(l, fields, key, keylen));
	return idx ? l->status[*idx] : NULL;
}

/* Copies the members of extra into obj. 0, or -1 for a reserved name. */
static int
add_extra(struct ledger *l, json_t *obj, const json_t *extra, struct buf *err)
{
	static const char *reserved[] = {"fields", "key", "status", "at"};
	const char *name;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)extra, name, v)
	{
		for (i = 0; i < sizeof(reserved) / sizeof(*reserved); i++) {
			if (strcmp(name, reserved[i]) == 0) {
				buf_printf(err,
				    "%s: extra member '%s' is "
				    "reserved",
				    l->path, name);
				return -1;
			}
		}
		json_object_set(obj, name, v);
	}
	return 0;
}

/* Builds the entry's line (with its \n) in out. 0, or -1 with err set. */
static int
format_entry(struct ledger *l, const char *fields, const json_t *key,
    const char *status, const json_t *extra, struct buf *out, struct buf *err)
{
	char at[32];
	struct tm tm;
	time_t now = time(NULL);
	json_t *obj;
	int rc = -1;

	if (fields == NULL || status == NULL || !json_is_array(key) ||
	    (extra && !json_is_object(extra))) {
		buf_printf(err, "%s: bad ledger entry", l->path);
		return -1;
	}
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		at[0] = '\0';
	obj = json_object();
	json_object_set_new(obj, "fields", json_string(fields));
	json_object_set(obj, "key", (json_t *)key);
	json_object_set_new(obj, "status", json_string(status));
	json_object_set_new(obj, "at", json_string(at));
	if (extra && add_extra(l, obj, extra, err) < 0)
		goto out;
	/* Invalid UTF-8 in fields or status leaves a member out: refuse. */
	if (json_object_size(obj) !=
	        4 + (extra ? json_object_size(extra) : 0) ||
	    ndjson_dump(out, obj) < 0) {
		buf_printf(err,
		    "%s: bad ledger entry (not valid UTF-8, or "
		    "too long)",
		    l->path);
		goto out;
	}
	rc = 0;
out:
	json_decref(obj);
	return rc;
}

/* Writes the line in one write(2); undoes a write cut short. */
static int
write_line(struct ledger *l, const struct buf *line, struct buf *err)
{
	ssize_t n;

	do {
		n = write(l->fd, line->data, line->len);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)line->len) {
		l->size += n;
		return 0;
	}
	if (n >= 0) {
		/* The disk filled up (or a signal came) mid-line. */
		buf_printf(err, "%s: write cut short after %zd of %zu bytes",
		    l->path, n, line->len);
		if (ftruncate(l->fd, l->size) < 0)
			buf_printf(err, " (and cannot truncate it: %s)",
			    strerror(errno));
	} else {
		buf_printf(
		    err, "%s: write error: %s", l->path, strerror(errno));
	}
	return -1;
}

int
ledger_append(struct ledger *l, const char *fields, const json_t *key,
    const char *status, const json_t *extra, struct buf *err)
{
	struct buf line = BUF_INIT_MAX(LEDGER_MAX_LINE);
	int rc = -1;

	if (l->fd < 0) {
		buf_printf(err, "%s: not open for writing", l->path);
		goto out;
	}
	/* The key is checked before anything is written. */
	if (format_entry(l, fields, key, status, extra, &line, err) < 0 ||
	    reckey_join(key, &l->kb) < 0 || write_line(l, &line, err) < 0)
		goto out;
	if (l->take)
		l->lines++;
	else
		remember(l, fields, status);
	rc = 0;
out:
	buf_release(&line);
	return rc;
}

int
ledger_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0, saved;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else {
		dir = xmalloc((size_t)(slash - path) + 1);
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = -1;
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	errno = saved;
	return rc;
}

int
ledger_sync_file(int fd, const char *path, int *created, struct buf *err)
{
	if (fd < 0)
		return 0;
	if (fsync(fd) < 0) {
		buf_printf(err, "%s: cannot sync: %s", path, strerror(errno));
		return -1;
	}
	if (*created) {
		if (ledger_sync_dir(path) < 0) {
			buf_printf(err, "%s: cannot sync its directory: %s",
			    path, strerror(errno));
			return -1;
		}
		*created = 0;
	}
	return 0;
}

int
ledger_sync(struct ledger *l, struct buf *err)
{
	return ledger_sync_file(l->fd, l->path, &l->created, err);
}

int
ledger_close(struct ledger *l)
{
	size_t i;
	int rc = 0;

	if (l->fd >= 0 && close(l->fd) < 0)
		rc = -1;
	for (i = 0; i < l->nstatus; i++)
		free(l->status[i]);
	free(l->status);
	free(l->path);
	keymap_release(&l->keys);
	keymap_release(&l->names);
	buf_release(&l->kb);
	buf_release(&l->hb);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	return rc;
}
