/*
 * shard: the records of one shard of N, split by member, so that N
 * workers can share an import and every record of one member goes to the
 * same worker (README, "When one machine is not enough").
 *
 * A record's member keys are the canonical record's northstar_id,
 * user.email and user.mobile (a mobile only when post-northstar would look
 * a member up by it), normalised as the member service compares them.
 * Records that share any key, directly or through other records, are one
 * group, and a group's shard is fixed by its smallest key hash (shard.h
 * has the arithmetic). Since that needs every key of the input first, the
 * stage reads its whole input before it writes a record: the lines wait in
 * an unlinked file under $TMPDIR, and come out in their input order.
 * Records of the other shards are dropped by the rule "other-shard" (the
 * worker that owns them delivers them); a record with no key at all goes
 * to shard 1.
 *
 * Every worker of one split must read the same input: the groups are the
 * input's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "memberkey.h"
#include "ndjson.h"
#include "shard.h"
#include "stage.h"
#include "values.h"

#define SYNOPSIS "shard --shard K/N [OPTIONS] [FILE...]"
#define RULE "other-shard"

struct run {
	unsigned k, n;
	struct shardmap map;
	FILE *held;   /* "FILE LINE TEXT" a record, until every key is known */
	int failed;   /* a write to held failed (told once) */
	char **files; /* the input files' names, owned */
	size_t nfiles;
};

/* Opens an unlinked file under $TMPDIR for the lines. NULL on failure. */
static FILE *
held_file(void)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = BUF_INIT;
	FILE *fp = NULL;
	int fd;

	buf_printf(&path, "%s/sluice-shard.XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path.data)) >= 0) {
		unlink(path.data);
		if ((fp = fdopen(fd, "w+")) == NULL)
			close(fd);
	}
	if (fp == NULL)
		diag(NULL, 0, "cannot make a file in '%s': %s",
		    dir && *dir ? dir : "/tmp", strerror(errno));
	buf_release(&path);
	return fp;
}

/* Pass one: the record's keys into the map, its line into the file. */
static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;
	struct hash128 keys[3];
	const char *v;
	size_t n = 0;

	if ((v = jpath_string(rec, "northstar_id")) && *v)
		keys[n++] = memberkey("id:", v);
	if ((v = jpath_string(rec, "user.email")) && *v)
		keys[n++] = memberkey("email:", v);
	if ((v = jpath_string(rec, "user.mobile")) && mobile_valid(v))
		keys[n++] = memberkey("mobile:", v);
	if (shardmap_add(&r->map, keys, n) < 0) {
		stage_reject(st, rec, "more records than a shard map holds");
		return 0;
	}
	if (r->nfiles == 0 || strcmp(r->files[r->nfiles - 1], st->file) != 0) {
		r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof(char *));
		r->files[r->nfiles++] = xstrdup(st->file);
	}
	if ((fprintf(r->held, "%zu %llu ", r->nfiles - 1, st->line) < 0 ||
	        fwrite(st->raw, 1, st->rawlen, r->held) != st->rawlen ||
	        putc('\n', r->held) == EOF) &&
	    !r->failed++)
		diag(NULL, 0, "cannot hold the input in $TMPDIR: %s",
		    strerror(errno));
	return 0;
}

/*
 * Pass two: each held line to stdout or dropped, by its record's shard.
 * Returns 0, or EXIT_IOERR when the held lines cannot be read back (the
 * records not read back are rejected, each with the reason).
 */
static int
emit(struct stage *st, struct run *r)
{
	struct buf line = BUF_INIT;
	char *text = NULL, *p, *end;
	size_t cap = 0, i, f;
	ssize_t got = 0;
	json_t *rec;
	unsigned long long at;

	if (fflush(r->held) == EOF || fseek(r->held, 0, SEEK_SET) < 0)
		r->failed++;
	for (i = 0; i < r->map.nrecs; i++) {
		if (r->failed || (got = getline(&text, &cap, r->held)) <= 0 ||
		    (f = strtoul(text, &p, 10)) >= r->nfiles || *p++ != ' ' ||
		    (at = strtoull(p, &end, 10), *end++ != ' ')) {
			if (!r->failed++)
				diag(NULL, 0,
				    "cannot read back the held "
				    "input: %s",
				    got < 0 ? strerror(errno) : "cut short");
			stage_reject_raw(
			    st, "", 0, "the held input could not be read back");
			continue;
		}
		if (shardmap_shard(&r->map, i, r->n) == r->k) {
			buf_reset(&line);
			buf_add(&line, end, (size_t)(text + got - end));
			stage_emit_line(st, &line);
			continue;
		}
		/* Dropped: the dropped file, when there is one, has it. */
		rec = st->dropped_path
		          ? json_loadb(end, (size_t)(text + got - end), 0, NULL)
		          : NULL;
		stage_drop_at(st, RULE, r->files[f], at, rec);
		json_decref(rec);
	}
	free(text);
	buf_release(&line);
	return r->failed ? EXIT_IOERR : 0;
}

static void
usage(void)
{
	printf("usage: " SYNOPSIS "\n"
	       "Write the records of shard K of N, split by member: every "
	       "record of one\nmember (its northstar_id, e-mail or mobile, "
	       "also through other records)\nlands in one shard.\n\n"
	       "  -k, --shard K/N           the shard to write (1 <= K <= N "
	       "<= 1024)\n" STAGE_OPTIONS_HELP "\n"
	       "The whole input is read before the first record is written "
	       "(held in a file\nunder $TMPDIR); records of other shards are "
	       "dropped as \"" RULE "\", a record\nwith no key goes to shard "
	       "1. Every worker of a split must read the same\ninput. FILE may "
	       "be gzipped; - or none reads stdin.\n" STAGE_EXIT_HELP "\n"
	       "Example:\n"
	       "  shape --vendor turbovote rows.ndjson | shard --shard 2/4 | "
	       "status-map \\\n"
	       "      --vendor turbovote > shard-2.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct run *r, struct stage *st)
{
	static const struct option longopts[] = {
	    {"shard", required_argument, NULL, 'k'},
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(
	            argc, argv, ":k:" STAGE_SHORTOPTS, longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (shard_parse(optarg, &r->k, &r->n) < 0)
				return cli_usage_error(SYNOPSIS,
				    "--shard '%s': give K/N, 1 <= K <= N <= %d",
				    optarg, SHARD_MAX);
			break;
		case 'h':
			usage();
			return -1;
		default:
			if ((rc = stage_option(st, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	if (r->n == 0)
		return cli_usage_error(SYNOPSIS, "--shard K/N is required");
	return 0;
}

int
main(int argc, char **argv)
{
	struct run r = {0};
	struct stage st;
	int rc;

	stage_init(&st, "shard", SYNOPSIS);
	shardmap_init(&r.map);
	if ((rc = parse_args(argc, argv, &r, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((r.held = held_file()) == NULL)
		return EXIT_IOERR;
	if ((rc = stage_start(&st)) == 0) {
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
		/* What was read is accounted for, also after an error. */
		rc = exit_worst(rc, emit(&st, &r));
	}
	rc = stage_finish(&st, rc);
	fclose(r.held);
	shardmap_release(&r.map);
	while (r.nfiles)
		free(r.files[--r.nfiles]);
	free(r.files);
	return rc;
}
