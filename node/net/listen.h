/*
 * listen.h - a listening TCP socket for the node's listeners.
 *
 * Non-blocking, close-on-exec, SO_REUSEADDR but not SO_REUSEPORT (with it
 * another process of the same user could bind the port and take traffic).
 */
#ifndef SWN_LISTEN_H
#define SWN_LISTEN_H

#include "base/err.h"

#include <stddef.h>

/* Split addr ("HOST:PORT", "[V6]:PORT") into host (without brackets, at
 * most n - 1 bytes) and *port, which must be all digits, min_port to 65535
 * (min_port 0: port 0 asks for any free port).  0, or -1 with err
 * (SWN_E_CONFIG) saying what is wrong. */
int swn_listen_split(const char *addr, int min_port, char *host, size_t n, int *port,
		     struct swn_err *err);

/* Listen on addr ("HOST:PORT", "[V6]:PORT"); *port, if not 0, overrides
 * addr's port, and receives the port bound (useful with port 0).  Returns
 * the descriptor, or -1 with err. */
int swn_listen_socket(const char *addr, int *port, struct swn_err *err);

#endif
