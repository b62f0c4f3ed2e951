/*
 * Diagnostics on stderr in the one shape every stage uses:
 *
 *	STAGE: FILE:LINE: message
 *
 * This and progress.h are the modules whose job is the terminal; the rest
 * of common/ returns codes and leaves the words to the stage. progress.h
 * is the one above: it uses this, never the reverse.
 */
#ifndef DIAG_H
#define DIAG_H

/* Names the stage for every later message. The string is borrowed. */
void diag_init(const char *stage);

/* The stage name given to diag_init(). */
const char *diag_stage(void);

/*
 * Sets a function diag() calls before it prints: progress.h's, which
 * erases a live progress line, so a message never lands in the middle of
 * one. NULL for none (the default).
 */
void diag_before(void (*clear)(void));

/*
 * Prints "STAGE: FILE:LINE: message" (", LINE" left out when line is 0,
 * "FILE:" when file is NULL), after the function of diag_before().
 */
void diag(const char *file, unsigned long long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
