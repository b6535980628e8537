/* connlimit.c - open connections per client address; see connlimit.h. */
#include "autoconfig.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/connlimit.h"

#define BUCKETS 1024

/* One client: an IPv4 address as its IPv4-mapped IPv6 form, so that the
 * two spellings of one address count together; an IPv6 address by its /64
 * (one host commonly holds a whole /64, and could otherwise take a slot
 * per address). */
struct addr_count {
	unsigned char key[16];
	int count;               /* all its connections */
	int handshakes;          /* of them, in the handshake pool */
	struct addr_count *next;
};

/* An address a pinned peer authenticated from. */
struct known_addr {
	unsigned char key[16];
	time_t last;             /* its last authentication */
	struct known_addr *next;
};

struct swn_connlimit {
	pthread_mutex_t lock;
	struct swn_connlimit_caps caps;
	int handshakes;          /* in the handshake pool */
	int known_handshakes;    /* in the handshake, in the kept room */
	int authenticated;       /* in the kept room */
	int nknown;
	struct addr_count *bucket[BUCKETS];
	struct known_addr *known[BUCKETS];
};

struct swn_connlimit *swn_connlimit_new(const struct swn_connlimit_caps *caps)
{
	struct swn_connlimit *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->caps = *caps;
	return c;
}

void swn_connlimit_free(struct swn_connlimit *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < BUCKETS; i++) {
		while (c->bucket[i]) {
			struct addr_count *next = c->bucket[i]->next;

			free(c->bucket[i]);
			c->bucket[i] = next;
		}
		while (c->known[i]) {
			struct known_addr *next = c->known[i]->next;

			free(c->known[i]);
			c->known[i] = next;
		}
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void key_of(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		if (!(memcmp(key, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
			memset(key + 8, 0, 8);
	} else if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}

static unsigned hash_of(const unsigned char key[16])
{
	uint32_t h = 2166136261u;    /* FNV-1a */
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % BUCKETS;
}

static struct addr_count *count_of(struct swn_connlimit *c, const unsigned char key[16])
{
	struct addr_count *a;

	for (a = c->bucket[hash_of(key)]; a && memcmp(a->key, key, 16) != 0; a = a->next)
		;
	return a;
}

static struct known_addr **known_slot(struct swn_connlimit *c, const unsigned char key[16])
{
	struct known_addr **p;

	for (p = &c->known[hash_of(key)]; *p && memcmp((*p)->key, key, 16) != 0; p = &(*p)->next)
		;
	return p;
}

static int is_known(struct swn_connlimit *c, const unsigned char key[16], time_t now)
{
	struct known_addr *k = *known_slot(c, key);

	return k && now - k->last < SWN_CONN_KNOWN_FOR_S;
}

/* Forget the address authenticated from longest ago: the table is full. */
static void forget_oldest(struct swn_connlimit *c)
{
	struct known_addr **oldest = NULL, **p;
	int i;

	for (i = 0; i < BUCKETS; i++)
		for (p = &c->known[i]; *p; p = &(*p)->next)
			if (oldest == NULL || (*p)->last < (*oldest)->last)
				oldest = p;
	if (oldest) {
		struct known_addr *gone = *oldest;

		*oldest = gone->next;
		free(gone);
		c->nknown--;
	}
}

static void remember(struct swn_connlimit *c, const unsigned char key[16], time_t now)
{
	struct known_addr **p = known_slot(c, key), *k;

	if (*p) {
		(*p)->last = now;
		return;
	}
	if (c->nknown >= SWN_CONN_KNOWN_ADDRESSES) {
		forget_oldest(c);
		p = known_slot(c, key);
	}
	if (!(k = calloc(1, sizeof *k)))
		return;   /* not remembered: its next handshake uses the pool */
	memcpy(k->key, key, 16);
	k->last = now;
	*p = k;
	c->nknown++;
}

static int pinned_room_free(const struct swn_connlimit *c)
{
	return c->known_handshakes + c->authenticated < c->caps.max_total - c->caps.max_handshakes;
}

/* Which state a new connection from an address with a (NULL: none open)
 * would be counted in, or why it is refused. */
static enum swn_conn_verdict place(struct swn_connlimit *c, const struct addr_count *a, int known,
				   enum swn_conn_state *state)
{
	if (a && a->count >= c->caps.max_per_address)
		return SWN_CONN_ADDRESS_FULL;
	if (known && pinned_room_free(c)) {
		*state = SWN_CONN_KNOWN_HANDSHAKE;
		return SWN_CONN_ADMITTED;
	}
	if (c->handshakes >= c->caps.max_handshakes)
		return SWN_CONN_HANDSHAKES_FULL;
	if (a && a->handshakes >= c->caps.max_handshakes_per_address)
		return SWN_CONN_ADDRESS_HANDSHAKES_FULL;
	*state = SWN_CONN_HANDSHAKE;
	return SWN_CONN_ADMITTED;
}

enum swn_conn_verdict swn_connlimit_enter(struct swn_connlimit *c, const struct sockaddr *sa, time_t now,
					  enum swn_conn_state *state)
{
	enum swn_conn_state where = SWN_CONN_OUT;
	enum swn_conn_verdict v;
	unsigned char key[16];
	struct addr_count *a;

	key_of(sa, key);
	pthread_mutex_lock(&c->lock);
	a = count_of(c, key);
	v = place(c, a, is_known(c, key, now), &where);
	if (v == SWN_CONN_ADMITTED && a == NULL) {
		if ((a = calloc(1, sizeof *a)) != NULL) {
			unsigned h = hash_of(key);

			memcpy(a->key, key, 16);
			a->next = c->bucket[h];
			c->bucket[h] = a;
		} else {
			v = SWN_CONN_NO_MEMORY;
		}
	}
	if (v == SWN_CONN_ADMITTED) {
		a->count++;
		if (where == SWN_CONN_HANDSHAKE) {
			a->handshakes++;
			c->handshakes++;
		} else {
			c->known_handshakes++;
		}
		*state = where;
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

enum swn_conn_verdict swn_connlimit_authenticated(struct swn_connlimit *c, const struct sockaddr *sa,
						  time_t now, enum swn_conn_state *state)
{
	enum swn_conn_verdict v = SWN_CONN_ADMITTED;
	unsigned char key[16];
	struct addr_count *a;

	key_of(sa, key);
	pthread_mutex_lock(&c->lock);
	a = count_of(c, key);
	if (*state == SWN_CONN_KNOWN_HANDSHAKE) {
		c->known_handshakes--;
		c->authenticated++;
		*state = SWN_CONN_AUTHENTICATED;
	} else if (*state == SWN_CONN_HANDSHAKE) {
		if (a && pinned_room_free(c)) {
			a->handshakes--;
			c->handshakes--;
			c->authenticated++;
			*state = SWN_CONN_AUTHENTICATED;
		} else {
			v = SWN_CONN_PINNED_FULL;
		}
	}
	/* Its certificate is pinned even when there is no room for it now. */
	if (*state != SWN_CONN_OUT)
		remember(c, key, now);
	pthread_mutex_unlock(&c->lock);
	return v;
}

void swn_connlimit_leave(struct swn_connlimit *c, const struct sockaddr *sa, enum swn_conn_state *state)
{
	unsigned char key[16];
	struct addr_count **p, *a;

	if (*state == SWN_CONN_OUT)
		return;
	key_of(sa, key);
	pthread_mutex_lock(&c->lock);
	for (p = &c->bucket[hash_of(key)]; (a = *p) && memcmp(a->key, key, 16) != 0; p = &a->next)
		;
	if (a) {
		if (*state == SWN_CONN_HANDSHAKE) {
			a->handshakes--;
			c->handshakes--;
		} else if (*state == SWN_CONN_KNOWN_HANDSHAKE) {
			c->known_handshakes--;
		} else {
			c->authenticated--;
		}
		if (--a->count == 0) {
			*p = a->next;
			free(a);
		}
	}
	*state = SWN_CONN_OUT;
	pthread_mutex_unlock(&c->lock);
}

void swn_connlimit_counts(struct swn_connlimit *c, int *handshakes, int *authenticated)
{
	pthread_mutex_lock(&c->lock);
	*handshakes = c->handshakes + c->known_handshakes;
	*authenticated = c->authenticated;
	pthread_mutex_unlock(&c->lock);
}
