/*
 * sample: a quota sample of members (docs/stages.md, "sample"). Per cell
 * of the quotas file (quotas.h), the members whose keyed hash of (id,
 * seed) is smallest (sipkey.h), as many as the cell's quota, kept in a
 * bounded heap a cell (bottomk.h) while the input is read once. Without
 * --state it writes the sample at the end; with it, the sample kept in the
 * state file (samplestate.h) is changed minimally and each join and leave
 * is written.
 *
 * Every record is written (sampled, or joining), dropped (duplicate,
 * no-quota, not-sampled) or rejected (no id, no cell field, a value its
 * bands do not take); leaves are records made (tally.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "qsample.h"
#include "quotas.h"
#include "samplestate.h"
#include "stage.h"

#define SYNOPSIS                                                               \
	"sample --quotas FILE [--seed S] [--id PATH] [--state FILE "           \
	"[--sticky]]\n"                                                        \
	"              [OPTIONS] [FILE...]"

struct run {
	const char *quotas, *seed, *id, *state;
	int sticky;
	struct quotas q;
	struct sipkey k;
	struct qsample s;
	struct samplestate_out so; /* the next state, opened before reading */
	int so_open;
	struct stage *st;
	struct buf why;
	unsigned long long joins, leaves;
};

/* An input member pushed out of the sample: dropped. */
static void
pushed(struct qsample_member *m, void *ctx)
{
	struct run *r = ctx;
	json_t *rec = json_loadb(m->text, m->textlen, JSON_ALLOW_NUL, NULL);

	stage_drop_at(r->st, "not-sampled", m->file, m->line, rec);
	json_decref(rec);
}

static const char *const rules[] = {
    [QSAMPLE_NO_QUOTA] = "no-quota",
    [QSAMPLE_DUPLICATE] = "duplicate",
    [QSAMPLE_NOT_SAMPLED] = "not-sampled",
};

static void
offer(struct stage *st, struct run *r, const char *text, size_t len)
{
	enum qsample_verdict v =
	    qsample_offer(&r->s, text, len, st->file, st->line);

	if (v != QSAMPLE_KEPT)
		stage_drop_read(st, rules[v]);
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;

	if (qsample_tree_key(&r->s, rec, r->id, &r->why) < 0)
		stage_reject(st, rec, "%s", r->why.data);
	else
		offer(st, r, r->s.text.data, r->s.text.len);
	return 0;
}

/* The fast path: what is unusual (a reject to write) goes to each(). */
static int
fast(struct stage *st, struct jdoc *d, void *ctx)
{
	struct run *r = ctx;

	if (qsample_doc_key(&r->s, d, r->id) < 0)
		return STAGE_SLOW;
	offer(st, r, d->text, d->len);
	return 0;
}

static int
state_member(const struct samplestate_member *sm, void *ctx)
{
	qsample_add_old(&((struct run *)ctx)->s, sm);
	return 0;
}

/* Writes m's record with _meta.sample (and, for a change, "change"
 * first); a leave is a record made. */
static void
write_member(struct stage *st, struct run *r, struct qsample_member *m,
    const char *change)
{
	json_t *rec = json_loadb(m->text, m->textlen, JSON_ALLOW_NUL, NULL);
	json_t *meta = json_object_get(rec, "_meta"), *out = rec, *v;
	char hex[SIPKEY_HEX];
	const char *k;

	sipkey_hex(m->key, hex);
	if (!meta)
		json_object_set_new(rec, "_meta", meta = json_object());
	json_object_set_new(meta, "sample",
	    json_pack(
	        "{s:O,s:s}", "cell", qsample_cell_of(&r->s, m), "key", hex));
	if (change) {
		out = json_pack("{s:s}", "change", change);
		json_object_foreach(rec, k, v)
		{
			if (strcmp(k, "change") != 0)
				json_object_set(out, k, v);
		}
		json_decref(rec);
	}
	if (change && strcmp(change, "leave") == 0)
		st->tally.made++;
	stage_emit(st, out);
	json_decref(out);
}

/* Appends m to the state being written; a write that failed is
 * remembered in *failed, so that a state missing lines is never renamed
 * into place. */
static void
add_state(struct samplestate_out *so, struct run *r,
    const struct qsample_member *m, int *failed)
{
	struct samplestate_member sm = {m->id, m->idlen, m->key,
	    qsample_cell_of(&r->s, m), m->text, m->textlen};

	if (!*failed && samplestate_add(so, &sm) < 0)
		*failed = 1;
}

/* A run with a state that failed: the newcomers it holds are dropped
 * (unsaved), the state left as it was. */
