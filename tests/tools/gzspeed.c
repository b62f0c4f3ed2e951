/*
 * gzspeed: a measuring tool for bench/gzip.sh, zlib against libdeflate on
 * the same bytes, in CPU time (the process's, so that a busy machine
 * counts less). Each measure runs RUNS times (-n, 5) and the fastest run
 * is printed, one line a measure:
 *
 *	NAME SECONDS MB/S OUT_BYTES
 *
 * MB/s is of the uncompressed bytes; OUT_BYTES what the measure wrote
 * (compressed, or inflated).
 *
 * gzspeed [-n RUNS] read FILE.gz
 *	zlib: FILE.gz read through common/input, as every stage reads a
 *	gzipped input (zlib's inflate as data comes, 1 MiB a read, as
 *	csv2ndjson asks); libdeflate: the file read whole, then inflated
 *	whole (libdeflate_gzip_decompress_ex, member after member) into a
 *	buffer its trailers size. The second needs the whole file and the
 *	whole output in memory at once; the line says what that was.
 *
 * gzspeed [-n RUNS] [-b BYTES] write FILE
 *	FILE cut into batches of BYTES (8 MiB, post-quasar's default), each
 *	gzipped: zlib level 1 streaming in 128 KiB pieces (how post-quasar
 *	gzipped before gzbuf), then gzbuf (libdeflate) at levels 1 to 6,
 *	then ClickHouse's LZ4 blocks (chblock.h: post-quasar --compress lz4,
 *	the checksums included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libdeflate.h>
#include <zlib.h>

#include "buf.h"
#include "chblock.h"
#include "gzbuf.h"
#include "input.h"

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
report(const char *name, double best, size_t plain, size_t out)
{
	printf("%s %.4f %.1f %zu\n", name, best,
	    best > 0 ? (double)plain / best / 1e6 : 0.0, out);
}

/* The whole file into b. 0, or -1. */
static int
slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char tmp[1 << 16];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(b, tmp, n);
	n = ferror(f);
	fclose(f);
	return n ? -1 : 0;
}

/* The bytes common/input gives for path (read 1 MiB at a time), or -1. */
static long long
read_zlib(const char *path, char *chunk)
{
	struct input in;
	long long total = 0;
	ssize_t got;

	if (input_open(&in, path) != INPUT_OK)
		return -1;
	while ((got = input_read(&in, chunk, 1 << 20)) > 0)
		total += got;
	input_close(&in);
	return got < 0 ? -1 : total;
}

/*
 * The gzip bytes in gz inflated whole into out (replaced), member after
 * member; the room is first what the file's last trailer says (the size
 * of a single member, mod 4 GiB), doubled while it is not enough. Returns
 * the bytes inflated, or -1 when gz is not gzip.
 */
static long long
read_libdeflate(
    struct libdeflate_decompressor *d, const struct buf *gz, struct buf *out)
{
	size_t at = 0, in_used, out_got;

	buf_reset(out);
	while (at < gz->len) {
		const unsigned char *t;
		size_t isize;

		/* A member's size is in the file's last 4 bytes only when it
		 * is the last member: try that, then grow. */
		t = (const unsigned char *)gz->data + gz->len - 4;
		isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 |
		        (size_t)t[3] << 24;
		if (buf_reserve(out, isize + 1) < 0)
			return -1;
		for (;;) {
			enum libdeflate_result r =
			    libdeflate_gzip_decompress_ex(d, gz->data + at,
			        gz->len - at, out->data + out->len,
			        out->cap - out->len - 1, &in_used, &out_got);

			if (r == LIBDEFLATE_SUCCESS)
				break;
			if (r != LIBDEFLATE_INSUFFICIENT_SPACE)
				return -1;
			if (buf_grow(out, 2 * (out->cap - out->len)) < 0)
				return -1;
		}
		at += in_used;
		out->len += out_got;
	}
	return (long long)out->len;
}

static int
cmd_read(const char *path, int runs)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	struct buf gz = BUF_INIT, out = BUF_INIT;
	char *chunk = malloc(1 << 20);
	double best = 1e9, t;
	long long n = 0, m = 0;
	int i, rc = 1;

	if (d == NULL || chunk == NULL)
		goto out;
	for (i = 0; i < runs; i++) {
		t = cpu_now();
		if ((n = read_zlib(path, chunk)) < 0)
			goto out;
		t = cpu_now() - t;
		best = t < best ? t : best;
	}
	report("zlib-stream", best, (size_t)n, (size_t)n);
	best = 1e9;
	for (i = 0; i < runs; i++) {
		t = cpu_now();
		buf_reset(&gz);
		if (slurp(path, &gz) < 0 ||
		    (m = read_libdeflate(d, &gz, &out)) < 0)
			goto out;
		t = cpu_now() - t;
		best = t < best ? t : best;
	}
	report("libdeflate-whole", best, (size_t)m, (size_t)m);
	printf("# libdeflate-whole held %zu bytes of gzip and %zu inflated\n",
	    gz.len, out.len);
	rc = m == n ? 0 : 1;
