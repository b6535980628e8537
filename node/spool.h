/*
 * spool.h - the spool directories domestic systems exchange files through.
 *
 * spool/out: domestic documents to send (dropped by domestic systems);
 * spool/in:  mapped domestic documents received from peers (each appears
 *            whole, by atomic rename);
 * spool/failed: outbound files that could not be accepted, kept with the
 *            reason next to them.
 */
#ifndef SWN_SPOOL_H
#define SWN_SPOOL_H

#include "err.h"

int swn_spool_create(const char *dir, struct swn_err *err);

#endif