static void
unsaved(struct stage *st, struct run *r)
{
	size_t c, i, n;

	for (c = 0; c < r->q.ncells; c++) {
		struct qsample_member **v = qsample_cell(&r->s, c, &n);

		for (i = 0; i < n; i++)
			if (!v[i]->old) {
				json_t *rec = json_loadb(v[i]->text,
				    v[i]->textlen, JSON_ALLOW_NUL, NULL);

				stage_drop_at(
				    st, "unsaved", v[i]->file, v[i]->line, rec);
				json_decref(rec);
			}
		free(v);
	}
}

/* The sample, or its changes and the new state, and the summary's
 * counts. Returns 0 or an exit status. */
static int
finish(struct stage *st, struct run *r)
{
	struct samplestate_out *so = &r->so;
	unsigned long long sampled = 0, nshort = 0;
	size_t c, i, j, n;
	int rc = 0, failed = 0;

	qsample_sort_old(&r->s);
	for (c = 0; c < r->q.ncells; c++) {
		struct qsample_member **v = qsample_cell(&r->s, c, &n);

		for (i = 0; r->state && i < r->s.old.n; i++)
			if (r->s.old.v[i]->cell == (long)c &&
			    r->s.old.v[i]->dead)
				write_member(st, r, r->s.old.v[i], "leave"),
				    r->leaves++;
		for (i = 0; i < n; i++) {
			if (!r->state)
				write_member(st, r, v[i], NULL);
			else if (!v[i]->old)
				write_member(st, r, v[i], "join"), r->joins++;
			if (r->state)
				add_state(so, r, v[i], &failed);
		}
		sampled += n;
		if (n < r->q.cells[c].count && nshort++ < 100) {
			char *cell =
			    json_dumps(r->q.cells[c].cell, JSON_COMPACT);

			diag(NULL, 0,
			    "short: %s has %zu of %llu (short by %llu)", cell,
			    n, r->q.cells[c].count, r->q.cells[c].count - n);
			free(cell);
		}
		free(v);
	}
	if (nshort > 100)
		diag(NULL, 0, "short: %llu more cells", nshort - 100);
	/* The state's members whose cell has no quota now. */
	for (j = 0; r->state && j < r->s.old.n; j++) {
		struct qsample_member *m = r->s.old.v[j];

		if (m->cell >= 0)
			continue;
		if (r->sticky)
			add_state(so, r, m, &failed), sampled++;
		else
			write_member(st, r, m, "leave"), r->leaves++;
	}
	diag(NULL, 0, "cells=%zu full=%llu short=%llu quota=%llu sampled=%llu",
	    r->q.ncells, (unsigned long long)r->q.ncells - nshort, nshort,
	    r->q.total, sampled);
	if (r->state)
		diag(NULL, 0, "joins=%llu leaves=%llu", r->joins, r->leaves);
	/* The changes reach stdout before the state moves on: a run whose
	 * output was lost is a run that did not happen. */
	if (r->state && (out_sync() < 0 || st->out_failed))
		return EXIT_IOERR;
	if (r->state && (failed || samplestate_commit(so) < 0)) {
		diag(so->w.where, 0, "cannot write the state: %s",
		    strerror(so->w.err));
		return EXIT_IOERR;
	}
	return rc;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "A quota sample: per cell of the quotas file, the members of "
	    "smallest keyed\nhash of (id, seed), the same whatever the "
	    "input's order.\n\n"
	    "  -q, --quotas FILE         the cells, their fields and "
	    "quotas (JSON)\n"
	    "  -s, --seed S              the study's seed (default: the "
	    "quotas file's)\n"
	    "  -i, --id PATH             the member id's dotted path "
	    "(default: the\n"
	    "                            quotas file's, else id)\n"
	    "  -t, --state FILE          keep the sample in FILE; write "
	    "its joins and\n"
	    "                            leaves, {\"change\": \"join\" "
	    "or \"leave\", ...}\n"
	    "  -k, --sticky              with --state: never drop a "
	    "member of the sample;\n"
	    "                            fill only vacancies\n" STAGE_OPTIONS_HELP
	    "\n"
	    "Without --state the sample is written at the end, cell by "
	    "cell, smallest key\nfirst, each record with _meta.sample "
	    "{\"cell\": {...}, \"key\": HEX}. Records\nnot sampled are "
	    "dropped (not-sampled, duplicate, no-quota). Sampling the\n"
	    "shards' samples together gives the sample of the whole. A "
	    "cell short of its\nquota is named in the summary.\n" STAGE_EXIT_HELP
	    "\n"
	    "Example:\n"
	    "  sample --quotas panel.json members.ndjson > panel.ndjson\n"
	    "  sample --quotas panel.json --state panel.state --sticky "
	    "new.ndjson \\\n"
	    "      > changes.ndjson\n");
}