out:
	if (rc)
		fprintf(stderr,
		    "gzspeed: cannot read '%s' the same way twice\n", path);
	libdeflate_free_decompressor(d);
	buf_release(&gz);
	buf_release(&out);
	free(chunk);
	return rc;
}

/* zlib level 1 over one batch, in 128 KiB pieces, into out (replaced). */
static int
zlib_batch(z_stream *z, const char *p, size_t n, struct buf *out)
{
	size_t k;
	int rc;

	buf_reset(out);
	if (deflateReset(z) != Z_OK ||
	    buf_reserve(out, deflateBound(z, (uLong)n) + 64) < 0)
		return -1;
	z->next_out = (Bytef *)out->data;
	z->avail_out = (uInt)(out->cap - 1);
	do {
		k = n < 128 * 1024 ? n : 128 * 1024;
		z->next_in = (Bytef *)(size_t)p;
		z->avail_in = (uInt)k;
		rc = deflate(z, k == n ? Z_FINISH : Z_NO_FLUSH);
		p += k;
		n -= k;
	} while (n > 0);
	out->len = z->total_out;
	return rc == Z_STREAM_END ? 0 : -1;
}

/* A batch compressed into out (replaced), by one of the measured ways. */
typedef int (*packer)(void *ctx, const char *p, size_t n, struct buf *out);

static int
pack_zlib(void *ctx, const char *p, size_t n, struct buf *out)
{
	return zlib_batch(ctx, p, n, out);
}

static int
pack_gzbuf(void *ctx, const char *p, size_t n, struct buf *out)
{
	buf_reset(out);
	return gzbuf_compress(ctx, p, n, out);
}

static int
pack_lz4(void *ctx, const char *p, size_t n, struct buf *out)
{
	(void)ctx;
	buf_reset(out);
	return chblock_compress(p, n, out);
}

/*
 * The CPU time of the fastest of runs passes of pack over in, cut into
 * batches of batch bytes; *total gets the bytes a pass wrote. -1 when a
 * batch could not be compressed.
 */
static double
best_write(packer pack, void *ctx, const struct buf *in, size_t batch, int runs,
    struct buf *out, size_t *total)
{
	double best = 1e9, t;
	size_t at, k;
	int i;

	for (i = 0; i < runs; i++) {
		t = cpu_now();
		for (at = *total = 0; at < in->len; at += k) {
			k = in->len - at < batch ? in->len - at : batch;
			if (pack(ctx, in->data + at, k, out) < 0)
				return -1;
			*total += out->len;
		}
		t = cpu_now() - t;
		best = t < best ? t : best;
	}
	return best;
}

static int
cmd_write(const char *path, int runs, size_t batch)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	double best;
	size_t total = 0;
	z_stream z;
	struct gzbuf g;
	int level;
	char name[32];

	memset(&z, 0, sizeof(z));
	if (slurp(path, &in) < 0 || deflateInit2(&z, 1, Z_DEFLATED, 31, 8,
	                                Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "gzspeed: cannot read '%s'\n", path);
		return 1;
	}
	if ((best = best_write(pack_zlib, &z, &in, batch, runs, &out, &total)) <
	    0)
		return 1;
	report("zlib-1-stream", best, in.len, total);
	for (level = 1; level <= 6; level++) {
		gzbuf_init(&g, level);
		best =
		    best_write(pack_gzbuf, &g, &in, batch, runs, &out, &total);
		gzbuf_release(&g);
		if (best < 0)
			return 1;
		snprintf(name, sizeof(name), "libdeflate-%d", level);
		report(name, best, in.len, total);
	}
	if ((best = best_write(
	         pack_lz4, NULL, &in, batch, runs, &out, &total)) < 0)
		return 1;
	report("clickhouse-lz4", best, in.len, total);
	deflateEnd(&z);
	buf_release(&in);
	buf_release(&out);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: gzspeed [-n RUNS] read FILE.gz\n"
	                "       gzspeed [-n RUNS] [-b BYTES] write FILE\n");
	return 64;
}

int
main(int argc, char **argv)
{
	int runs = 5, i = 1;
	size_t batch = 8u << 20;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-n") == 0)
			runs = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "-b") == 0)
			batch = (size_t)strtoull(argv[i + 1], NULL, 10);
		else
			return usage();
		i += 2;
	}
	if (argc - i != 2 || runs < 1 || batch < 1)
		return usage();
	if (strcmp(argv[i], "read") == 0)
		return cmd_read(argv[i + 1], runs);
	if (strcmp(argv[i], "write") == 0)
		return cmd_write(argv[i + 1], runs, batch);
	return usage();
}
