/*
 * The scripted HTTP server (tests/servers/scripted.py) for the unit tests
 * of the HTTP client and what runs on it: started with a script (JSON text,
 * see scripted.py) on a free loopback port, stopped by the test (and by
 * scripted_stop() on every path, so a failed check never leaves it
 * running), its request log read back as jansson objects.
 *
 * The server is found at $ROOT/tests/servers/scripted.py (tests/run.sh
 * sets ROOT), else at tests/servers/scripted.py from the current
 * directory (the repository's root, as make runs the tests).
 */
#ifndef SCRIPTED_H
#define SCRIPTED_H

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

struct scripted {
	pid_t pid;
	char script[sizeof(HARNESS_TMP)];
	char log[sizeof(HARNESS_TMP)];
	char url[64]; /* "http://127.0.0.1:PORT" */
};

/* Starts the server with the script. 0, or -1 (nothing left running). */
static inline int
scripted_start(struct scripted *s, const char *script)
{
	const char *root = getenv("ROOT");
	char path[4096], line[32];
	int fds[2];
	ssize_t n;
	size_t got = 0;
	long port;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/tests/servers/scripted.py",
	    root && *root ? root : ".");
	if (harness_tmpfile(s->script, script, strlen(script)) < 0)
		return -1;
	if (harness_tmpfile(s->log, "", 0) < 0 || pipe(fds) < 0) {
		remove(s->script);
		return -1;
	}
	fflush(NULL);
	if ((s->pid = fork()) == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", path, "--script", s->script,
		    "--log", s->log, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (s->pid > 0 && got < sizeof(line) - 1 &&
	       (n = read(fds[0], line + got, sizeof(line) - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(line, '\n', got))
			break;
	}
	close(fds[0]);
	line[got] = '\0';
	port = strtol(line, NULL, 10);
	if (s->pid <= 0 || port <= 0) {
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
		}
		remove(s->script);
		remove(s->log);
		s->pid = 0;
		return -1;
	}
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%ld", port);
	return 0;
}

/* Stops the server (if running) and removes its files. */
static inline void
scripted_stop(struct scripted *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
		remove(s->script);
		remove(s->log);
	}
}

/*
 * The requests logged so far, as a new JSON array of objects (in arrival
 * order); never NULL.
 */
static inline json_t *
scripted_log(const struct scripted *s)
{
	json_t *all = json_array(), *rec;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp = fopen(s->log, "r");

	while (fp && getline(&line, &cap, fp) > 0)
		if ((rec = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(all, rec);
	free(line);
	if (fp)
		fclose(fp);
	return all;
}

/* The log's entry i's member name: an integer, a string (or NULL). */
static inline long long
scripted_int(json_t *log, size_t i, const char *name)
{
	return json_integer_value(
	    json_object_get(json_array_get(log, i), name));
}

static inline const char *
scripted_str(json_t *log, size_t i, const char *name)
{
	return json_string_value(json_object_get(json_array_get(log, i), name));
}

static inline double
scripted_real(json_t *log, size_t i, const char *name)
{
	return json_number_value(json_object_get(json_array_get(log, i), name));
}

#endif
