/*
 * report: an import run's report.html, and the data folder's index.html.
 *
 * Not a filter: it reads a run folder that pipelines/import.sh has
 * finished (its summary.txt and STAGE.rejects.ndjson files) and writes
 * RUN/report.html, a page a person can open from the file, offline
 * (runreport.h says what it shows); with --index DATA, DATA/index.html,
 * the recent imports, newest first, each linking to its report
 * (runindex.h). The numbers are the summary's, read back, never counted
 * again; the rejects are grouped by reason (rejgroup.h), their personal
 * data masked (mask.h). Each page is written whole or not at all
 * (wholefile.h).
 *
 * --rows writes, instead, the export's header and its rejected rows as
 * they were written (csvrows.h): the CSV to fix and import again, which
 * the report's commands name.
 */
/* realpath() is XSI: the export and the run named whole in commands. */
#define _XOPEN_SOURCE 700
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "csvrows.h"
#include "diag.h"
#include "exitcode.h"
#include "rejgroup.h"
#include "runindex.h"
#include "runreport.h"
#include "runsum.h"
#include "wholefile.h"

#define SYNOPSIS                                                               \
	"report [OPTIONS] RUN | report --index DATA | report --rows RUN"
#define MAX_PAGE ((size_t)64 << 20)

struct opts {
	const char *run, *index, *command, *output, *export_file;
	int rows;
	unsigned long long limit;
};

/* s as the shell reads it back, quoted only when it must be. */
static void
quote(struct buf *b, const char *s)
{
	const char *p;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
	                    "xyz0123456789_./:=@%+,-") == strlen(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (p = s; *p; p++)
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *p);
	buf_addc(b, '\'');
}

/* The page in b to path, whole or not at all. 0 or EXIT_IOERR. */
static int
save(const char *path, const struct buf *b)
{
	struct wholefile w;
	int rc;

	wholefile_init(&w);
	if (wholefile_open(&w, strcmp(path, "-") ? path : NULL, "report") < 0 ||
	    wholefile_write(&w, b->data, b->len) < 0) {
		diag(w.where, 0, "cannot write: %s", strerror(w.err));
		wholefile_release(&w);
		return EXIT_IOERR;
	}
	rc = wholefile_deliver(&w, "page");
	wholefile_release(&w);
	/* The page holds nothing unmasked: readable as the umask allows
	 * (a temporary file is made 0600). */
	if (rc == EXIT_OK && strcmp(path, "-") != 0) {
		mode_t mask = umask(0);

		umask(mask);
		(void)chmod(path, 0666 & ~mask);
	}
	return rc;
}

