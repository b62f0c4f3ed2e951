/* The signals that ask a stage to stop (stopsig.h). */
#include <string.h>

#include "stopsig.h"

volatile sig_atomic_t stopsig;

static void
on_signal(int sig)
{
	stopsig = sig;
}

void
stopsig_catch(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (flags & STOPSIG_NO_PIPE) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	if (flags & STOPSIG_RESTART)
		sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
