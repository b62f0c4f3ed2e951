/* An inbox directory's files and its bookkeeping; see inboxfile.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appendlog.h"
#include "headmatch.h"
#include "inboxfile.h"
#include "maildir.h"
#include "runsum.h"
#include "sha256.h"
#include "vendor.h"

/* The last lines of a failed import's summary a reason file keeps. */
#define TAIL_LINES 12

static char *
join(const char *a, const char *b)
{
	struct buf p = BUF_INIT;

	buf_printf(&p, "%s/%s", a, b);
	return p.data;
}

static int
mkdir_ok(const char *p)
{
	return mkdir(p, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

int
inboxfile_open(struct inboxfile *f, const char *dir, struct buf *err)
{
	char real[PATH_MAX];

	memset(f, 0, sizeof(*f));
	buf_init(&f->worker, BUF_UNLIMITED);
	if (mkdir_ok(dir) < 0 || !realpath(dir, real)) {
		buf_printf(err, "%s: cannot use: %s", dir, strerror(errno));
		return -1;
	}
	f->root = strdup(real);
	f->incoming = join(real, "incoming");
	f->work = join(real, "work");
	f->done = join(real, "done");
	f->failed = join(real, "failed");
	f->state = join(real, "state");
	f->book = join(f->state, "imports.ndjson");
	maildir_worker(&f->worker);
	f->mine = join(f->work, f->worker.data);
	if (mkdir_ok(f->incoming) < 0 || mkdir_ok(f->work) < 0 ||
	    mkdir_ok(f->done) < 0 || mkdir_ok(f->failed) < 0 ||
	    mkdir_ok(f->state) < 0 || mkdir_ok(f->mine) < 0 ||
	    maildir_mark(f->mine) < 0) {
		buf_printf(err, "%s: cannot make its folders: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Moves what the worker folder dir holds back to incoming/[sub/]. */
static int
give_back_dir(struct inboxfile *f, const char *dir, const char *sub)
{
	struct buf to = BUF_INIT, used = BUF_INIT;
	struct dirent *e;
	struct stat st;
	char *from;
	int rc = 0;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".owner"))
			continue;
		from = join(dir, e->d_name);
		if (lstat(from, &st) == 0 && S_ISDIR(st.st_mode) && !sub) {
			rc |= give_back_dir(f, from, e->d_name);
			rmdir(from);
		} else if (strlen(e->d_name) > 4 &&
		           !strcmp(e->d_name + strlen(e->d_name) - 4, ".log")) {
			unlink(from); /* an import's output, not an upload */
		} else {
			buf_reset(&to);
			buf_printf(&to, "%s%s%s", f->incoming, sub ? "/" : "",
			    sub ? sub : "");
			mkdir_ok(to.data);
			buf_printf(&to, "/%s", e->d_name);
			if (maildir_move(from, to.data, 0, &used) < 0)
				rc = -1;
		}
		free(from);
	}
	if (d)
		closedir(d);
	buf_release(&to);
	buf_release(&used);
	return rc;
}

int
inboxfile_recover(struct inboxfile *f, int first)
{
	struct dirent *e;
	char *p, *owner;
	int rc = 0;
	DIR *d = opendir(f->work);

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		p = join(f->work, e->d_name);
		if (!strcmp(e->d_name, f->worker.data)) {
			if (first)
				rc |= give_back_dir(f, p, NULL);
		} else if (maildir_stale(p)) {
			rc |= give_back_dir(f, p, NULL);
			owner = join(p, ".owner");
			unlink(owner);
			free(owner);
			rmdir(p);
		}
		free(p);
	}
	closedir(d);
	return rc;
}

/* The size and sha256 of the claimed file. */
static int
digest(struct inboxclaim *c)
{
	char chunk[65536];
	struct sha256 s;
	ssize_t n;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	sha256_init(&s);
	c->bytes = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		sha256_add(&s, chunk, (size_t)n);
		c->bytes += n;
	}
	sha256_hex(&s, c->sha256);
	close(fd);
	return n < 0 ? -1 : 0;
}

