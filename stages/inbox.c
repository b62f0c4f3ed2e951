/*
 * inbox: the files dropped in a directory, each imported on its own by
 * pipelines/import.sh, with a line of bookkeeping per file
 * (docs/inbox.md).
 *
 * A pass: dead workers' claims go back to incoming/ (maildir.h); each
 * file of incoming/ and incoming/VENDOR/ that is ready is claimed by
 * rename(2) into work/HOST.PID/, its vendor recognised from its header
 * (headmatch.h) unless the sub-directory names it, its options read, and
 * imported, unless the same bytes were imported before with the same
 * vendor and options. It then goes to done/DATE/ or failed/ (with
 * FILE.reason), its line appended to state/imports.ndjson before the
 * claim is let go (inboxfile.h). An import another import of its vendor
 * holds back (75), or that a signal ended, gives the file back.
 *
 * A C program, not a shell script: claims and moves are single rename(2)s
 * and link(2)s whose failures must be told apart, the header is read as
 * csv2ndjson reads it, and the line is one locked write (docs/inbox.md).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dirwatch.h"
#include "exitcode.h"
#include "headmatch.h"
#include "inboxfile.h"
#include "maildir.h"
#include "stopsig.h"
#include "strset.h"
#include "vendor.h"

#ifndef SLUICE_IMPORT_SH
#define SLUICE_IMPORT_SH "pipelines/import.sh"
#endif

#define SYNOPSIS                                                               \
	"inbox [--settle SECONDS] [--rescan SECONDS] [--import FILE] "         \
	"run|watch|status DIR | which FILE..."

struct opts {
	double settle, rescan;
	const char *import;
	const char *dir;
	long last;
	char **files; /* which: the files */
	int nfiles;
};

struct inbox {
	const struct opts *o;
	struct inboxfile f;    /* the paths and the bookkeeping (inboxfile.h) */
	struct strset renamed; /* names seen arriving by rename (watch) */
	int first, failed;     /* the first pass; files failed this run */
	time_t wake;           /* when a waiting file settles, or 0 */
	json_t *held; /* name: not before (time), for files given back */
};

/* Whether the file rel of incoming/ is ready to take: 1 or 0 (else when
 * it will be, in ib->wake). */
static int
ready(struct inbox *ib, const char *rel, time_t now)
{
	struct buf p = BUF_INIT;
	struct stat st;
	json_int_t held;
	time_t at;
	int ok = 0;

	buf_printf(&p, "%s/%s", ib->f.incoming, rel);
	if (stat(p.data, &st) == 0 && S_ISREG(st.st_mode)) {
		at = maildir_settled_at(&st, ib->o->settle);
		held = json_integer_value(json_object_get(ib->held, rel));
		if (held > now) {
			if (!ib->wake || held < ib->wake)
				ib->wake = (time_t)held;
		} else if (strset_has(&ib->renamed, rel) || at <= now)
			ok = 1;
		else if (!ib->wake || at < ib->wake)
			ib->wake = at;
	}
	buf_release(&p);
	return ok;
}

