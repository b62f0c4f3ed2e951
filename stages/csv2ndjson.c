/*
 * csv2ndjson: CSV in, one JSON object per record out.
 *
 * Keys come from the header row (or --columns), every value is a string,
 * and keys keep the column order. Each record carries its provenance in
 * _meta: the source name, the file and the physical line the record starts
 * on, so any later stage can point back at the vendor's file. A record that
 * cannot be converted faithfully (wrong number of fields, invalid UTF-8, a
 * NUL byte, a huge field, malformed quoting) is rejected with its line,
 * never guessed at.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "csvhead.h"
#include "csvin.h"
#include "diag.h"
#include "exitcode.h"
#include "input.h"
#include "jsonw.h"
#include "ndjson.h"
#include "stage.h"
#include "utf8.h"
#include "vendor.h"

#define SYNOPSIS "csv2ndjson [OPTIONS] [FILE...]"

struct opts {
	const char *source;
	unsigned char delim;
	const char *columns;
	int meta;
	enum encoding enc;
	int pad;
	size_t max_field;
	const char *vendor;         /* --vendor: its export's options */
	int delim_given, enc_given; /* the command line's win */
	int slow; /* SLUICE_FASTPATH=0: libcsv and a field at a time */
	struct vendor v;
};

struct run {
	const struct opts *o;
	struct stage st;
	struct buf field; /* a field converted from --encoding */
	struct buf meta;  /* the file's _meta, up to its line (meta_prefix) */
};

/*
 * Says which names of the header were taken twice, and what the repeats
 * became (at file:line, the header row's place; NULL and 0 for --columns).
 */
static void
tell_renamed(const struct csvhead *h, const char *file, unsigned long long line)
{
	size_t i;

	for (i = 0; i < h->ncols; i++) {
		if (h->renamed[i])
			diag(file, line,
			    "duplicate column name '%s' renamed to '%s'",
			    h->renamed[i], h->names[i]);
	}
}

/* Takes the header row of a file. Returns 0, or an exit status. */
static int
header_read(struct run *r, struct csvin *c, struct csvhead *h)
{
	struct buf why = BUF_INIT;
	int rc = 0;

	switch (csvhead_read(h, c, r->o->enc, r->o->meta, &why)) {
	case CSVIN_ERROR:
		rc = -1;
		break;
	case CSVIN_EOF:
		diag(c->in->name, 0,
		    "no header row (empty file?); use "
		    "--columns for a file without one");
		rc = EXIT_DATAERR;
		break;
	case CSVIN_BAD:
		diag(c->in->name, c->line, "unusable header row: %s", why.data);
		rc = EXIT_DATAERR;
		break;
	case CSVIN_RECORD:
		tell_renamed(h, c->in->name, c->line);
		break;
	}
	buf_release(&why);
	return rc;
}

/*
 * The values of the record a row becomes, as the NDJSON stages count them:
 * the object, a value per column, and _meta with its file, line and
 * source.
 */
static size_t
record_values(const struct run *r, const struct csvhead *h)
{
	if (!r->o->meta)
		return 1 + h->ncols;
	return 1 + h->ncols + 3 + (r->o->source != NULL);
}

/* Writes one record as JSON, or rejects it. */
static void
record(struct run *r, struct csvin *c, const struct csvhead *h)
{
	struct buf why = BUF_INIT_MAX(1024);
	const char *s;
	size_t i, len;
	int clean;

	r->st.tally.in++;
	if (c->nfields > h->ncols || (c->nfields < h->ncols && !r->o->pad)) {
		buf_printf(&why, "record has %zu fields, the header has %zu",
		    c->nfields, h->ncols);
		goto bad;
	}
	/* Every stage after this one would reject it: say so at its line. */
	if (record_values(r, h) > NDJSON_MAX_VALUES) {
		ndjson_too_complex(&why);
		goto bad;
	}
	clean = r->o->enc == ENC_UTF8 && csvin_record_clean(c);
	if (clean && c->nfields == h->ncols && !r->o->slow &&
	    csvhead_write(h, c, &r->st.out, r->meta.len + 32) == 0) {
		r->st.nfast += c->fast;
		goto meta;
	}
	buf_reset(&r->st.out);
	for (i = 0; i < h->ncols; i++) {
		s = csvhead_key(h, i, &len);
		buf_add(&r->st.out, s, len);
		if (i >= c->nfields) {
			buf_add(&r->st.out, "\"\"", 2);
			continue;
		}
		if (clean)
			s = csvin_field(c, i, &len);
		else if ((s = csvin_field_text(c, i, r->o->enc, &r->field,
		              h->fnames[i], &len, &why)) == NULL)
			goto bad;
		jsonw_string(&r->st.out, s, len);
	}
meta:
	if (r->o->meta) {
		buf_add(&r->st.out, r->meta.data, r->meta.len);
		jsonw_uint(&r->st.out, c->line);
		buf_adds(&r->st.out, "}}\n");
	} else {
		buf_adds(&r->st.out, "}\n");
	}
	stage_emit_line(&r->st, &r->st.out);
	buf_release(&why);
	return;
bad:
	s = csvin_raw(c, &len);
	stage_reject_raw(&r->st, s, len, why.data);
	buf_release(&why);
}

