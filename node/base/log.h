/*
 * log.h - one line per event on standard error, with a UTC timestamp:
 *   2026-11-26T18:40:01.123Z swnode[1234]: in 5f..@SG-NTP from SG-NTP: receipt
 * Lines from threads never interleave.  Keys and documents are never
 * logged, only identifiers and outcomes.  The message is escaped
 * (escape.h) as a whole: values from outside may be passed as they are,
 * and cannot make a line of their own.
 */
#ifndef SWN_LOG_H
#define SWN_LOG_H

void swn_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
