/*
 * The signals that ask a stage to stop (SIGINT, SIGTERM), caught into one
 * flag the stage's loop reads, so that it ends its own way (what is in
 * hand spooled, no half report written) and exits with 128 + the signal.
 *
 *	stopsig_catch(STOPSIG_RESTART | STOPSIG_NO_PIPE);
 *	... while (!stopsig) ...
 *	return 128 + stopsig;
 */
#ifndef STOPSIG_H
#define STOPSIG_H

#include <signal.h>

/* The last stop signal caught, or 0. */
extern volatile sig_atomic_t stopsig;

/*
 * STOPSIG_RESTART: a read or a write the signal cuts into is taken up
 * again (SA_RESTART) instead of failing with EINTR, for a stage whose
 * reads go through a library that would take EINTR for an error (zlib);
 * poll(2) still ends early. STOPSIG_NO_PIPE: SIGPIPE is ignored, so that
 * a closed stdout is an error the stage sees (EPIPE) rather than its end.
 */
#define STOPSIG_RESTART 1
#define STOPSIG_NO_PIPE 2

/* Catches SIGINT and SIGTERM into stopsig, as flags say. */
void stopsig_catch(int flags);

#endif
