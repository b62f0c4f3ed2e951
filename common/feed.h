/*
 * Input lines read by a thread of their own, for the stages that wait on
 * the network: while requests are in flight the stage still reads its
 * input as it comes, and while its input trickles in it still drives the
 * network (and, for post-quasar, flushes a batch on time).
 *
 * The thread opens the files in turn (gzip read transparently, input.h),
 * splits them into lines (lines.h, bounded) and queues copies; the stage's
 * thread takes them without blocking. When the queue is full the reader
 * waits, so memory stays bounded by the queue's size times the line
 * maximum (and the pool's texts, below). A taker may give the texts it
 * is through with back (feed_recycle()), in runs: the reader copies the
 * next lines into them instead of allocating a text for each line, which
 * the taker's thread then freed into the reader's arena, the two threads
 * contending for its lock on every line. The reader never prints: a file it
 * cannot open or read arrives as an item saying so, for the stage to report.
 */
#ifndef FEED_H
#define FEED_H

#include <pthread.h>
#include <stddef.h>

enum feed_kind {
	FEED_LINE,    /* a line (without its \n) */
	FEED_TOOLONG, /* a line over the maximum: text holds its start */
	FEED_ERROR    /* text is the message; status the exit status */
};

struct feed_item {
	enum feed_kind kind;
	char *text; /* owned by the item: free() it, or feed_recycle() */
	size_t len;
	size_t size;      /* the bytes allocated at text */
	const char *file; /* the input's name, valid until feed_release() */
	unsigned long long line;
	int status;
};

/* A text given back, to be filled again. */
struct feed_text {
	char *p;
	size_t size;
};

/* Texts kept for the reader at most, and the largest kept. */
#define FEED_POOL 512
#define FEED_POOL_TEXT (64 << 10)

struct feed {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* an item queued or taken, the end, stop */
	struct feed_item *ring;
	size_t cap, head, n;
	int ended; /* the reader is through: no more items after the queue */
	int stop;  /* the stage asked the reader to stop */
	int nfiles;
	char **files;
	size_t max_line;
	char **names; /* nfiles (or 1) names, owned */
	void (*wake)(void *arg);
	void *wake_arg;
	int started;
	struct feed_text *pool; /* given back (feed_recycle), under mu */
	struct feed_text *mine; /* the reader's, taken from pool at once */
	size_t npool, nmine;
};

/*
 * Starts reading the files (stdin when nfiles is 0; "-" is stdin too),
 * lines of at most max_line bytes, queueing at most cap of them (a full
 * queue is let drain to half before the reader reads on). wake(arg) is
 * called from the reader's thread after an item is queued into an empty
 * queue (a taker that found it empty may be waiting) and at the end, to
 * end a wait such as http_poll's; may be NULL. Returns 0, or -1 when the
 * thread cannot start.
 */
int feed_start(struct feed *f, int nfiles, char **files, size_t max_line,
    size_t cap, void (*wake)(void *arg), void *arg);

/*
 * Takes the next item without waiting. Returns 1 with *it filled, 0 when
 * none is queued yet, -1 when there will be no more.
 */
int feed_take(struct feed *f, struct feed_item *it);

/*
 * Takes up to max items into items without waiting, waking the reader
 * once for all of them: taken one by one from a full queue, each take
 * wakes the reader for one line. Returns the number taken, 0 when none is
 * queued yet, -1 when there will be no more.
 */
int feed_take_many(struct feed *f, struct feed_item *items, size_t max);

/* Takes the next item, waiting for one. 1, or -1 at the end. */
int feed_wait(struct feed *f, struct feed_item *it);

/*
 * Gives the texts of n items taken back to the reader (their text then
 * NULL): kept for lines to come, up to FEED_POOL texts of at most
 * FEED_POOL_TEXT bytes, the others freed. One lock for all of them.
 */
void feed_recycle(struct feed *f, struct feed_item *items, size_t n);

/* Stops the reader early, waits for it and frees everything. */
void feed_release(struct feed *f);

#endif
