/*
 * dedupe: one record per key.
 *
 * The key is one or more fields named by dotted paths (--key
 * northstar_id,action_id,type); its bytes are the compact JSON of each
 * value joined by 0x1f (reckey.h), so the string "1" and the number 1 are
 * different keys. A record whose key field is absent or null is rejected.
 *
 * --keep first (the default) streams: the first record of each key goes
 * out at once and later ones are dropped by the rule "duplicate". Only a
 * 128-bit hash of each key is remembered, 16 bytes a slot in segmented
 * open-addressing tables (keyset.h), 20 to 30 bytes a key at peak, so ten
 * million keys fit in about 220 MiB; two keys sharing a hash (odds around
 * 2^-128 a pair) would be taken for one.
 *
 * --keep best --rank FIELD --vendor NAME keeps, per key, the record whose
 * FIELD ranks highest in the vendor file's hierarchy (an unlisted value ranks
 * lowest; on a tie the record seen first stays) and writes the winners at
 * the end of the input, in the order their keys were first seen. A record
 * that loses, or is replaced, is dropped as a "duplicate" at that moment.
 * The current best of each key is held as its JSON text, not as a jansson
 * tree, which is several times smaller.
 *
 * --seen LEDGER first drops, by the rule "already-delivered", records
 * whose key the delivery ledger (ledger.h) holds at an equal or higher
 * rank (with --rank), or at all (without it); a missing ledger
 * file is an empty one. Those records take no part in the deduplication
 * (it is as if they had been filtered out before it), so an upgrade that
 * follows a record already delivered still goes through, and a key's
 * place in the --keep best output is that of its first record not dropped
 * so.
 *
 * The vendor file's "delivery" gives --key, --keep and --rank when the
 * command line does not (vendor.h).
 *
 * Most lines take the fast path (stage.h): a canonical line's key bytes
 * are the text of its key values as written, read from the line's index
 * with no jansson tree.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "keyset.h"
#include "ledger.h"
#include "ndjson.h"
#include "reckey.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS                                                               \
	"dedupe --key FIELD[,FIELD...] | --vendor NAME [OPTIONS] [FILE...]"

static const char dup_rule[] = "duplicate";
static const char seen_rule[] = "already-delivered";

struct opts {
	const char *key, *rank, *vendor, *seen;
	int keep_given;
	int best; /* --keep best */
};

/* --keep best: the best record so far of one key. */
struct best {
	char *json; /* compact JSON and its \n, owned */
	size_t len;
	int rank;
	const char *file; /* where it was read: argv or "<stdin>" */
	unsigned long long line;
};

struct run {
	const struct opts *o;
	struct reckey key;
	struct vendor vendor; /* loaded when o->vendor is set */
	struct ledger ledger;
	struct keyset keys;  /* --keep first: the keys seen */
	struct keymap index; /* --keep best: key -> index into bests */
	struct best *bests;
	size_t nbests, capbests;
	struct buf kb, text, scratch;
};

/* Rejects a record whose key is incomplete, naming the field. */
static void
reject_key(struct stage *st, const json_t *rec, const char *path)
{
	if (jpath_get(rec, path) == NULL)
		stage_reject(st, rec, "missing key field '%s'", path);
	else
		stage_reject(st, rec, "key field '%s' is null", path);
}

/* Whether the ledger already holds the key at this rank or higher. */
static int
delivered(struct run *r, int rank)
{
	const char *status;

	if (r->o->seen == NULL)
		return 0;
	status =
	    ledger_lookup(&r->ledger, r->key.fields, r->kb.data, r->kb.len);
	if (status == NULL)
		return 0;
	return r->o->rank == NULL || map_rank(&r->vendor.map, status) >= rank;
}

/* Stores the record being handled, as read, as the best of its key, in b. */
static void
best_set(struct best *b, struct stage *st, int rank)
{
	free(b->json);
	b->json = xmalloc(st->rawlen + 1);
	memcpy(b->json, st->raw, st->rawlen);
	b->json[st->rawlen] = '\n';
	b->len = st->rawlen + 1;
	b->rank = rank;
	b->file = st->file;
	b->line = st->line;
}

/*
 * Drops the stored best b: it was replaced by a record that ranks higher.
 * The text is the record's line as read, which parsed once already (NUL
 * bytes in strings included); should it not, the dropped file gets the text
 * as a string.
 */
static void
best_drop(struct stage *st, const struct best *b)
{
	json_t *old = json_loadb(b->json, b->len - 1, JSON_ALLOW_NUL, NULL);

	if (old == NULL)
		old = json_stringn(b->json, b->len - 1);
	stage_drop_at(st, dup_rule, b->file, b->line, old);
	json_decref(old);
}

