/*
 * A tiny unit-test harness. A test file defines TEST(name) functions and a
 * main() that calls RUN(name) for each and returns harness_done(). Each
 * RUN prints "ok - name" or "not ok - name" (TAP-like); tests/run.sh counts
 * those lines, and a binary that crashes counts as a failure.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int harness_failed_checks; /* in the test running now */
static int harness_failed_tests;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			harness_failed_checks++;                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
		}                                                              \
	} while (0)

/* Compares a NUL-terminated string with the expected one. */
#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (g_ == NULL || strcmp(g_, w_) != 0) {                       \
			harness_failed_checks++;                               \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",    \
			    __FILE__, __LINE__, g_ ? g_ : "(null)", w_);       \
		}                                                              \
	} while (0)

/* Compares n bytes at got with the NUL-terminated want (same length). */
#define CHECK_MEM(got, n, want)                                                \
	do {                                                                   \
		const char *w_ = (want);                                       \
		size_t n_ = (n);                                               \
		if (n_ != strlen(w_) || memcmp((got), w_, n_) != 0) {          \
			harness_failed_checks++;                               \
			fprintf(stderr, "%s:%d: got \"%.*s\", want \"%s\"\n",  \
			    __FILE__, __LINE__, (int)n_, (const char *)(got),  \
			    w_);                                               \
		}                                                              \
	} while (0)

#define RUN(name)                                                              \
	do {                                                                   \
		harness_failed_checks = 0;                                     \
		name();                                                        \
		printf("%s - %s\n", harness_failed_checks ? "not ok" : "ok",   \
		    #name);                                                    \
		fflush(stdout);                                                \
		if (harness_failed_checks)                                     \
			harness_failed_tests++;                                \
	} while (0)

/* The name pattern of temporary files; size a path buffer with it. */
#define HARNESS_TMP "/tmp/sluice-unit.XXXXXX"

/*
 * Creates a temporary file holding n bytes of data and puts its name in
 * path (room for sizeof(HARNESS_TMP)). Returns 0 or -1. The test removes it.
 */
static inline int
harness_tmpfile(char *path, const void *data, size_t n)
{
	FILE *fp;
	int fd, rc = 0;

	memcpy(path, HARNESS_TMP, sizeof(HARNESS_TMP));
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if ((fp = fdopen(fd, "wb")) == NULL) {
		close(fd);
		return -1;
	}
	if (n && fwrite(data, 1, n, fp) != n)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static inline int
harness_done(void)
{
	return harness_failed_tests ? 1 : 0;
}

#endif