/* The uploads of incoming/ (and sub-directories) ready now, in list. */
static void
scan(struct inbox *ib, const char *sub, json_t *list, time_t now)
{
	struct buf p = BUF_INIT, rel = BUF_INIT;
	struct dirent *e;
	struct stat st;
	DIR *d;

	buf_printf(
	    &p, "%s%s%s", ib->f.incoming, sub ? "/" : "", sub ? sub : "");
	d = opendir(p.data);
	while (d && (e = readdir(d)) != NULL) {
		if (maildir_ignored(e->d_name))
			continue;
		buf_reset(&rel);
		buf_printf(
		    &rel, "%s%s%s", sub ? sub : "", sub ? "/" : "", e->d_name);
		buf_reset(&p);
		buf_printf(&p, "%s/%s", ib->f.incoming, rel.data);
		if (lstat(p.data, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && !sub)
			scan(ib, e->d_name, list, now);
		else if (S_ISREG(st.st_mode) && ready(ib, rel.data, now))
			json_array_append_new(
			    list, json_string_nocheck(rel.data));
	}
	if (d)
		closedir(d);
	buf_release(&p);
	buf_release(&rel);
}

/*
 * Runs the import of the claimed file, its output into log: the exit
 * status, 128+N after signal N. A stop signal the inbox gets is passed on,
 * and the import's end waited for.
 */
static int
run_import(struct inbox *ib, const char *vendor, json_t *options,
    const char *path, const char *log)
{
	char **argv;
	size_t n = 0, i;
	const char *k;
	json_t *v;
	struct buf set = BUF_INIT;
	int st, fd, sent = 0;
	pid_t pid;

	argv = calloc(4 + 2 * json_object_size(options), sizeof(*argv));
	if (!argv)
		abort();
	argv[n++] = strdup(ib->o->import);
	json_object_foreach(options, k, v)
	{
		argv[n++] = strdup("--set");
		buf_reset(&set);
		buf_printf(&set, "%s=%s", k, json_string_value(v));
		argv[n++] = strdup(set.data);
	}
	argv[n++] = strdup(vendor);
	argv[n++] = strdup(path);
	pid = fork();
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
		    chdir(ib->f.mine) < 0)
			_exit(EXIT_IOERR);
		execv(argv[0], argv);
		fprintf(stderr, "inbox: %s: cannot run: %s\n", argv[0],
		    strerror(errno));
		_exit(EXIT_UNAVAILABLE);
	}
	st = -1;
	while (pid > 0 && waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			break;
		if (stopsig && !sent)
			sent = kill(pid, stopsig) == 0;
	}
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	buf_release(&set);
	return pid < 0 || st == -1 ? EXIT_IOERR
	       : WIFEXITED(st)     ? WEXITSTATUS(st)
	                           : 128 + WTERMSIG(st);
}

/* One claimed file, from its claim to its line. */
static void
process(struct inbox *ib, struct headmatch *hm, const char *rel)
{
	struct inboxclaim c;
	struct buf log = BUF_INIT;
	json_t *earlier = NULL;
	int st;

	st = inboxclaim_take(&ib->f, rel, &c);
	if (st < 0)
		diag(NULL, 0, "%s: cannot claim: %s", rel, strerror(errno));
	if (st != 1)
		goto out;
	if (inboxclaim_recognise(&ib->f, hm, &c) == 0) {
		earlier = inboxfile_imported(&ib->f, &c);
		if (earlier) {
			inboxclaim_duplicate(&c, earlier);
		} else {
			buf_printf(&log, "%s.log", c.path);
			diag(NULL, 0, "%s: importing as %s", rel, c.vendor);
			st = run_import(ib, c.vendor, c.options, rel, log.data);
			if (st == 75 || st > 128) {
				/* Held back, or stopped: back to incoming/. */
				diag(NULL, 0,
				    "%s: the import ended with %d; the file "
				    "waits in incoming/",
				    rel, st);
				inboxclaim_give_back(&ib->f, &c);
				unlink(log.data);
				json_object_set_new(ib->held, rel,
				    json_integer((json_int_t)time(NULL) +
				                 (json_int_t)ib->o->rescan));
				goto out;
			}
			inboxclaim_imported(&c, st, log.data);
			unlink(log.data);
		}
	}
	if (strcmp(c.result, "failed") == 0)
		ib->failed = 1;
	buf_reset(&log);
	if (inboxfile_finish(&ib->f, &c, &log) < 0) {
		ib->failed = 1;
		diag(NULL, 0, "%s: left in work/ for the next start: %s", rel,
		    log.data);
	} else {
		diag(NULL, 0, "%s: %s%s%s -> %s", rel, c.result,
		    c.reason ? ": " : "", c.reason ? c.reason : "",
		    c.moved_to.data);
	}
out:
	json_decref(earlier);
	inboxclaim_release(&c);
	buf_release(&log);
}

