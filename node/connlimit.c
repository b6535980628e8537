/* connlimit.c - open connections per client address; see connlimit.h. */
#include "autoconfig.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"

#define BUCKETS 1024

/* One client: an IPv4 address as its IPv4-mapped IPv6 form, so that the
 * two spellings of one address count together; an IPv6 address by its /64
 * (one host commonly holds a whole /64, and could otherwise take a slot
 * per address). */
struct addr_count {
	unsigned char key[16];
	int count;
	struct addr_count *next;
};

struct swn_connlimit {
	pthread_mutex_t lock;
	int max_total, max_per_address, total;
	struct addr_count *bucket[BUCKETS];
};

struct swn_connlimit *swn_connlimit_new(int max_total, int max_per_address)
{
	struct swn_connlimit *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max_total = max_total;
	c->max_per_address = max_per_address;
	return c;
}

void swn_connlimit_free(struct swn_connlimit *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < BUCKETS; i++)
		while (c->bucket[i]) {
			struct addr_count *next = c->bucket[i]->next;

			free(c->bucket[i]);
			c->bucket[i] = next;
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

enum swn_conn_verdict swn_connlimit_enter(struct swn_connlimit *c, const struct sockaddr *sa)
{
	enum swn_conn_verdict v = SWN_CONN_NODE_FULL;
	unsigned char key[16];
	struct addr_count *a;
	unsigned h;

	key_of(sa, key);
	h = hash_of(key);
	pthread_mutex_lock(&c->lock);
	for (a = c->bucket[h]; a && memcmp(a->key, key, 16) != 0; a = a->next)
		;
	if (a && a->count >= c->max_per_address) {
		v = SWN_CONN_ADDRESS_FULL;
	} else if (c->total < c->max_total && (a || (a = calloc(1, sizeof *a)))) {
		if (a->count == 0) {
			memcpy(a->key, key, 16);
			a->next = c->bucket[h];
			c->bucket[h] = a;
		}
		a->count++;
		c->total++;
		v = SWN_CONN_ADMITTED;
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

void swn_connlimit_leave(struct swn_connlimit *c, const struct sockaddr *sa)
{
	unsigned char key[16];
	struct addr_count **p, *a;

	key_of(sa, key);
	pthread_mutex_lock(&c->lock);
	for (p = &c->bucket[hash_of(key)]; (a = *p) && memcmp(a->key, key, 16) != 0; p = &a->next)
		;
	if (a) {
		c->total--;
		if (--a->count == 0) {
			*p = a->next;
			free(a);
		}
	}
	pthread_mutex_unlock(&c->lock);
}