/* The run's rejects files, the summary's stages first, in its order. */
static void
read_rejects(const char *run, const struct runsum *s, struct rejgroups *rg)
{
	struct buf pat = BUF_INIT, why = BUF_INIT, stage = BUF_INIT;
	glob_t g;
	size_t i, j;
	char *taken;

	buf_printf(&pat, "%s/*.rejects.ndjson", run);
	if (glob(pat.data, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	taken = xcalloc(g.gl_pathc + 1, 1);
	for (i = 0; i <= (s ? s->nstages : 0); i++) {
		for (j = 0; j < g.gl_pathc; j++) {
			char *base = strrchr(g.gl_pathv[j], '/') + 1;
			size_t n = strlen(base) - strlen(".rejects.ndjson");

			if (taken[j] ||
			    (s && i < s->nstages &&
			        (strlen(s->stages[i].name) != n ||
			            strncmp(base, s->stages[i].name, n))))
				continue;
			taken[j] = 1;
			buf_reset(&why);
			buf_reset(&stage);
			buf_add(&stage, base, n);
			if (rejgroups_read(
			        rg, g.gl_pathv[j], stage.data, &why) < 0)
				diag(g.gl_pathv[j], 0, "%s", why.data);
		}
	}
	free(taken);
	if (g.gl_pathc)
		globfree(&g);
	buf_release(&pat);
	buf_release(&why);
	buf_release(&stage);
	rejgroups_finish(rg);
}

/* The export, absolute, when it is a file still there; else NULL. */
static char *
export_path(const struct opts *o, const struct runsum *s)
{
	const char *f = o->export_file ? o->export_file : s ? s->file : NULL;
	struct stat sb;

	if (f == NULL || stat(f, &sb) < 0 || !S_ISREG(sb.st_mode))
		return NULL;
	return realpath(f, NULL);
}

/* The data folder of a run folder: DATA/runs/NAME/STAMP. */
static char *
data_of(const char *run)
{
	char *d = realpath(run, NULL), *p;
	int i;

	for (i = 0; d && i < 3; i++)
		if ((p = strrchr(d, '/')) != NULL && p != d)
			*p = '\0';
	return d;
}

static int
write_report(const struct opts *o, const char *self)
{
	struct runsum s;
	struct rejgroups rg;
	struct buf page = BUF_INIT_MAX(MAX_PAGE), path = BUF_INIT;
	struct buf rows = BUF_INIT, resend = BUF_INIT, whole = BUF_INIT,
	           failed = BUF_INIT, rowsf = BUF_INIT;
	struct runreport r = {0};
	char *exp, *data = data_of(o->run);
	struct stat sb;
	int have, is_import, rc;

	buf_printf(&path, "%s/summary.txt", o->run);
	runsum_init(&s);
	have = runsum_load(&s, path.data) == 0;
	rejgroups_init(&rg);
	read_rejects(o->run, have ? &s : NULL, &rg);
	exp = export_path(o, have ? &s : NULL);
	/* The rows as written are an export's (a CSV) and only an import's
	 * command reads them; a run of another pipeline gets its own. */
	is_import = !have || s.kind == NULL || !strcmp(s.kind, "import");
	if (o->command) {
		buf_adds(&resend, o->command);
	} else {
		buf_adds(&resend, "SLUICE_DATA=");
		quote(&resend, data ? data : ".");
		buf_printf(&resend, " pipelines/import.sh %s",
		    have && s.vendor ? s.vendor : "NAME");
	}
	if (exp && is_import) {
		quote(&rows, self);
		buf_adds(&rows, " --rows --export ");
		quote(&rows, exp);
		buf_addc(&rows, ' ');
		quote(&rows, o->run);
		buf_printf(&path, "%s", "");
		buf_reset(&path);
		buf_printf(&path, "%s/rejected-rows.csv", o->run);
		quote(&rowsf, path.data);
		r.rows_cmd = rows.data;
		r.rows_file = rowsf.data;
	}
	if (exp) {
		quote(&whole, exp);
		r.export_file = whole.data;
	}
	buf_reset(&path);
	buf_printf(&path, "%s/failed.csv", o->run);
	if (stat(path.data, &sb) == 0 && sb.st_size > 0) {
		quote(&failed, path.data);
		r.failed_csv = failed.data;
	}
	r.sum = have ? &s : NULL;
	r.rej = &rg;
	r.run = o->run;
	r.index = o->index || data ? "../../../index.html" : NULL;
	r.resend = resend.data;
	if (runreport_write(&r, &page) < 0) {
		diag(o->run, 0, "the report would be larger than %zu MiB",
		    MAX_PAGE >> 20);
		rc = EXIT_DATAERR;
	} else {
		buf_reset(&path);
		buf_printf(&path, "%s/report.html", o->run);
		rc = save(o->output ? o->output : path.data, &page);
	}
	free(exp);
	free(data);
	runsum_release(&s);
	rejgroups_release(&rg);
	buf_release(&page);
	buf_release(&path);
	buf_release(&rows);
	buf_release(&resend);
	buf_release(&whole);
	buf_release(&failed);
	buf_release(&rowsf);
	return rc;
}

static int
write_index(const struct opts *o)
{
	struct runindex ix;
	struct buf page = BUF_INIT_MAX(MAX_PAGE), path = BUF_INIT;
	struct buf why = BUF_INIT;
	int rc;

	if (runindex_scan(&ix, o->index, (size_t)o->limit, &why) < 0) {
		diag(NULL, 0, "%s", why.data);
		buf_release(&why);
		return EXIT_IOERR;
	}
	if (runindex_write(&ix, o->index, &page) < 0) {
		diag(o->index, 0, "the index would be too large");
		rc = EXIT_DATAERR;
	} else {
		buf_printf(&path, "%s/index.html", o->index);
		rc = save(path.data, &page);
	}
	runindex_release(&ix);
	buf_release(&page);
	buf_release(&path);
	buf_release(&why);
	return rc;
}

/* --rows: the export's header and rejected rows, to stdout. */
static int
write_rows(const struct opts *o)
{
	struct runsum s;
	struct rejgroups rg;
	struct buf path = BUF_INIT, why = BUF_INIT;
	unsigned long long copied = 0;
	char *exp;
	int rc = EXIT_OK;

	buf_printf(&path, "%s/summary.txt", o->run);
	runsum_init(&s);
	(void)runsum_load(&s, path.data);
	rejgroups_init(&rg);
	read_rejects(o->run, s.vendor ? &s : NULL, &rg);
	if ((exp = export_path(o, &s)) == NULL) {
		diag(o->export_file ? o->export_file : s.file, 0,
		    "no such export file (give it with --export FILE)");
		rc = EXIT_NOINPUT;
	} else if (csvrows_copy(
	               exp, rg.lines, rg.nlines, stdout, &copied, &why) < 0) {
		diag(exp, 0, "%s", why.data);
		rc = EXIT_IOERR;
	} else if ((rc = out_finish()) == EXIT_OK) {
		diag(NULL, 0, "%llu rejected rows of %s, and its header",
		    copied, exp);
	}
	free(exp);
	runsum_release(&s);
	rejgroups_release(&rg);
	buf_release(&path);
	buf_release(&why);
	return rc;
}

static void
usage(void)
{
	printf("usage: " SYNOPSIS "\n"
	       "Write an import run's report.html (from its summary.txt and "
	       "rejects files),\nand the data folder's index.html.\n\n"
	       "  -i, --index DATA   also (without RUN: only) write "
	       "DATA/index.html, the recent\n"
	       "                     imports, newest first\n"
	       "  -n, --limit N      the imports the index lists (100)\n"
	       "  -c, --command CMD  the import's command, less its FILE, "
	       "for the commands that\n"
	       "                     send the rejects again (import.sh "
	       "gives its own)\n"
	       "  -o, --output FILE  the report to FILE (- for stdout), not "
	       "RUN/report.html\n"
	       "  -r, --rows         write the export's header and rejected "
	       "rows, as written,\n"
	       "                     to stdout (CSV), instead of the "
	       "report\n"
	       "  -e, --export FILE  the export (default: the summary's "
	       "FILE)\n"
	       "  -h, --help         show this help\n"
	       "      --version      show the version\n\n"
	       "Exit status: 0 written; 64 usage; 65 a page too large; 66 "
	       "no RUN folder, or no\nexport (--rows); 74 I/O error.\n\n"
	       "Example:\n"
	       "  report --index demo-data demo-data/runs/turbovote/"
	       "20261202T022904Z\n"
	       "  report --rows demo-data/runs/turbovote/20261202T022904Z "
	       "> fix.csv\n");
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"index", required_argument, NULL, 'i'},
	    {"limit", required_argument, NULL, 'n'},
	    {"command", required_argument, NULL, 'c'},
	    {"output", required_argument, NULL, 'o'},
	    {"rows", no_argument, NULL, 'r'},
	    {"export", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	o->limit = 100;
	while ((ch = getopt_long(
	            argc, argv, ":i:n:c:o:re:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			o->index = optarg;
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'r':
			o->rows = 1;
			break;
		case 'e':
			o->export_file = optarg;
			break;
		case 'n':
			if (cli_uint(optarg, 100000, &o->limit) < 0 ||
			    o->limit == 0)
				return cli_usage_error(SYNOPSIS,
				    "--limit takes a number from 1 to 100000");
			break;
		case 'h':
			usage();
			return -1;
		case 'V':
			cli_version();
			return -1;
		case ':':
			return cli_usage_error(SYNOPSIS,
			    "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(
			    SYNOPSIS, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->run = argv[optind++];
	if (optind < argc)
		return cli_usage_error(SYNOPSIS, "one RUN folder at most");
	if (o->run == NULL && (o->index == NULL || o->rows))
		return cli_usage_error(SYNOPSIS, "which RUN folder?");
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct stat sb;
	char *self;
	int rc;

	diag_init("report");
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.run && (stat(o.run, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		diag(o.run, 0, "no such run folder");
		return EXIT_NOINPUT;
	}
	if (o.rows)
		return write_rows(&o);
	self = strchr(argv[0], '/') ? realpath(argv[0], NULL) : NULL;
	rc = o.run ? write_report(&o, self ? self : "report") : EXIT_OK;
	free(self);
	if (o.index && rc != EXIT_IOERR)
		rc = exit_worst(rc, write_index(&o));
	return rc;
}
