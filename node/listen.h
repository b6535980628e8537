/*
 * listen.h - a listening TCP socket for the node's listeners.
 *
 * Non-blocking, close-on-exec, SO_REUSEADDR but not SO_REUSEPORT (with it
 * another process of the same user could bind the port and take traffic).
 */
#ifndef SWN_LISTEN_H
#define SWN_LISTEN_H

#include "err.h"

/* Listen on addr ("HOST:PORT", "[V6]:PORT"); *port, if not 0, overrides
 * addr's port, and receives the port bound (useful with port 0).  Returns
 * the descriptor, or -1 with err. */
int swn_listen_socket(const char *addr, int *port, struct swn_err *err);

#endif
