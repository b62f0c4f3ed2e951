/*
 * Unit tests for common/stopsig.c: a SIGTERM or SIGINT is caught into the
 * flag instead of ending the process, SIGPIPE ignored when asked, and a
 * read cut into by the signal taken up again with STOPSIG_RESTART.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "stopsig.h"

TEST(caught_into_the_flag)
{
	stopsig = 0;
	stopsig_catch(0);
	CHECK(raise(SIGTERM) == 0);
	CHECK(stopsig == SIGTERM);
	CHECK(raise(SIGINT) == 0);
	CHECK(stopsig == SIGINT);
	stopsig = 0;
}

TEST(pipe_ignored_when_asked)
{
	struct sigaction sa;
	int fd[2];

	stopsig_catch(STOPSIG_NO_PIPE);
	CHECK(sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN);
	CHECK(pipe(fd) == 0);
	close(fd[0]);
	errno = 0;
	CHECK(write(fd[1], "x", 1) == -1 && errno == EPIPE);
	close(fd[1]);
	signal(SIGPIPE, SIG_DFL);
}

TEST(restart_takes_the_read_up_again)
{
	struct timespec tenth = {0, 100000000};
	char c = 0;
	int fd[2];
	pid_t pid;

	CHECK(pipe(fd) == 0);
	stopsig = 0;
	stopsig_catch(STOPSIG_RESTART);
	/* The child cuts into the parent's read with a SIGTERM, then
	 * writes what the read, taken up again, gets. */
	pid = fork();
	if (pid == 0) {
		nanosleep(&tenth, NULL);
		kill(getppid(), SIGTERM);
		nanosleep(&tenth, NULL);
		(void)write(fd[1], "y", 1);
		_exit(0);
	}
	CHECK(read(fd[0], &c, 1) == 1 && c == 'y');
	CHECK(stopsig == SIGTERM);
	close(fd[0]);
	close(fd[1]);
	waitpid(pid, NULL, 0);
	stopsig = 0;
}

int
main(void)
{
	RUN(caught_into_the_flag);
	RUN(pipe_ignored_when_asked);
	RUN(restart_takes_the_read_up_again);
	return harness_done();
}
