/*
 * gzchunks: gzip a stream in whole chunks with libdeflate, for the raw
 * copies pipelines/import.sh keeps under raw/. It reads FILE (or stdin)
 * CHUNK bytes at a time and writes each chunk as one gzip member
 * (common/gzbuf); members one after another are one gzip file to gzip -d,
 * zcat, zlib's gzread, Python's gzip and every stage's input. Memory is
 * two chunks and the compressor, whatever the length of the stream.
 *
 * Why not gzip(1): it deflates as bytes come, with zlib's code, and
 * libdeflate, given a buffer whole, is two to three times faster at the
 * same size (bench/gzip.sh): the raw copy of an import took more CPU than
 * csv2ndjson did.
 *
 * Bytes, not records: no summary line, nothing on stderr but errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "gzbuf.h"

#define SYNOPSIS "gzchunks [-l LEVEL] [-c SIZE] [FILE]"

struct opts {
	int level;    /* libdeflate's 1 to 12 */
	size_t chunk; /* bytes a member holds at most */
	const char *path;
};

/* Fills p with up to n bytes from fd, stopping only at the end. The count,
 * or -1 (errno set). */
static ssize_t
fill(int fd, char *p, size_t n)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = read(fd, p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Writes the n bytes at p to stdout whole. 0, or -1 (errno set). */
static int
put(const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(STDOUT_FILENO, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The stream from fd, chunk by chunk, gzipped to stdout. An exit status. */
static int
run(const struct opts *o, int fd, const char *name)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct gzbuf g;
	ssize_t n;
	int first = 1, rc = EXIT_OK;

	gzbuf_init(&g, o->level);
	if (buf_reserve(&in, o->chunk) < 0)
		goto nomem;
	for (;;) {
		if ((n = fill(fd, in.data, o->chunk)) < 0) {
			diag(name, 0, "cannot read: %s", strerror(errno));
			rc = EXIT_IOERR;
			break;
		}
		/* An empty stream is still one (empty) gzip member. */
		if (n == 0 && !first)
			break;
		first = 0;
		buf_reset(&out);
		if (gzbuf_compress(&g, in.data, (size_t)n, &out) < 0)
			goto nomem;
		if (put(out.data, out.len) < 0) {
			diag(NULL, 0, "cannot write: %s", strerror(errno));
			rc = EXIT_IOERR;
			break;
		}
		if ((size_t)n < o->chunk)
			break;
	}
	goto out;
nomem:
	diag(name, 0, "out of memory");
	rc = EXIT_IOERR;
out:
	gzbuf_release(&g);
	buf_release(&in);
	buf_release(&out);
	return rc;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Gzip FILE (or stdin) to stdout in whole chunks with libdeflate: "
	    "each chunk\none gzip member, which gzip -d reads as one file.\n\n"
	    "  -l, --level N             libdeflate's level, 1 (fastest) to "
	    "12 (default 6:\n"
	    "                            about gzip -6's size, under half its "
	    "CPU)\n"
	    "  -c, --chunk-size SIZE     bytes a member holds (64KiB to 1GiB, "
	    "default 4MiB)\n"
	    "  -h, --help                show this help\n"
	    "      --version             show the version\n\n"
	    "Exit status: 0 ok, 64 usage, 66 file missing, 74 I/O error.\n\n"
	    "Example:\n"
	    "  csv2ndjson export.csv | tee rows.ndjson | gzchunks > "
	    "raw.ndjson.gz\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"level", required_argument, NULL, 'l'},
	    {"chunk-size", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct opts o = {6, 4u << 20, NULL};
	unsigned long long v;
	int ch, fd = STDIN_FILENO, rc;
	struct stat sb;

	diag_init("gzchunks");
	while ((ch = getopt_long(argc, argv, "l:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (cli_uint(optarg, 12, &v) < 0 || v < 1)
				return cli_usage_error(
				    SYNOPSIS, "--level takes 1 to 12");
			o.level = (int)v;
			break;
		case 'c':
			if (cli_size(optarg, &o.chunk) < 0 ||
			    o.chunk < 64 * 1024 || o.chunk > (1u << 30))
				return cli_usage_error(SYNOPSIS,
				    "--chunk-size takes 64KiB to 1GiB");
			break;
		case 'h':
			usage();
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			/* getopt_long said what was wrong already. */
			fprintf(stderr, "usage: %s\ntry 'gzchunks --help'\n",
			    SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return cli_usage_error(SYNOPSIS, "one FILE at most");
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		o.path = argv[optind];
		if ((fd = open(o.path, O_RDONLY)) < 0) {
			diag(o.path, 0, "cannot open: %s", strerror(errno));
			return errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
		}
		if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			diag(o.path, 0, "is a directory");
			close(fd);
			return EXIT_NOINPUT;
		}
	}
	rc = run(&o, fd, o.path ? o.path : "<stdin>");
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