int
inboxclaim_take(struct inboxfile *f, const char *rel, struct inboxclaim *c)
{
	const char *slash = strchr(rel, '/');
	char *src, *osrc, *sub;
	struct buf o = BUF_INIT;
	int rc = 1;

	memset(c, 0, sizeof(*c));
	buf_init(&c->why, BUF_UNLIMITED);
	buf_init(&c->run, BUF_UNLIMITED);
	buf_init(&c->moved_to, BUF_UNLIMITED);
	c->exit = -1;
	c->options = json_object();
	c->rel = strdup(rel);
	c->start = time(NULL);
	if (slash) {
		c->sub = strndup(rel, (size_t)(slash - rel));
		c->vendor = strdup(c->sub);
		c->forced = 1;
		sub = join(f->mine, c->sub);
		mkdir_ok(sub);
		free(sub);
	}
	src = join(f->incoming, rel);
	c->path = join(f->mine, rel);
	if (rename(src, c->path) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		free(src);
		return rc;
	}
	buf_printf(&o, "%s.options", src);
	osrc = o.data;
	c->opath = join(f->mine, rel);
	c->opath = realloc(c->opath, strlen(c->opath) + 9);
	strcat(c->opath, ".options");
	if (rename(osrc, c->opath) < 0) {
		free(c->opath);
		c->opath = NULL;
	}
	free(src);
	buf_release(&o);
	if (digest(c) < 0)
		return -1;
	return 1;
}

int
inboxclaim_options(
    const struct inboxfile *f, struct inboxclaim *c, struct buf *err)
{
	struct buf p = BUF_INIT;
	int rc = 0;

	if (c->sub) {
		buf_printf(&p, "%s/%s/.options", f->incoming, c->sub);
		rc = maildir_options(p.data, c->options, err);
	}
	if (rc == 0 && c->opath)
		rc = maildir_options(c->opath, c->options, err);
	buf_release(&p);
	return rc;
}

int
inboxclaim_check(struct inboxclaim *c)
{
	struct buf err = BUF_INIT, set = BUF_INIT;
	struct vendor v;
	const char *k;
	json_t *val;
	int rc;

	rc = vendor_load(&v, c->vendor, &err);
	if (rc < 0)
		inboxclaim_fail(c, "no such vendor", err.data);
	json_object_foreach(c->options, k, val)
	{
		if (rc < 0)
			break;
		buf_reset(&set);
		buf_printf(&set, "%s=%s", k, json_string_value(val));
		rc = vendor_set(&v, set.data, &err);
		if (rc < 0)
			inboxclaim_fail(c, "a bad option", err.data);
	}
	if (rc == 0 && vendor_options_given(&v, &err) < 0) {
		inboxclaim_fail(c, "a required option missing", err.data);
		rc = -1;
	}
	vendor_release(&v);
	buf_release(&err);
	buf_release(&set);
	return rc;
}

const char *
inboxfile_unmatched(enum headmatch_status st)
{
	switch (st) {
	case HEADMATCH_AMBIGUOUS:
		return "two vendors fit its header";
	case HEADMATCH_EMPTY:
		return "empty file: no header row";
	case HEADMATCH_UNREADABLE:
		return "unreadable header row";
	default:
		return "no vendor has the columns of its header";
	}
}

int
inboxclaim_recognise(
    const struct inboxfile *f, const struct headmatch *hm, struct inboxclaim *c)
{
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;
	struct buf err = BUF_INIT;
	int rc = -1;

	if (c->bytes == 0) {
		inboxclaim_fail(c, "empty file", "the file holds no byte\n");
		goto out;
	}
	if (!c->vendor) {
		if (headmatch_file(hm, c->path, &a) != HEADMATCH_FOUND) {
			inboxclaim_fail(
			    c, inboxfile_unmatched(a.status), a.why.data);
			goto out;
		}
		c->vendor = strdup(a.vendor);
	}
	if (inboxclaim_options(f, c, &err) < 0) {
		inboxclaim_fail(c, "unusable options file", err.data);
		goto out;
	}
	rc = inboxclaim_check(c);
out:
	headmatch_answer_release(&a);
	buf_release(&err);
	return rc;
}

