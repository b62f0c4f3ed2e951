/* The waits between questions; see schedule.h. */
#include "schedule.h"

void
schedule_init(struct schedule *s, double first, double most, double give_up_at)
{
	s->wait = first;
	s->most = first > most ? first : most;
	s->give_up_at = give_up_at;
}

double
schedule_delay(const struct schedule *s, double now)
{
	double left = s->give_up_at - now;

	if (left <= 0)
		return -1;
	return s->wait < left ? s->wait : left;
}

void
schedule_stretch(struct schedule *s)
{
	s->wait = s->wait * 1.5 < s->most ? s->wait * 1.5 : s->most;
}