/* The constant part of _meta for a file: ,"_meta":{...,"line": */
static void
meta_prefix(struct run *r, const char *file)
{
	buf_reset(&r->meta);
	buf_adds(&r->meta, ",\"_meta\":{");
	if (r->o->source) {
		buf_adds(&r->meta, "\"source\":");
		jsonw_cstring(&r->meta, r->o->source);
		buf_addc(&r->meta, ',');
	}
	buf_adds(&r->meta, "\"file\":");
	jsonw_cstring(&r->meta, file);
	buf_adds(&r->meta, ",\"line\":");
}

/* A delimiter as --delimiter takes it, for messages: in two bytes of buf. */
static const char *
delim_name(unsigned char c, char *buf)
{
	if (c == '\t')
		return "\\t";
	buf[0] = (char)c;
	buf[1] = '\0';
	return buf;
}

/* Converts one file. Returns its exit status. */
static int
convert(struct run *r, const char *path)
{
	struct input in;
	struct csvin c;
	struct csvhead h = {0};
	enum csvin_status st;
	const char *raw;
	size_t rawn;
	char sep[2], delim[2];
	int rc = EXIT_OK;

	if (input_open(&in, path) != INPUT_OK) {
		diag(in.name, 0, "%s", in.errmsg);
		return input_exitcode(in.status);
	}
	if (csvin_init(&c, &in, r->o->delim, r->o->max_field) < 0) {
		diag(in.name, 0, "cannot set up the CSV parser");
		input_close(&in);
		return EXIT_IOERR;
	}
	c.slow = r->o->slow;
	if (csvin_start(&c) < 0) {
		rc = -1;
		goto out;
	}
	/* The line is never data; the delimiter it names yields to one the
	 * user chose, which is said when they differ. */
	if (c.sep && c.sep != c.delim)
		diag(in.name, 1,
		    "skipped Excel's line 'sep=%s': --delimiter '%s' wins",
		    delim_name(c.sep, sep), delim_name(c.delim, delim));
	if (r->o->columns) {
		csvhead_columns(&h, r->o->columns, r->o->meta);
		tell_renamed(&h, NULL, 0);
	} else if ((rc = header_read(r, &c, &h)) != 0) {
		goto out;
	}
	meta_prefix(r, in.name);
	r->st.file = in.name;
	while ((st = csvin_next(&c)) == CSVIN_RECORD || st == CSVIN_BAD) {
		r->st.line = c.line;
		if (st == CSVIN_BAD) {
			r->st.tally.in++;
			raw = csvin_raw(&c, &rawn);
			stage_reject_raw(&r->st, raw, rawn, c.why);
		} else {
			record(r, &c, &h);
		}
		progress_tick(&r->st.prog);
		if ((r->st.prog.done & 1023) == 0)
			r->st.prog.fraction = input_fraction(&in);
	}
	if (st == CSVIN_ERROR)
		rc = -1;
out:
	if (rc < 0) {
		diag(in.name, c.cur, "%s", in.errmsg);
		rc = input_exitcode(in.status);
	}
	csvhead_release(&h);
	csvin_release(&c);
	input_close(&in);
	return rc;
}