void
inboxclaim_fail(struct inboxclaim *c, const char *reason, const char *why)
{
	c->result = "failed";
	free(c->reason);
	c->reason = strdup(reason);
	buf_reset(&c->why);
	buf_adds(&c->why, why);
	if (c->why.len && c->why.data[c->why.len - 1] != '\n')
		buf_addc(&c->why, '\n');
}

void
inboxclaim_duplicate(struct inboxclaim *c, const json_t *earlier)
{
	struct buf r = BUF_INIT;

	c->result = "duplicate";
	c->dup =
	    json_pack("{sO sO sO sO}", "file", json_object_get(earlier, "file"),
	        "end", json_object_get(earlier, "end"), "run",
	        json_object_get(earlier, "run"), "moved_to",
	        json_object_get(earlier, "moved_to"));
	buf_printf(&r, "the same bytes as %s, imported %s",
	    json_string_value(json_object_get(earlier, "file")),
	    json_string_value(json_object_get(earlier, "end")));
	free(c->reason);
	c->reason = r.data;
}

/* The file at path, whole, into out (reset). 0 or -1. */
static int
slurp(const char *path, struct buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf_reset(out);
	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The last TAIL_LINES lines of text, appended to out. */
static void
tail(const struct buf *text, struct buf *out)
{
	size_t i = text->len;
	int lines = 0;

	if (i && text->data[i - 1] == '\n')
		i--;
	while (i > 0 && lines < TAIL_LINES) {
		if (text->data[--i] == '\n')
			lines++;
	}
	if (lines == TAIL_LINES)
		i++;
	buf_add(out, text->data + i, text->len - i);
	if (out->len && out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
}

static const char *
meaning(int st)
{
	switch (st) {
	case 64:
		return "usage or configuration";
	case 65:
		return "input unusable: is it the vendor's export?";
	case 66:
		return "the file or a vendor file is missing";
	case 69:
		return "a service stayed unavailable after retries";
	case 74:
		return "an I/O error";
	case 77:
		return "the credentials were refused";
	default:
		return "see the run's stages.log";
	}
}

/* A count as the bookkeeping writes it: at most 10^18. */
static json_t *
count(unsigned long long n)
{
	return json_integer(n < 1000000000000000000ULL
	                        ? (json_int_t)n
	                        : (json_int_t)1000000000000000000LL);
}

/* The digits a value starts with, as a number (at most about 10^19). */
static unsigned long long
digits(const char *v)
{
	unsigned long long n = 0;

	for (; *v >= '0' && *v <= '9'; v++)
		if (n < 1000000000000000000ULL)
			n = n * 10 + (unsigned long long)(*v - '0');
	return n;
}

/* A counter of a delivery line ("found=406"), or null when it has none. */
static json_t *
counter(const struct runsum_line *d, const char *key)
{
	const char *v = runsum_get(d->kv, d->nkv, key);

	return v && *v >= '0' && *v <= '9' ? count(digits(v)) : json_null();
}

/* obj[key] += n, the key made when new. */
static void
add_to(json_t *obj, const char *key, unsigned long long n)
{
	json_t *have = json_object_get(obj, key);

	if (have)
		n += (unsigned long long)json_integer_value(have);
	json_object_set_new(obj, key, count(n));
}

/*
 * The stage whose out= is what was imported: the last one the exit-status
 * line lists that ran (post-quasar, a side branch, aside), none when a
 * stage after it did not run. NULL when there is none.
 */
static const char *
last_stage(const struct runsum *s)
{
	const char *last = NULL;
	size_t i;

	for (i = 0; i < s->nexits; i++) {
		if (s->exits[i].val[0] == '-')
			last = NULL;
		else if (strcmp(s->exits[i].key, "post-quasar") != 0)
			last = s->exits[i].key;
	}
	return last;
}

json_t *
inboxfile_numbers(const struct runsum *s)
{
	json_t *o = json_pack("{sn sn sn sn sn sn sn}", "rows", "imported",
	    "dropped", "rejected", "rejected_by_stage", "members", "posts");
	json_t *dropped, *by_stage;
	const struct runsum_stage *st;
	unsigned long long rejected = 0;
	const char *last;
	size_t i, j;

	if (s == NULL)
		return o;
	if ((st = runsum_stage(s, "csv2ndjson")) != NULL)
		json_object_set_new(o, "rows", count(st->in));
	if ((last = last_stage(s)) != NULL && (st = runsum_stage(s, last)))
		json_object_set_new(o, "imported", count(st->out));
	if (s->nstages) {
		dropped = json_object();
		by_stage = json_object();
		for (i = 0; i < s->nstages; i++) {
			st = &s->stages[i];
			for (j = 0; j < st->nrules; j++)
				add_to(dropped, st->rules[j].key,
				    digits(st->rules[j].val));
			if (st->rejected)
				add_to(by_stage, st->name, st->rejected);
			rejected += st->rejected;
		}
		json_object_set_new(o, "dropped", dropped);
		json_object_set_new(o, "rejected", count(rejected));
		json_object_set_new(o, "rejected_by_stage", by_stage);
	}
	for (i = 0; i < s->ndelivery; i++) {
		const struct runsum_line *d = &s->delivery[i];

		if (!strcmp(d->stage, "post-northstar"))
			json_object_set_new(o, "members",
			    json_pack("{so so}", "found", counter(d, "found"),
			        "created", counter(d, "created")));
		else if (!strcmp(d->stage, "post-rogue"))
			json_object_set_new(o, "posts",
			    json_pack("{so so}", "created",
			        counter(d, "created"), "upgraded",
			        counter(d, "upgraded")));
	}
	return o;
}

int
inboxfile_run_dir(const char *text, size_t n, struct buf *out)
{
	static const char log[] = "  log ", end[] = "/stages.log";
	const char *p = text, *stop = text + n, *nl, *s;
	int found = -1;

	for (; p < stop; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(stop - p));
		if (!nl)
			nl = stop;
		if ((size_t)(nl - p) > sizeof(log) + sizeof(end) &&
		    memcmp(p, log, sizeof(log) - 1) == 0 &&
		    memcmp(nl - (sizeof(end) - 1), end, sizeof(end) - 1) == 0) {
			for (s = p + sizeof(log) - 1; *s == ' '; s++)
				;
			buf_reset(out);
			buf_add(out, s, (size_t)(nl - (sizeof(end) - 1) - s));
			found = 0;
		}
		if (nl == stop)
			break;
	}
	return found;
}

void
inboxclaim_imported(struct inboxclaim *c, int status, const char *log)
{
	struct buf out = BUF_INIT, sum = BUF_INIT, r = BUF_INIT;
	struct runsum rs;
	char *sp;
	int have, parsed = 0;

	c->exit = status;
	slurp(log, &out);
	if (inboxfile_run_dir(out.data ? out.data : "", out.len, &c->run) ==
	    0) {
		sp = join(c->run.data, "summary.txt");
		have = slurp(sp, &sum) == 0;
		free(sp);
	} else {
		have = 0;
	}
	runsum_init(&rs);
	if (have)
		parsed =
		    runsum_parse(&rs, sum.data ? sum.data : "", sum.len) == 0;
	c->numbers = inboxfile_numbers(parsed ? &rs : NULL);
	runsum_release(&rs);
	if (status == 0 || status == 1) {
		c->result = "imported";
	} else {
		buf_printf(&r, "the import ended with %d (%s)", status,
		    meaning(status));
		inboxclaim_fail(c, r.data, "");
		buf_adds(&c->why, have ? "the summary's last lines:\n"
		                       : "the import's last lines:\n");
		tail(have ? &sum : &out, &c->why);
	}
	buf_release(&out);
	buf_release(&sum);
	buf_release(&r);
}

/* The claim's sub-directory in the worker's folder, once empty. */
static void
drop_sub(const struct inboxfile *f, const struct inboxclaim *c)
{
	char *p;

	if (!c->sub)
		return;
	p = join(f->mine, c->sub);
	rmdir(p);
	free(p);
}

void
inboxclaim_give_back(struct inboxfile *f, struct inboxclaim *c)
{
	struct buf to = BUF_INIT, used = BUF_INIT;

	buf_printf(&to, "%s/%s", f->incoming, c->rel);
	if (c->opath) {
		struct buf ot = BUF_INIT;

		buf_printf(&ot, "%s.options", to.data);
		maildir_move(c->opath, ot.data, 0, &used);
		buf_release(&ot);
	}
	maildir_move(c->path, to.data, 0, &used);
	drop_sub(f, c);
	buf_release(&to);
	buf_release(&used);
}

struct dupscan {
	const struct inboxclaim *c;
	json_t *found;
};

static int
dup_line(void *arg, const char *line, size_t n)
{
	struct dupscan *ds = arg;
	json_t *o = json_loadb(line, n, 0, NULL);
	const char *r = json_string_value(json_object_get(o, "result"));
	const char *s = json_string_value(json_object_get(o, "sha256"));
	const char *v = json_string_value(json_object_get(o, "vendor"));

	if (r && s && v && !strcmp(r, "imported") &&
	    !strcmp(s, ds->c->sha256) && !strcmp(v, ds->c->vendor) &&
	    json_equal(json_object_get(o, "options"), ds->c->options)) {
		json_decref(ds->found);
		ds->found = o;
		return 0;
	}
	json_decref(o);
	return 0;
}

json_t *
inboxfile_imported(const struct inboxfile *f, const struct inboxclaim *c)
{
	struct dupscan ds = {c, NULL};
	struct buf err = BUF_INIT;

	appendlog_read(f->book, dup_line, &ds, &err);
	buf_release(&err);
	return ds.found;
}

/* s as a JSON string; bytes that are not UTF-8 (a file's name) as '?'. */
static json_t *
text(const char *s)
{
	json_t *j = json_string(s);
	char *t;
	size_t i;

	if (j)
		return j;
	t = strdup(s);
	for (i = 0; t[i]; i++) {
		if ((unsigned char)t[i] >= 0x80)
			t[i] = '?';
	}
	j = json_string(t);
	free(t);
	return j;
}

static json_t *
time_json(time_t t)
{
	char s[32];

	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	return json_string(s);
}

/* The claim's line (docs/inbox.md), a new object. */
static json_t *
line_of(const struct inboxfile *f, const struct inboxclaim *c, time_t end)
{
	static const char *const nums[] = {"rows", "imported", "dropped",
	    "rejected", "rejected_by_stage", "members", "posts", NULL};
	json_t *o = json_object(), *x;
	struct buf rep = BUF_INIT;
	int i;

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "file", text(c->rel));
	json_object_set_new(o, "result", json_string(c->result));
	json_object_set_new(
	    o, "reason", c->reason ? text(c->reason) : json_null());
	json_object_set_new(
	    o, "vendor", c->vendor ? json_string(c->vendor) : json_null());
	json_object_set_new(o, "forced", json_boolean(c->forced));
	json_object_set(o, "options", c->options);
	json_object_set_new(o, "sha256", json_string(c->sha256));
	json_object_set_new(o, "bytes", json_integer(c->bytes));
	for (i = 0; nums[i]; i++) {
		x = c->numbers ? json_object_get(c->numbers, nums[i]) : NULL;
		json_object_set(o, nums[i], x ? x : json_null());
	}
	json_object_set_new(o, "start", time_json(c->start));
	json_object_set_new(o, "end", time_json(end));
	json_object_set_new(
	    o, "exit", c->exit >= 0 ? json_integer(c->exit) : json_null());
	json_object_set_new(
	    o, "run", c->run.len ? text(c->run.data) : json_null());
	if (c->run.len)
		buf_printf(&rep, "%s/report.html", c->run.data);
	json_object_set_new(
	    o, "report", rep.len ? text(rep.data) : json_null());
	json_object_set_new(o, "moved_to", text(c->moved_to.data));
	json_object_set(o, "duplicate_of", c->dup ? c->dup : json_null());
	json_object_set_new(o, "worker", json_string(f->worker.data));
	buf_release(&rep);
	(void)f;
	return o;
}