static int
parse_args(struct stage *st, struct run *r, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quotas", required_argument, NULL, 'q'},
	    {"seed", required_argument, NULL, 's'},
	    {"id", required_argument, NULL, 'i'},
	    {"state", required_argument, NULL, 't'},
	    {"sticky", no_argument, NULL, 'k'}, STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0}};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, STAGE_SHORTOPTS "q:s:i:t:k",
	            longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if ((rc = stage_option(st, ch, optarg, argv)) != 1) {
			if (rc != 0)
				return rc;
			continue;
		}
		if (ch == 'q')
			r->quotas = optarg;
		else if (ch == 's')
			r->seed = optarg;
		else if (ch == 'i')
			r->id = optarg;
		else if (ch == 't')
			r->state = optarg;
		else if (ch == 'k')
			r->sticky = 1;
	}
	if (!r->quotas)
		return cli_usage_error(SYNOPSIS, "--quotas FILE is required");
	if (r->sticky && !r->state)
		return cli_usage_error(SYNOPSIS, "--sticky goes with --state");
	if (r->seed && !*r->seed)
		return cli_usage_error(SYNOPSIS, "--seed: an empty seed");
	if (r->id && !*r->id)
		return cli_usage_error(SYNOPSIS, "--id: an empty path");
	return 0;
}

/* The quotas file, the key and the state: 0 or an exit status. */
static int
load(struct run *r)
{
	struct buf why = BUF_INIT;
	unsigned long line, col;
	unsigned long long sline;
	int rc;

	if ((rc = quotas_load(&r->q, r->quotas, &why, &line, &col)) < 0) {
		if (rc == -1)
			diag(r->quotas, 0, "%s", why.data);
		else
			diag(NULL, 0, "%s:%lu:%lu: %s", r->quotas, line, col,
			    why.data);
		rc = rc == -1 ? EXIT_NOINPUT : EXIT_DATAERR;
		goto out;
	}
	r->seed = r->seed ? r->seed : r->q.seed;
	r->id = r->id ? r->id : r->q.id ? r->q.id : "id";
	if (!r->seed) {
		rc = cli_usage_error(SYNOPSIS, "no seed: --seed S, or \"seed\" "
		                               "in the quotas file");
		goto out;
	}
	if (sipkey_init(&r->k, r->seed, strlen(r->seed)) < 0) {
		diag(NULL, 0, "OpenSSL has no SipHash");
		rc = EXIT_DATAERR;
		goto out;
	}
	qsample_init(&r->s, &r->q, &r->k, r->sticky, pushed, r);
	rc = r->state ? samplestate_read(r->state,
	                    sipkey_hash(&r->k, SAMPLESTATE_CHECK,
	                        strlen(SAMPLESTATE_CHECK)),
	                    state_member, r, &why, &sline)
	              : 0;
	if (rc < 0) {
		diag(r->state, rc == -2 ? sline : 0, "%s", why.data);
		rc = rc == -1 ? EXIT_NOINPUT : EXIT_DATAERR;
		goto out;
	}
	rc = 0;
	qsample_start(&r->s);
	/* The next state's temporary file now: a state that cannot be
	 * written stops the run before it reads anything. */
	if (r->state && samplestate_open(&r->so, r->state,
	                    sipkey_hash(&r->k, SAMPLESTATE_CHECK,
	                        strlen(SAMPLESTATE_CHECK))) < 0) {
		diag(r->so.w.where, 0, "cannot write the state: %s",
		    strerror(r->so.w.err));
		rc = EXIT_IOERR;
	}
	r->so_open = r->state != NULL;
out:
	buf_release(&why);
	return rc;
}

static void
release(struct run *r)
{
	if (r->so_open)
		samplestate_release(&r->so);
	qsample_release(&r->s);
	if (r->k.ctx)
		sipkey_release(&r->k);
	quotas_release(&r->q);
	buf_release(&r->why);
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r;
	int rc, ran = 0;

	memset(&r, 0, sizeof(r));
	buf_init(&r.why, BUF_UNLIMITED);
	stage_init(&st, "sample", SYNOPSIS);
	r.st = &st;
	if ((rc = parse_args(&st, &r, argc, argv)) != 0) {
		stage_release(&st);
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	if ((rc = load(&r)) != 0) {
		stage_release(&st);
		goto out;
	}
	if (jdoc_plain_path(r.id))
		stage_fast(&st, fast);
	for (size_t i = 0; i < r.q.nfields; i++)
		if (!jdoc_plain_path(r.q.fields[i].path))
			stage_fast(&st, NULL);
	if ((rc = stage_start(&st)) == 0) {
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
		ran = 1;
	}
	/* After an input error the sample of what was read is written, as
	 * dedupe writes what it holds; a state is not moved on by a run
	 * that did not read its input whole. */
	if (ran && (rc == 0 || !r.state)) {
		int f = finish(&st, &r);

		rc = rc ? rc : f;
	} else if (ran) {
		unsaved(&st, &r);
	}
	rc = stage_finish(&st, rc);
out:
	release(&r);
	return rc;
}