/* A pass: the dead workers' claims back, then every ready file. */
static int
pass(struct inbox *ib)
{
	struct headmatch hm;
	json_t *list = json_array(), *x;
	size_t i;

	if (inboxfile_recover(&ib->f, ib->first) < 0)
		return EXIT_IOERR;
	ib->first = 0;
	ib->wake = 0;
	headmatch_load(&hm, vendor_dir());
	if (hm.problems.len)
		diag(NULL, 0, "vendor files left out: %s", hm.problems.data);
	scan(ib, NULL, list, time(NULL));
	strset_release(&ib->renamed); /* a pass takes what it saw */
	strset_init(&ib->renamed);
	json_array_foreach(list, i, x)
	{
		if (stopsig)
			break;
		process(ib, &hm, json_string_value(x));
	}
	headmatch_release(&hm);
	json_decref(list);
	return 0;
}

/* inbox watch: passes at every arrival, and every --rescan seconds. */
static int
watch(struct inbox *ib)
{
	struct dirwatch w;
	time_t now, next;
	int rc = 0, ms;

	if (dirwatch_open(&w, ib->f.incoming) < 0) {
		diag(ib->f.incoming, 0, "cannot watch: %s", strerror(errno));
		dirwatch_close(&w);
		return EXIT_IOERR;
	}
	while (!stopsig && rc == 0) {
		rc = pass(ib);
		now = time(NULL);
		next = now + (time_t)ib->o->rescan;
		if (ib->wake && ib->wake < next)
			next = ib->wake;
		ms = next > now ? (int)(next - now) * 1000 : 0;
		if (!stopsig && dirwatch_wait(&w, ms, &ib->renamed) < 0)
			rc = EXIT_IOERR;
	}
	dirwatch_close(&w);
	return rc ? rc : stopsig ? 128 + stopsig : 0;
}

