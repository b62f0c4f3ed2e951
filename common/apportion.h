/*
 * apportion: shares of a population turned into whole counts that add up
 * to a total exactly, by largest remainder, with at least one per part
 * (a quota sample's cells: every cell of the population gets a member).
 *
 * The rule, so that another implementation gives the same counts: a part
 * whose exact count (total x share / the sum of the shares) is under 1 is
 * given 1 and set apart; the parts left share what is left of the total in
 * proportion to their shares, again setting apart any under 1, until none
 * is. Each part left then gets the whole part of its exact count, and the
 * counts still missing go one each to the largest fractional parts (ties:
 * the part listed first). The arithmetic is IEEE double, in this order:
 * the sum of the shares taken in list order, then left * share / sum.
 */
#ifndef APPORTION_H
#define APPORTION_H

#include <stddef.h>

/*
 * Writes into counts[0..n-1] the counts of the n shares (each finite and
 * above 0) for total. Returns 0, or -1 when total is smaller than n, n is
 * 0, or a share is not a positive finite number.
 */
int apportion(const double *shares, size_t n, unsigned long long total,
    unsigned long long *counts);

#endif
