/* listen.c - a listening TCP socket; see listen.h. */
#include "autoconfig.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/listen.h"
#include "base/number.h"

int swn_listen_split(const char *addr, int min_port, char *host, size_t n, int *port,
		     struct swn_err *err)
{
	const char *colon = strrchr(addr, ':'), *start = addr;
	size_t len;
	long long v;

	if (colon == NULL || colon == addr)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0, "listen address '%s' is not HOST:PORT", addr);
	/* atoi took ":abc" for 0 (any port) and getaddrinfo wrapped 99999. */
	if (swn_parse_number(colon + 1, min_port, 65535, &v) < 0)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
				   "listen address '%s': the port must be a whole number from %d to 65535",
				   addr, min_port);
	len = (size_t)(colon - addr);
	if (addr[0] == '[') {
		if (len < 3 || addr[len - 1] != ']')
			return swn_err_set(err, SWN_E_CONFIG, NULL, 0,
					   "listen address '%s' is not [IPV6]:PORT", addr);
		start++;
		len -= 2;
	}
	if (len >= n)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0, "listen address '%s': the host is too long",
				   addr);
	memcpy(host, start, len);
	host[len] = '\0';
	*port = (int)v;
	return 0;
}

int swn_listen_socket(const char *addr, int *port, struct swn_err *err)
{
	char host[256], service[16];
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, given;

	if (swn_listen_split(addr, 0, host, sizeof host, &given, err) < 0)
		return -1;
	snprintf(service, sizeof service, "%d", *port ? *port : given);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0, "cannot resolve listen address '%s'", addr);
	/* No SO_REUSEPORT: another process could then take over the port. */
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 512) < 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return swn_err_set(err, SWN_E_IO, NULL, 0, "cannot listen on %s: %s", addr, strerror(saved));
	}
	freeaddrinfo(res);
	if (*port == 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;

		getsockname(fd, (struct sockaddr *)&ss, &sl);
		*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	return fd;
}