/* --keep best: keeps the record when it is the first or a better one. */
static void
keep_best(struct run *r, struct stage *st, int rank)
{
	struct best *b;
	uint32_t *at;
	int added;

	if (r->nbests == UINT32_MAX) {
		stage_reject(
		    st, stage_record(st), "too many distinct keys to keep");
		return;
	}
	at = keymap_ref(
	    &r->index, reckey_hash(&r->kb), (uint32_t)r->nbests, &added);
	if (added) {
		if (r->nbests == r->capbests) {
			r->capbests = r->capbests ? 2 * r->capbests : 1024;
			r->bests =
			    xrealloc(r->bests, r->capbests * sizeof(*r->bests));
		}
		b = &r->bests[r->nbests++];
		b->json = NULL;
		best_set(b, st, rank);
		return;
	}
	b = &r->bests[*at];
	if (rank > b->rank) {
		best_drop(st, b);
		best_set(b, st, rank);
	} else {
		stage_drop_read(st, dup_rule);
	}
}

/*
 * Writes, keeps or drops the record being handled, whose key bytes are in
 * r->kb and whose status ranks rank.
 */
static void
decide(struct run *r, struct stage *st, int rank)
{
	if (delivered(r, rank))
		stage_drop_read(st, seen_rule);
	else if (r->o->best)
		keep_best(r, st, rank);
	else if (keyset_add(&r->keys, reckey_hash(&r->kb)))
		stage_emit_unchanged(st);
	else
		stage_drop_read(st, dup_rule);
}

/* The key bytes of a canonical line are its key values as written. */
static int
fast(struct stage *st, struct jdoc *d, void *ctx)
{
	struct run *r = ctx;
	const struct jdoc_node *n;
	int rank = 0;
	size_t i;

	buf_reset(&r->kb);
	for (i = 0; i < r->key.n; i++) {
		n = jdoc_path(d, r->key.paths[i]);
		if (n == NULL || n->type == JDOC_NULL)
			return STAGE_SLOW; /* rejected there, with the reason */
		if ((i && buf_addc(&r->kb, 0x1f) < 0) ||
		    buf_add(&r->kb, d->text + n->off, n->len) < 0)
			return STAGE_SLOW;
	}
	if (r->o->rank)
		rank = map_rank(&r->vendor.map,
		    jdoc_cstr(d, jdoc_path(d, r->o->rank), &r->scratch));
	decide(r, st, rank);
	return 0;
}

/* Whether every path the stage reads suits the fast path. */
static int
fast_paths(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->key.n; i++) {
		if (!jdoc_plain_path(r->key.paths[i]))
			return 0;
	}
	return r->o->rank == NULL || jdoc_plain_path(r->o->rank);
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;
	const char *missing = NULL;
	int rank = 0, rc;

	rc = reckey_build(&r->key, rec, &r->kb, &missing);
	if (rc == -1) {
		reject_key(st, rec, missing);
		return 0;
	}
	if (rc < 0) {
		stage_reject(st, rec, "key too large");
		return 0;
	}
	if (r->o->rank)
		rank = map_rank(&r->vendor.map, jpath_string(rec, r->o->rank));
	decide(r, st, rank);
	return 0;
}

/* --keep best: writes the winners in first-seen order. */
static void
flush_bests(struct run *r, struct stage *st)
{
	size_t i;

	for (i = 0; i < r->nbests; i++) {
		buf_reset(&r->text);
		buf_add(&r->text, r->bests[i].json, r->bests[i].len);
		stage_emit_line(st, &r->text);
	}
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Keep one record per key: the first, or the best ranked, and "
	    "drop the others.\n\n"
	    "  -k, --key F[,F...]        the key: fields by dotted path "
	    "(required, unless\n"
	    "                            the vendor file's delivery.key gives "
	    "it)\n"
	    "  -K, --keep first|best     keep the first record of a key "
	    "(default, streaming)\n"
	    "                            or the best ranked, written at "
	    "the end\n"
	    "  -R, --rank FIELD          rank records by FIELD in the "
	    "vendor file's \"rank\"\n" STAGE_VENDOR_HELP
	    "                            (its \"delivery\" gives --key, "
	    "--keep, --rank)\n"
	    "  -s, --seen LEDGER         drop keys the delivery ledger "
	    "holds (at an equal\n"
	    "                            or higher rank with --rank)\n" STAGE_OPTIONS_HELP
	    "\n"
	    "Records without a key field (absent or null) are rejected. "
	    "FILE may be\ngzipped; - or none reads stdin.\n" STAGE_EXIT_HELP
	    "\n"
	    "Example:\n"
	    "  dedupe --key northstar_id,action_id,type --keep best "
	    "--rank status \\\n"
	    "      --vendor turbovote --seen state/turbovote.ledger\n"
	    "  dedupe --vendor turbovote --seen state/turbovote.ledger   "
	    "(the same)\n");
}