/* inbox status: the table and what waits, on stdout. */
static int
status(const struct opts *o)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int rc = 0;

	if (inboxfile_status(o->dir, o->settle, o->last, &out, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = EXIT_IOERR;
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	buf_release(&err);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = EXIT_IOERR;
	return rc;
}

/* inbox which FILE...: the vendor each file's header names, or why not. */
static int
which(const struct opts *o)
{
	struct headmatch hm;
	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;
	const char *p, *nl;
	int i, rc = 0;

	headmatch_load(&hm, vendor_dir());
	for (i = 0; i < o->nfiles; i++) {
		if (headmatch_file(&hm, o->files[i], &a) == HEADMATCH_FOUND) {
			printf("%s: %s\n", o->files[i], a.vendor);
			continue;
		}
		rc = EXIT_DATAERR;
		printf("%s: %s\n", o->files[i], inboxfile_unmatched(a.status));
		for (p = a.why.data; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			printf("  %.*s\n", (int)(nl - p), p);
		}
	}
	headmatch_answer_release(&a);
	headmatch_release(&hm);
	return fflush(stdout) == 0 ? rc : EXIT_IOERR;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Import the files dropped in DIR/incoming/, each on its own, and "
	    "keep a line\nper file in DIR/state/imports.ndjson.\n\n"
	    "  run DIR                 one pass over what is ready, then exit "
	    "(cron, a timer)\n"
	    "  watch DIR               a pass at each arrival (inotify) and "
	    "every --rescan\n"
	    "  status DIR              the last files and what waits\n"
	    "  which FILE...           the vendor each file's header names, "
	    "or why none\n"
	    "  -s, --settle SECONDS    a file that was not renamed in counts "
	    "once unchanged\n"
	    "                          that long (default 10)\n"
	    "  -r, --rescan SECONDS    watch: a pass at least this often "
	    "(default 60)\n"
	    "  -i, --import FILE       the import script (default "
	    "$SLUICE_IMPORT, else\n"
	    "                          this checkout's pipelines/import.sh)\n"
	    "  -n, --last N            status: how many files (default 20)\n\n"
	    "incoming/VENDOR/ forces the vendor, else the header names it; "
	    "per-file options\n(import.sh --set) come from FILE.options and "
	    "incoming/VENDOR/.options, NAME=VALUE\nlines. Files end in "
	    "done/DATE/ or failed/ (with FILE.reason). The import's\n"
	    "environment passes through; SLUICE_DATA defaults to DIR. Exit "
	    "status: 0, 1 when\na file failed, 64 usage, 74 DIR unusable, "
	    "128+N after signal N.\n\n"
	    "Example:\n"
	    "  mkdir -p /srv/inbox/incoming/email-subscription\n"
	    "  echo topic=news >/srv/inbox/incoming/email-subscription/.options\n"
	    "  inbox watch /srv/inbox &\n"
	    "  cp export.csv /srv/inbox/incoming/export.csv.part &&\n"
	    "      mv /srv/inbox/incoming/export.csv.part "
	    "/srv/inbox/incoming/export.csv\n"
	    "  inbox status /srv/inbox\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o, const char **cmd)
{
	static const struct option longs[] = {
	    {"settle", required_argument, NULL, 's'},
	    {"rescan", required_argument, NULL, 'r'},
	    {"import", required_argument, NULL, 'i'},
	    {"last", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	unsigned long long n;
	int c;

	while ((c = getopt_long(argc, argv, "s:r:i:n:h", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_seconds(optarg, &o->settle) < 0)
				return cli_usage_error(
				    SYNOPSIS, "bad --settle '%s'", optarg);
			break;
		case 'r':
			if (cli_seconds(optarg, &o->rescan) < 0 ||
			    o->rescan < 1)
				return cli_usage_error(
				    SYNOPSIS, "bad --rescan '%s'", optarg);
			break;
		case 'i':
			o->import = optarg;
			break;
		case 'n':
			if (cli_uint(optarg, 1000000, &n) < 0)
				return cli_usage_error(
				    SYNOPSIS, "bad --last '%s'", optarg);
			o->last = (long)n;
			break;
		case 'h':
			usage();
			exit(0);
		case 'V':
			cli_version();
			exit(0);
		default:
			return cli_usage_error(SYNOPSIS, "unknown option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_error(SYNOPSIS, "give a command and DIR");
	*cmd = argv[optind];
	o->dir = argv[optind + 1];
	o->files = argv + optind + 1;
	o->nfiles = argc - optind - 1;
	if (strcmp(*cmd, "which") == 0)
		return 0;
	if (strcmp(*cmd, "run") && strcmp(*cmd, "watch") &&
	    strcmp(*cmd, "status"))
		return cli_usage_error(SYNOPSIS, "unknown command '%s'", *cmd);
	if (o->nfiles != 1)
		return cli_usage_error(SYNOPSIS, "one DIR");
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = {10, 60, NULL, NULL, 20, NULL, 0};
	struct inbox ib;
	const char *cmd = NULL;
	struct buf err = BUF_INIT;
	char import[PATH_MAX];
	int rc;

	diag_init("inbox");
	if ((rc = parse_opts(argc, argv, &o, &cmd)) != 0)
		return rc;
	if (!o.import)
		o.import = cli_env("SLUICE_IMPORT");
	if (!o.import)
		o.import = SLUICE_IMPORT_SH;
	memset(&ib, 0, sizeof(ib));
	ib.o = &o;
	if (strcmp(cmd, "status") == 0)
		return status(&o);
	if (strcmp(cmd, "which") == 0)
		return which(&o);
	if (inboxfile_open(&ib.f, o.dir, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_IOERR;
	}
	ib.first = 1;
	ib.held = json_object();
	strset_init(&ib.renamed);
	inboxfile_env(&ib.f);
	if (!strchr(o.import, '/') || !realpath(o.import, import))
		snprintf(import, sizeof(import), "%s", o.import);
	o.import = import;
	stopsig_catch(0);
	if (strcmp(cmd, "run") == 0)
		rc = pass(&ib) ? EXIT_IOERR : stopsig ? 128 + stopsig : 0;
	else
		rc = watch(&ib);
	inboxfile_close(&ib.f);
	strset_release(&ib.renamed);
	json_decref(ib.held);
	if (rc == 0 && ib.failed)
		rc = 1;
	return rc;
}