/* FILE.reason beside the failed file. */
static void
write_reason(const struct inboxclaim *c, const char *moved)
{
	struct buf p = BUF_INIT;
	FILE *out;

	buf_printf(&p, "%s.reason", moved);
	out = fopen(p.data, "w");
	if (out) {
		fprintf(out, "%s: %s\n%s", c->rel, c->reason,
		    c->why.data ? c->why.data : "");
		fprintf(out,
		    "To import it again once the cause is fixed, move it back:"
		    " mv %s incoming/%s%s\n",
		    c->moved_to.data, c->sub ? c->sub : "", c->sub ? "/" : "");
		fclose(out);
	}
	buf_release(&p);
}

int
inboxfile_finish(struct inboxfile *f, struct inboxclaim *c, struct buf *err)
{
	struct buf to = BUF_INIT, moved = BUF_INIT;
	struct buf opt = BUF_INIT;
	const char *base = strrchr(c->rel, '/');
	char day[16], *text;
	time_t end = time(NULL);
	json_t *line;
	int rc = -1;

	base = base ? base + 1 : c->rel;
	if (!strcmp(c->result, "failed")) {
		buf_printf(&to, "%s/%s", f->failed, base);
	} else {
		strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&end));
		buf_printf(&to, "%s/%s", f->done, day);
		mkdir_ok(to.data);
		buf_printf(&to, "/%s", base);
	}
	/* A link first: the claim stays until the line is written. */
	if (maildir_move(c->path, to.data, 1, &moved) < 0) {
		buf_printf(
		    err, "%s: cannot move there: %s", to.data, strerror(errno));
		goto out;
	}
	buf_reset(&c->moved_to);
	buf_adds(&c->moved_to, moved.data + strlen(f->root) + 1);
	if (!strcmp(c->result, "failed"))
		write_reason(c, moved.data);
	buf_printf(&opt, "%s.options", moved.data);
	if (c->opath)
		rename(c->opath, opt.data);
	line = line_of(f, c, end);
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	buf_reset(err);
	rc = appendlog_add(f->book, text, strlen(text), err);
	free(text);
	if (rc < 0) {
		unlink(moved.data);
		if (c->opath)
			rename(opt.data, c->opath);
		goto out;
	}
	unlink(c->path);
	drop_sub(f, c);