/* Checks that the options make sense together. 0, or EXIT_USAGE. */
static int
check_opts(const struct opts *o, struct reckey *key)
{
	if (o->key == NULL)
		return cli_usage_error(SYNOPSIS, "--key is required");
	if (reckey_parse(key, o->key) < 0)
		return cli_usage_error(SYNOPSIS,
		    "bad key '%s': fields are "
		    "dotted paths separated by commas",
		    o->key);
	if (o->rank && o->vendor == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--rank FIELD needs --vendor (its hierarchy)");
	if (o->best && o->rank == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--keep best needs --rank FIELD and --vendor");
	if (o->rank && !o->best && o->seen == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--rank is used only with --keep best or --seen");
	if (o->rank && o->rank[0] == '\0')
		return cli_usage_error(SYNOPSIS, "--rank needs a field");
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"keep", required_argument, NULL, 'K'},
	    {"rank", required_argument, NULL, 'R'},
	    STAGE_VENDOR_LONGOPTS,
	    {"seen", required_argument, NULL, 's'},
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":k:K:R:s:" STAGE_VENDOR_SHORTOPTS STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			o->key = optarg;
			break;
		case 'K':
			if (strcmp(optarg, "first") != 0 &&
			    strcmp(optarg, "best") != 0)
				return cli_usage_error(
				    SYNOPSIS, "--keep takes 'first' or 'best'");
			o->best = strcmp(optarg, "best") == 0;
			o->keep_given = 1;
			break;
		case 'R':
			o->rank = optarg;
			break;
		case 'v':
		case 'm':
			o->vendor = optarg;
			break;
		case 's':
			o->seen = optarg;
			break;
		case 'h':
			usage();
			return -1;
		default:
			if ((rc = stage_option(st, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Loads the vendor file, and takes from its "delivery" the options the
 * command line did not give. Returns 0, or an exit status.
 */
static int
load_vendor(struct opts *o, struct run *r)
{
	const struct vendor *v = &r->vendor;
	int rc;

	if (o->vendor == NULL)
		return 0;
	if ((rc = stage_load_vendor(&r->vendor, o->vendor)) != 0)
		return rc;
	if (o->key == NULL)
		o->key = v->key;
	if (!o->keep_given && v->keep) {
		if (strcmp(v->keep, "first") != 0 &&
		    strcmp(v->keep, "best") != 0) {
			diag(v->path, 0,
			    "delivery.keep: must be \"first\" or "
			    "\"best\"");
			return EXIT_DATAERR;
		}
		o->best = strcmp(v->keep, "best") == 0;
	}
	if (o->rank == NULL && (o->best || o->seen))
		o->rank = v->rank;
	return 0;
}

/* Loads the ledger. Returns 0, or an exit status. */
static int
load(struct run *r)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	if (r->o->seen &&
	    (rc = ledger_open(&r->ledger, r->o->seen, 0, &err)) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = ledger_exitcode(rc);
		goto out;
	}
	if (r->ledger.torn)
		diag(r->o->seen, 0, "ignored a torn last line");
out:
	buf_release(&err);
	return rc;
}

static void
run_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->nbests; i++)
		free(r->bests[i].json);
	free(r->bests);
	reckey_release(&r->key);
	vendor_release(&r->vendor);
	ledger_close(&r->ledger);
	keyset_release(&r->keys);
	keymap_release(&r->index);
	buf_release(&r->kb);
	buf_release(&r->text);
	buf_release(&r->scratch);
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct run r;
	struct stage st;
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.ledger.fd = -1;
	stage_init(&st, "dedupe", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = load_vendor(&o, &r)) != 0 ||
	    (rc = check_opts(&o, &r.key)) != 0 || (rc = load(&r)) != 0 ||
	    (rc = stage_start(&st)) != 0) {
		run_release(&r);
		return rc;
	}
	buf_init(&r.kb, BUF_UNLIMITED);
	buf_init(&r.text, BUF_UNLIMITED);
	buf_init(&r.scratch, BUF_UNLIMITED);
	keyset_init(&r.keys);
	if (fast_paths(&r))
		stage_fast(&st, fast);
	keymap_init(&r.index);
	rc = stage_run(&st, argc - optind, argv + optind, each, &r);
	/* Records held back are accounted for even after an input error. */
	flush_bests(&r, &st);
	rc = stage_finish(&st, rc);
	run_release(&r);
	return rc;
}
