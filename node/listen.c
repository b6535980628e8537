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

#include "listen.h"

int swn_listen_socket(const char *addr, int *port, struct swn_err *err)
{
	char host[256], service[16];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints, *res = NULL;
	int fd, one = 1;

	if (colon == NULL)
		return swn_err_set(err, SWN_E_CONFIG, NULL, 0, "listen address '%s' is not HOST:PORT", addr);
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	snprintf(service, sizeof service, "%d", *port ? *port : atoi(colon + 1));
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