out:
	buf_release(&opt);
	buf_release(&to);
	buf_release(&moved);
	return rc;
}

void
inboxclaim_release(struct inboxclaim *c)
{
	free(c->rel);
	free(c->sub);
	free(c->path);
	free(c->opath);
	free(c->vendor);
	free(c->reason);
	json_decref(c->options);
	json_decref(c->numbers);
	json_decref(c->dup);
	buf_release(&c->why);
	buf_release(&c->run);
	buf_release(&c->moved_to);
	memset(c, 0, sizeof(*c));
}

void
inboxfile_env(const struct inboxfile *f)
{
	static const char *const paths[] = {"BIN", "SLUICE_VENDORS",
	    "SLUICE_CACERT", "SLUICE_JOURNAL", "NORTHSTAR_CLIENT_SECRET_FILE",
	    "SLUICE_DATA", NULL};
	char real[PATH_MAX];
	const char *v;
	int i;

	if (!getenv("SLUICE_DATA") || !*getenv("SLUICE_DATA"))
		setenv("SLUICE_DATA", f->root, 1);
	for (i = 0; paths[i]; i++) {
		v = getenv(paths[i]);
		if (v && *v && *v != '/' && realpath(v, real))
			setenv(paths[i], real, 1);
	}
}

void
inboxfile_close(struct inboxfile *f)
{
	char *owner;

	/* Empty, the worker's folder goes; with a claim left in it (a line
	 * not written), its mark goes and the next pass gives it back. */
	if (f->mine) {
		owner = join(f->mine, ".owner");
		unlink(owner);
		free(owner);
		rmdir(f->mine);
	}
	free(f->root);
	free(f->incoming);
	free(f->work);
	free(f->done);
	free(f->failed);
	free(f->state);
	free(f->book);
	free(f->mine);
	buf_release(&f->worker);
	memset(f, 0, sizeof(*f));
}

