/* Waiting for files to arrive in a directory; see dirwatch.h. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dirwatch.h"

/*
 * Not IN_MODIFY: a copy's every write would wake the caller for nothing;
 * its creation and its close do, and the caller's settling time does the
 * rest.
 */
#define EVENTS                                                                 \
	(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE_SELF |           \
	    IN_MOVE_SELF)

/* Watches the sub-directory name ("" for the directory itself). */
static int
add(struct dirwatch *w, const char *name)
{
	struct buf p = BUF_INIT;
	size_t i;
	int wd;

	buf_printf(&p, "%s%s%s", w->dir, *name ? "/" : "", name);
	wd = inotify_add_watch(w->fd, p.data, EVENTS | IN_ONLYDIR);
	buf_release(&p);
	if (wd < 0)
		return -1;
	for (i = 0; i < w->n; i++) {
		if (w->wds[i] == wd)
			return 0;
	}
	w->wds = realloc(w->wds, (w->n + 1) * sizeof(*w->wds));
	w->names = realloc(w->names, (w->n + 1) * sizeof(*w->names));
	if (!w->wds || !w->names)
		abort();
	w->wds[w->n] = wd;
	w->names[w->n] = strdup(name);
	w->n++;
	return 0;
}

int
dirwatch_open(struct dirwatch *w, const char *dir)
{
	struct dirent *e;
	DIR *d;

	memset(w, 0, sizeof(*w));
	w->dir = strdup(dir);
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0 || add(w, "") < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct buf p = BUF_INIT;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		buf_printf(&p, "%s/%s", dir, e->d_name);
		if (stat(p.data, &st) == 0 && S_ISDIR(st.st_mode))
			add(w, e->d_name);
		buf_release(&p);
	}
	closedir(d);
	return 0;
}

/* The events in n bytes at p. Returns 1: something happened. */
static int
take(struct dirwatch *w, const char *p, size_t n, struct strset *renamed)
{
	const struct inotify_event *ev;
	struct buf name = BUF_INIT;
	size_t i, off;

	for (off = 0; off + sizeof(*ev) <= n; off += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)(const void *)(p + off);
		for (i = 0; i < w->n && w->wds[i] != ev->wd; i++)
			;
		if (i == w->n || !ev->len)
			continue;
		if ((ev->mask & IN_ISDIR) && i == 0 &&
		    (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
			add(w, ev->name);
		} else if ((ev->mask & IN_MOVED_TO) && !(ev->mask & IN_ISDIR)) {
			buf_reset(&name);
			buf_printf(&name, "%s%s%s", w->names[i],
			    *w->names[i] ? "/" : "", ev->name);
			strset_add(renamed, name.data);
		}
	}
	buf_release(&name);
	return 1;
}

int
dirwatch_wait(struct dirwatch *w, int timeout_ms, struct strset *renamed)
{
	/* Aligned for struct inotify_event, as inotify(7) shows. */
	char chunk[8192] __attribute__((aligned(8)));
	struct pollfd pfd;
	int rc, any = 0;
	ssize_t n;

	pfd.fd = w->fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc == 0)
		return 0;
	while ((n = read(w->fd, chunk, sizeof(chunk))) > 0)
		any |= take(w, chunk, (size_t)n, renamed);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -1;
	return any;
}

void
dirwatch_close(struct dirwatch *w)
{
	size_t i;

	if (w->fd >= 0)
		close(w->fd);
	for (i = 0; i < w->n; i++)
		free(w->names[i]);
	free(w->names);
	free(w->wds);
	free(w->dir);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
