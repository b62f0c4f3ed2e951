/* The protocol of an upload directory; see maildir.h. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maildir.h"

void
maildir_host(struct buf *out)
{
	char host[256];
	size_t i;

	buf_reset(out);
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	/* A name in a path: no slash. */
	for (i = 0; host[i]; i++) {
		if (host[i] == '/')
			host[i] = '_';
	}
	buf_adds(out, host);
}

void
maildir_worker(struct buf *out)
{
	maildir_host(out);
	buf_printf(out, ".%ld", (long)getpid());
}

/*
 * The mark of process pid: "BOOT START", the kernel's boot id and the
 * process's start time (field 22 of /proc/PID/stat), into out (reset).
 * 0, or -1 when /proc does not say.
 */
static int
mark_of(long pid, struct buf *out)
{
	char path[64], line[1024], boot[64] = "";
	const char *p;
	FILE *f;
	int i;

	buf_reset(out);
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = '\0';
		fclose(f);
		boot[strcspn(boot, "\n")] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* After the command's ")": state is field 3, start time field 22. */
	p = strrchr(line, ')');
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	buf_printf(out, "%s %.*s", boot, (int)strcspn(p + 1, " \n"), p + 1);
	return 0;
}

int
maildir_mark(const char *dir)
{
	struct buf m = BUF_INIT, path = BUF_INIT;
	FILE *f;
	int rc = 0;

	if (mark_of((long)getpid(), &m) < 0)
		goto out;
	buf_printf(&path, "%s/.owner", dir);
	f = fopen(path.data, "w");
	if (!f || fprintf(f, "%s\n", m.data) < 0)
		rc = -1;
	if (f && fclose(f) != 0)
		rc = -1;
out:
	buf_release(&m);
	buf_release(&path);
	return rc;
}

int
maildir_stale(const char *dir)
{
	struct buf host = BUF_INIT, m = BUF_INIT, path = BUF_INIT;
	const char *base = strrchr(dir, '/'), *dot;
	char mark[256], *end;
	long pid;
	FILE *f;
	int stale = 0;

	base = base ? base + 1 : dir;
	dot = strrchr(base, '.');
	maildir_host(&host);
	if (!dot || (size_t)(dot - base) != host.len ||
	    memcmp(base, host.data, host.len) != 0)
		goto out;
	errno = 0;
	pid = strtol(dot + 1, &end, 10);
	if (errno || *end || end == dot + 1 || pid <= 0)
		goto out;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		stale = 1;
		goto out;
	}
	if (pid == (long)getpid()) {
		/* Ours is never judged here: the caller knows its own. */
		goto out;
	}
	/* The PID lives: is it the process that marked the folder? */
	buf_printf(&path, "%s/.owner", dir);
	f = fopen(path.data, "r");
	if (!f)
		goto out;
	if (fgets(mark, sizeof(mark), f)) {
		mark[strcspn(mark, "\n")] = '\0';
		if (mark_of(pid, &m) == 0 && strcmp(mark, m.data) != 0)
			stale = 1;
	}
	fclose(f);
out:
	buf_release(&host);
	buf_release(&m);
	buf_release(&path);
	return stale;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

int
maildir_ignored(const char *name)
{
	return name[0] == '.' || ends_with(name, ".part") ||
	       ends_with(name, ".tmp") || ends_with(name, ".options") ||
	       ends_with(name, ".reason");
}

time_t
maildir_settled_at(const struct stat *st, double settle)
{
	time_t t = st->st_ctime > st->st_mtime ? st->st_ctime : st->st_mtime;

	return t + (time_t)(settle + 0.999);
}

/* The n-th name for to: to itself, then NAME-n.EXT. */
static void
nth_name(const char *to, int n, struct buf *out)
{
	const char *base = strrchr(to, '/'), *dot;

	buf_reset(out);
	if (n == 1) {
		buf_adds(out, to);
		return;
	}
	base = base ? base + 1 : to;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	buf_add(out, to, (size_t)(dot - to));
	buf_printf(out, "-%d%s", n, dot);
}

int
maildir_move(const char *from, const char *to, int keep, struct buf *out)
{
	int n;

	for (n = 1; n < 10000; n++) {
		nth_name(to, n, out);
		if (link(from, out->data) == 0)
			return keep ? 0 : unlink(from);
		if (errno == EEXIST)
			continue;
		if (errno != EPERM && errno != ENOTSUP && errno != EXDEV)
			return -1;
		/* No hard links here: a rename where nothing is, which two
		 * movers could race for, but only one worker moves a file
		 * it claimed. */
		if (access(out->data, F_OK) == 0)
			continue;
		return keep ? -1 : rename(from, out->data);
	}
	errno = EEXIST;
	return -1;
}

/* s without spaces and tabs at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
maildir_options(const char *path, json_t *obj, struct buf *err)
{
	char line[4096], *s, *eq;
	unsigned long long n = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			buf_printf(err, "%s:%llu: a line too long", path, n);
			rc = -1;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			buf_printf(
			    err, "%s:%llu: not NAME=VALUE: '%s'", path, n, s);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (json_object_set_new(
		        obj, trim(s), json_string(trim(eq + 1))) < 0) {
			buf_printf(err, "%s:%llu: not UTF-8 text", path, n);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		buf_printf(err, "%s: cannot read", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}