struct lastn {
	json_t *lines;
	long n;
};

static int
keep_last(void *arg, const char *line, size_t len)
{
	struct lastn *l = arg;
	json_t *o = json_loadb(line, len, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	json_array_append_new(l->lines, o);
	if ((long)json_array_size(l->lines) > l->n)
		json_array_remove(l->lines, 0);
	return 0;
}

/* A number of a line, or "-". */
static void
num(struct buf *out, const json_t *o, const char *key, int width)
{
	const json_t *x = json_object_get(o, key);

	if (json_is_integer(x))
		buf_printf(
		    out, " %*lld", width, (long long)json_integer_value(x));
	else
		buf_printf(out, " %*s", width, "-");
}

/* What waits in incoming/[sub/], as lines into out. */
static void
waiting(const char *dir, const char *sub, double settle, struct buf *out)
{
	struct buf p = BUF_INIT;
	struct dirent *e;
	struct stat st;
	time_t now = time(NULL), at;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		if (maildir_ignored(e->d_name))
			continue;
		buf_reset(&p);
		buf_printf(&p, "%s/%s", dir, e->d_name);
		if (lstat(p.data, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && !sub) {
			waiting(p.data, e->d_name, settle, out);
		} else if (S_ISREG(st.st_mode)) {
			at = maildir_settled_at(&st, settle);
			buf_printf(out, "  %s%s%s  %lld bytes, ",
			    sub ? sub : "", sub ? "/" : "", e->d_name,
			    (long long)st.st_size);
			if (at <= now)
				buf_adds(out, "ready\n");
			else
				buf_printf(out, "settling (%lld s more)\n",
				    (long long)(at - now));
		}
	}
	if (d)
		closedir(d);
	buf_release(&p);
}

int
inboxfile_status(
    const char *dir, double settle, long n, struct buf *out, struct buf *err)
{
	struct lastn l = {json_array(), n};
	struct buf p = BUF_INIT;
	struct dirent *e;
	size_t i;
	json_t *o;
	DIR *d;
	int rc;

	buf_printf(&p, "%s/state/imports.ndjson", dir);
	rc = appendlog_read(p.data, keep_last, &l, err);
	buf_printf(out, "%-20s  %-9s  %-20s %7s %8s %8s  %s\n", "end", "result",
	    "vendor", "rows", "imported", "rejected", "file");
	json_array_foreach(l.lines, i, o)
	{
		const char *v = json_string_value(json_object_get(o, "vendor"));

		buf_printf(out, "%-20s  %-9s  %-20s",
		    json_string_value(json_object_get(o, "end")),
		    json_string_value(json_object_get(o, "result")),
		    v ? v : "-");
		num(out, o, "rows", 7);
		num(out, o, "imported", 8);
		num(out, o, "rejected", 8);
		buf_printf(out, "  %s -> %s\n",
		    json_string_value(json_object_get(o, "file")),
		    json_string_value(json_object_get(o, "moved_to")));
	}
	if (!json_array_size(l.lines))
		buf_adds(out, "(no file yet)\n");
	buf_adds(out, "\nwaiting in incoming/:\n");
	buf_reset(&p);
	buf_printf(&p, "%s/incoming", dir);
	i = out->len;
	waiting(p.data, NULL, settle, out);
	if (out->len == i)
		buf_adds(out, "  nothing\n");
	buf_adds(out, "\nclaimed, in work/:\n");
	buf_reset(&p);
	buf_printf(&p, "%s/work", dir);
	i = out->len;
	d = opendir(p.data);
	while (d && (e = readdir(d)) != NULL) {
		char *w = join(p.data, e->d_name);
		size_t before = out->len;

		if (e->d_name[0] != '.') {
			waiting(w, NULL, 0, out);
			if (out->len > before)
				buf_printf(out, "    (worker %s%s)\n",
				    e->d_name,
				    maildir_stale(w) ? ", gone: the next pass "
				                       "gives these back"
				                     : "");
		}
		free(w);
	}
	if (d)
		closedir(d);
	if (out->len == i)
		buf_adds(out, "  nothing\n");
	json_decref(l.lines);
	buf_release(&p);
	return rc < 0 ? -1 : 0;
}