static int
parse_delim(const char *s, unsigned char *out)
{
	if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) {
		*out = '\t';
		return 0;
	}
	if (strlen(s) != 1 || strchr("\"\r\n", s[0]))
		return -1;
	*out = (unsigned char)s[0];
	return 0;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Convert CSV to NDJSON: one JSON object per record, keys from "
	    "the header row.\n\n"
	    "  -v, --vendor NAME|FILE    the vendor file's export gives "
	    "--source,\n"
	    "                            --delimiter and --encoding "
	    "(vendors/NAME/vendor.json)\n"
	    "  -s, --source NAME         record NAME as _meta.source\n"
	    "  -d, --delimiter C         field delimiter: , (default), "
	    "'\\t' or tab, ;, |\n"
	    "                            (over Excel's first line sep=C, "
	    "which is skipped)\n"
	    "  -c, --columns A,B,...     column names; the input has no "
	    "header row\n"
	    "  -M, --no-meta             leave _meta (source, file, line) "
	    "out\n"
	    "  -e, --encoding ENC        utf-8 (default), latin1, cp1252: "
	    "output is UTF-8\n"
	    "  -p, --ragged MODE         error (default): reject records "
	    "of the wrong width;\n"
	    "                            pad: pad short records with \"\"\n"
	    "  -F, --max-field-size N    reject records with a longer "
	    "field (default 1MiB);\n"
	    "                            a record over 64MiB in all is "
	    "rejected whatever N\n"
	    "  -r, --rejects FILE        write rejected records to FILE\n"
	    "  -u, --line-buffered       flush after every record\n"
	    "  -h, --help                show this help\n"
	    "      --version             show the version\n\n"
	    "FILE may be gzipped; - or none reads stdin.\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  csv2ndjson --source turbovote --rejects rejects.ndjson "
	    "export.csv.gz > rows.ndjson\n"
	    "  csv2ndjson --vendor rock-the-vote report.csv > rows.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    {"vendor", required_argument, NULL, 'v'},
	    {"source", required_argument, NULL, 's'},
	    {"delimiter", required_argument, NULL, 'd'},
	    {"columns", required_argument, NULL, 'c'},
	    {"no-meta", no_argument, NULL, 'M'},
	    {"encoding", required_argument, NULL, 'e'},
	    {"ragged", required_argument, NULL, 'p'},
	    {"max-field-size", required_argument, NULL, 'F'},
	    {"rejects", required_argument, NULL, 'r'},
	    {"line-buffered", no_argument, NULL, 'u'},
	    {"unbuffered", no_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":v:s:d:c:Me:p:F:r:uh", longopts,
	            NULL)) != -1) {
		switch (ch) {
		case 'v':
			o->vendor = optarg;
			break;
		case 's':
			o->source = optarg;
			break;
		case 'd':
			if (parse_delim(optarg, &o->delim) < 0)
				return cli_usage_error(
				    SYNOPSIS, "bad delimiter '%s'", optarg);
			o->delim_given = 1;
			break;
		case 'c':
			if ((rc = csvhead_columns_check(optarg)) != 0)
				return cli_usage_error(SYNOPSIS,
				    "--columns: column %d has no name", rc);
			o->columns = optarg;
			break;
		case 'M':
			o->meta = 0;
			break;
		case 'e':
			if (encoding_parse(optarg, &o->enc) < 0)
				return cli_usage_error(
				    SYNOPSIS, "unknown encoding '%s'", optarg);
			o->enc_given = 1;
			break;
		case 'p':
			if (strcmp(optarg, "pad") != 0 &&
			    strcmp(optarg, "error") != 0)
				return cli_usage_error(SYNOPSIS,
				    "--ragged takes 'error' or 'pad'");
			o->pad = strcmp(optarg, "pad") == 0;
			break;
		case 'F':
			if (cli_size(optarg, &o->max_field) < 0 ||
			    o->max_field == 0)
				return cli_usage_error(
				    SYNOPSIS, "bad size '%s'", optarg);
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
 * The options of the vendor file's export that the command line did not
 * give. Returns 0, or an exit status after saying what is wrong.
 */
static int
apply_vendor(struct opts *o)
{
	const struct vendor *v = &o->v;
	int rc;

	if (o->vendor == NULL)
		return 0;
	if ((rc = stage_load_vendor(&o->v, o->vendor)) != 0)
		return rc;
	if (o->source == NULL)
		o->source = v->source;
	if (!o->delim_given && v->delimiter &&
	    parse_delim(v->delimiter, &o->delim) < 0) {
		diag(v->path, 0, "export.delimiter: bad delimiter '%s'",
		    v->delimiter);
		return EXIT_DATAERR;
	}
	if (!o->enc_given && v->encoding &&
	    encoding_parse(v->encoding, &o->enc) < 0) {
		diag(v->path, 0, "export.encoding: unknown encoding '%s'",
		    v->encoding);
		return EXIT_DATAERR;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = {
	    .delim = CSVIN_DELIM_AUTO, .meta = 1, .max_field = 1 << 20};
	struct run r = {.o = &o};
	const char *env = getenv("SLUICE_FASTPATH");
	int i, rc;

	o.slow = env && strcmp(env, "0") == 0;
	stage_init(&r.st, "csv2ndjson", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &r.st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = apply_vendor(&o)) != 0 || (rc = stage_start(&r.st)) != 0) {
		vendor_release(&o.v);
		return rc;
	}
	buf_init(&r.field, BUF_UNLIMITED);
	buf_init(&r.meta, BUF_UNLIMITED);
	if (optind == argc)
		rc = convert(&r, "-");
	for (i = optind; i < argc; i++)
		rc = exit_worst(rc, convert(&r, argv[i]));
	buf_release(&r.field);
	buf_release(&r.meta);
	rc = stage_finish(&r.st, rc);
	vendor_release(&o.v);
	return rc;
}
