/*
 * number.h - whole numbers read from text people or programs write.
 *
 * strtoll alone takes leading spaces, a '+', a partial number ("4x") and
 * wraps silently; here the whole string is one decimal number inside a
 * range, or it is refused.  Command options, query values and ports all
 * go through it.
 */
#ifndef SWN_NUMBER_H
#define SWN_NUMBER_H

/* s as a whole number from min to max: 0 and *out, or -1. */
int swn_parse_number(const char *s, long long min, long long max, long long *out);

#endif
